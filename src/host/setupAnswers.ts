/**
 * The remembered setup answers for one dataset, as a schema: they come back from workspaceState
 * and from a `setup.json` a person may have edited by hand, so they are validated like any message.
 * Answers saved before seed terms existed have none; a bad seed falls back to 1.
 */
import * as v from 'valibot';
import { LabelModeSchema, labelName, MAX_LABELS } from '../shared/protocol';

export const SetupAnswersSchema = v.object({
  textField: v.string(),
  labelField: v.optional(v.string()),
  labels: v.pipe(
    v.array(v.unknown()),
    v.transform((list) => list.filter((l): l is string => v.is(labelName, l))),
    v.minLength(1),
    v.maxLength(MAX_LABELS),
  ),
  mode: LabelModeSchema,
  /** Keywords or `/regex/` whose matches are served first during cold start; empty = none. */
  seedPatterns: v.fallback(
    v.pipe(
      v.array(v.unknown()),
      v.transform((list) => list.filter((p): p is string => typeof p === 'string' && p.trim() !== '')),
    ),
    [],
  ),
  /** Chosen once per dataset so the evaluation split and every random step stay stable. */
  seed: v.fallback(v.pipe(v.number(), v.integer()), 1),
});

export type SetupAnswers = v.InferOutput<typeof SetupAnswersSchema>;

export function parseAnswers(raw: unknown): SetupAnswers | undefined {
  const parsed = v.safeParse(SetupAnswersSchema, raw);
  return parsed.success ? parsed.output : undefined;
}
