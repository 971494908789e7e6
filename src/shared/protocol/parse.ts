/**
 * Validation at a boundary: parse an untyped message with its schema, and on failure say which
 * field was wrong, so the caller can log a reason instead of dropping the message silently.
 */
import * as v from 'valibot';

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export function parseWith<S extends v.GenericSchema>(schema: S, raw: unknown): ParseResult<v.InferOutput<S>> {
  const result = v.safeParse(schema, raw);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, error: describeIssues(result.issues, raw) };
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[], raw: unknown): string {
  const type = typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string' ? (raw as { type: string }).type : undefined;
  const first = issues.slice(0, 3).map((issue) => {
    const path = v.getDotPath(issue);
    return `${path ? `${path}: ` : ''}${issue.message}`;
  });
  return `${type ? `'${type.slice(0, 40)}' ` : ''}message: ${first.join('; ')}`;
}
