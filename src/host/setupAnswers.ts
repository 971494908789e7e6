/**
 * The remembered setup answers for one dataset, as a schema: they come back from workspaceState
 * and from a `setup.json` a person may have edited by hand, so they are validated like any message.
 * Answers saved before seed terms existed have none; a bad seed falls back to 1.
 */
import * as v from 'valibot';
import { ExistingLabelsSchema, LabelModeSchema, labelName, MAX_LABELS } from '../shared/protocol';

const AnswersSchema = v.object({
  textField: v.string(),
  /** The file's own labels and what to do with them; omitted: ignored. */
  existingLabels: v.optional(ExistingLabelsSchema),
  /** Before the choice existed, a label field meant "import it as it is". */
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

export const SetupAnswersSchema = v.pipe(
  AnswersSchema,
  v.transform(({ labelField, ...answers }) =>
    answers.existingLabels === undefined && labelField !== undefined
      ? { ...answers, existingLabels: { field: labelField, use: 'import' as const, map: Object.fromEntries(answers.labels.map((l) => [l, l])) } }
      : answers,
  ),
);

export type SetupAnswers = v.InferOutput<typeof SetupAnswersSchema>;

export function parseAnswers(raw: unknown): SetupAnswers | undefined {
  const parsed = v.safeParse(SetupAnswersSchema, raw);
  return parsed.success ? parsed.output : undefined;
}
