/**
 * What every importer of another tool's export produces: one record per judgement (an item and
 * the labels a person gave it), and a note for every line that was not turned into a record, so
 * nothing is dropped without a `file:line` saying why.
 */

/** The tools whose exports can be imported; `tool` on the `import` events the records become. */
export const IMPORT_TOOLS = ['prodigy', 'doccano', 'label-studio', 'argilla', 'hf-datasets'] as const;
export type ImportTool = (typeof IMPORT_TOOLS)[number];

/** How a record names its dataset item: the export's id, its text, or both (id is tried first). */
export interface ItemRef {
  readonly id?: string;
  readonly text?: string;
}

export interface ImportRecord {
  readonly itemRef: ItemRef;
  /** Label names as the export spells them (mapped onto the session's labels when matched). */
  readonly labels: readonly string[];
  /** Who gave the labels, when the export says (Prodigy `_annotator_id`, Label Studio `completed_by`...). */
  readonly annotator?: string;
  readonly sourceTool: ImportTool;
  readonly file: string;
  /** 1-based line in `file` where the record (or, in a JSON array, its task) starts. */
  readonly line: number;
}

export type ImportNoteKind =
  /** The line is not valid JSON (or the file is not a JSON array). */
  | 'invalid-json'
  /** Valid JSON, but not the shape this tool exports (no text, no labels field...). */
  | 'not-a-record'
  /** Prodigy `answer: reject`: only accepted answers carry labels. */
  | 'rejected'
  /** Prodigy `answer: ignore`. */
  | 'ignored'
  /** Label Studio annotation with `was_cancelled: true` (skipped by the annotator). */
  | 'cancelled'
  /** The record carries no label (unlabeled in the tool, or only a model suggestion). */
  | 'no-label'
  /** Only a model's suggestion or prediction, not a person's answer: not imported as a label. */
  | 'suggestion-only'
  /** A class index with no class names to turn it into a label. */
  | 'class-index';

export interface ImportNote {
  readonly file: string;
  readonly line: number;
  readonly kind: ImportNoteKind;
  /** Starts with `file:line:`, says what was found and what was done. */
  readonly message: string;
}

export interface ParsedImport {
  readonly tool: ImportTool;
  readonly records: readonly ImportRecord[];
  readonly notes: readonly ImportNote[];
}

export interface ParseOptions {
  /**
   * Hugging Face `datasets` / Argilla: the label field (default `label`) or Argilla question name
   * (default: the first question with responses).
   */
  readonly labelField?: string;
  /** Class names for integer labels (a `datasets` ClassLabel's `names`), index -> name. */
  readonly classNames?: readonly string[];
}

/** A note whose message names the place: `file:line: detail`. */
export function note(file: string, line: number, kind: ImportNoteKind, detail: string): ImportNote {
  return { file, line, kind, message: `${file}:${line}: ${detail}` };
}

/** A JSON value as an id: strings as they are, integers in decimal; anything else is no id. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Non-empty strings from a value that is a string or a list of strings (others dropped). */
export function stringList(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

/** Notes in file order (the JSON-line splitter reports broken lines before the rest). */
export function byLine(notes: ImportNote[]): ImportNote[] {
  return notes.sort((a, b) => a.line - b.line);
}
