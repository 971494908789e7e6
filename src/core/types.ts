/**
 * The contracts that the core's folders share. Each folder owns its implementation; this file only
 * names the shapes that cross folder boundaries, so a reader can see the data flow in one place.
 */

/** A dense row-major matrix of float32 values: row i is data[i*cols .. (i+1)*cols). */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

export type DatasetFormat = 'jsonl' | 'csv' | 'tsv' | 'txt';

/** One unique text of a dataset. Exact duplicate texts are grouped into one item. */
export interface DatasetItem {
  /** Stable across reloads: the id field when present, else `h:` + hash of the normalized text. */
  readonly id: string;
  readonly text: string;
  /** sha256 (hex, first 32 chars) of the normalized text; keys the embedding cache. */
  readonly textHash: string;
  /** 1-based line in the file where the item's row starts (first occurrence). */
  readonly line: number;
  /** How many rows carried this exact text (1 when unique). */
  readonly count: number;
  /** Labels found in the file's `label`/`labels` field, imported with source `import`. */
  readonly importedLabels?: readonly string[];
}

export type RowProblemReason =
  | 'invalid-json'
  | 'not-an-object'
  | 'missing-text-field'
  | 'empty-text'
  | 'invalid-utf8'
  | 'csv-syntax'
  | 'duplicate-id'
  | 'line-too-long'
  /** A NUL byte in a row of an otherwise text file (a file with many is refused as binary). */
  | 'nul-byte';

export interface RowProblem {
  readonly file: string;
  readonly line: number;
  readonly reason: RowProblemReason;
  /** Human message naming the file:line, what is wrong and how to fix it. */
  readonly message: string;
}

export interface LoadSummary {
  readonly rows: number;
  readonly loaded: number;
  readonly skipped: number;
  readonly skippedByReason: Readonly<Partial<Record<RowProblemReason, number>>>;
  /** Rows whose text duplicated an earlier row's (grouped, not skipped). */
  readonly duplicateRows: number;
  /**
   * Loaded rows whose text was a JSON number or boolean, read as text in its source spelling
   * (`1.50`, `true`). Absent when none; summaries say so when present.
   */
  readonly nonStringTexts?: number;
}

export interface Dataset {
  readonly file: string;
  readonly format: DatasetFormat;
  readonly textField: string;
  /** Field names seen (JSONL keys / CSV header or `column1..N`); empty for TXT. */
  readonly fields: readonly string[];
  readonly items: readonly DatasetItem[];
  readonly problems: readonly RowProblem[];
  readonly summary: LoadSummary;
  /**
   * Row r's item: the index in `items` of the item the r-th data row (file order; header and blank
   * JSONL/TXT lines excluded, skipped and duplicate rows included) became or repeated, or -1 for a
   * skipped row. A vector file is aligned by it (one vector per data row). The loader and the
   * snapshot always set it; a dataset built another way may not (see embedding/datasetRows.ts).
   */
  readonly rowItems?: Int32Array;
}

export type LabelSource = 'queue' | 'review' | 'import' | 'edit';

/** Why an item was put in front of the annotator. */
export interface SampleReason {
  readonly strategy: string;
  readonly score: number;
  readonly cluster?: number;
  /** A short sentence for the UI, e.g. "Top 10% uncertain (margin 0.93), cluster 4 outlier". */
  readonly detail?: string;
}

/** A ranked pick returned by every sampling strategy. */
export interface RankedItem {
  /** Index into the pool passed to the strategy. */
  readonly index: number;
  readonly reason: SampleReason;
}

export type LabelMode = 'single' | 'multi' | 'binary';
