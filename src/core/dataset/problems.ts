import type { RowProblem, RowProblemReason } from '../types';

/** What the builder knows when it reports a row; each reason uses the parts it needs. */
export interface ProblemContext {
  readonly textField: string;
  readonly fields: readonly string[];
  readonly maxRecordBytes: number;
  readonly detail?: string;
  readonly bytes?: number;
}

/** Builds a RowProblem whose message names `file:line`, what is wrong, and how to fix it. */
export function rowProblem(file: string, line: number, reason: RowProblemReason, ctx: ProblemContext): RowProblem {
  return { file, line, reason, message: `${file}:${line}: ${explain(reason, ctx)}` };
}

function explain(reason: RowProblemReason, ctx: ProblemContext): string {
  const field = JSON.stringify(ctx.textField);
  switch (reason) {
    case 'invalid-json':
      return `invalid JSON (${ctx.detail ?? 'unparseable'}); row skipped. Fix: write each item as one complete JSON object on one line, e.g. {"text": "..."} (a pretty-printed object spanning lines is not JSON Lines).`;
    case 'not-an-object':
      return `the line is ${ctx.detail ?? 'not an object'}, not a JSON object; row skipped. Fix: write each item as an object such as {"text": "..."}.`;
    case 'missing-text-field': {
      const seen = ctx.fields.length > 0 ? ` (fields in this file: ${ctx.fields.slice(0, 12).join(', ')})` : '';
      return `no text in field ${field}${ctx.detail ? ` (${ctx.detail})` : ''}; row skipped. Fix: add the ${field} field to this row, or choose another text field${seen}.`;
    }
    case 'empty-text':
      return `field ${field} is empty${ctx.detail ? ` (${ctx.detail})` : ''}; row skipped. Fix: fill in the text or delete the row.`;
    case 'invalid-utf8':
      return 'the row is not valid UTF-8 (the file may be in Latin-1 or Windows-1252); row skipped. Fix: re-save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 in.csv > out.csv.';
    case 'csv-syntax':
      return `CSV syntax error: ${ctx.detail ?? 'malformed record'}; record skipped (an unclosed quote swallows the rows after it). Fix: put fields that contain the delimiter, quotes or newlines in double quotes, and double any quote inside them ("").`;
    case 'duplicate-id':
      return `${ctx.detail ?? 'this id was already used'}; row skipped, the first one kept. Fix: give each item a unique id, or drop the id field so ids come from the text.`;
    case 'nul-byte':
      return `the row holds a NUL byte${ctx.detail ? ` (${ctx.detail})` : ''}, which text never does; row skipped. Fix: delete the NUL byte (e.g. tr -d '\\000' < in > out); if the file is UTF-16, re-save it as UTF-8.`;
    case 'line-too-long':
      return `the row is ${formatBytes(ctx.bytes ?? 0)}, over the ${formatBytes(ctx.maxRecordBytes)} limit per row; row skipped without loading it. Fix: split or shorten the text, or raise the record size limit.`;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
