/**
 * The remembered setup answers for one dataset, as a schema, and the memory that keeps them: they
 * come back from workspaceState and from a `setup.json` a person may have edited by hand, so they
 * are validated like any message. Free of the `vscode` module (workspaceState comes in as a port).
 * Answers saved before seed terms existed have none; a bad seed falls back to 1; an unknown
 * strategy is dropped (the setting's default applies).
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as v from 'valibot';
import { ExistingLabelsSchema, LabelModeSchema, labelName, MAX_LABELS } from '../shared/protocol';
import { StrategyIdSchema } from '../shared/settings';

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
  /**
   * The sampling strategy chosen for this dataset (Choose Sampling Strategy); omitted: the
   * `activeLabel.strategy` setting. A name the registry no longer has falls back to the setting.
   */
  strategy: v.fallback(v.optional(StrategyIdSchema), undefined),
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

/** What SetupMemory needs of VS Code's workspaceState (a `vscode.Memento`). */
export interface AnswerStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const STATE_PREFIX = 'activeLabel.setup:';
const SETUP_FILE = 'setup.json';

/**
 * Remembers setup answers per dataset: in workspaceState, and in `setup.json` beside the label log.
 * The file matters in VS Code for the web (code-server), where workspaceState lives in the
 * browser's storage and a different browser would otherwise ask again; it also lets a team that
 * commits `.activelabel/` share one label set (and its chosen strategy).
 */
export class SetupMemory {
  constructor(
    private readonly state: AnswerStore,
    /** The dataset's folder under `.activelabel/` (datasetStoreDir). */
    private readonly storeDir: (file: string) => string,
  ) {}

  async get(file: string): Promise<SetupAnswers | undefined> {
    const fromState = parseAnswers(this.state.get<unknown>(STATE_PREFIX + path.resolve(file)));
    if (fromState) return fromState;
    try {
      return parseAnswers(JSON.parse(await fs.readFile(path.join(this.storeDir(file), SETUP_FILE), 'utf8')));
    } catch {
      return undefined;
    }
  }

  async set(file: string, answers: SetupAnswers): Promise<void> {
    await this.state.update(STATE_PREFIX + path.resolve(file), answers);
    const dir = this.storeDir(file);
    try {
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, SETUP_FILE), JSON.stringify(answers, null, 2) + '\n');
    } catch {
      // Read-only workspace: workspaceState still remembers.
    }
  }
}
