import * as path from 'node:path';
import type { DatasetFormat } from '../types';
import { DatasetError } from './errors';

const byExtension: Readonly<Record<string, DatasetFormat>> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json-lines': 'jsonl',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.txt': 'txt',
};

/** The formats the readers understand, for messages and file pickers. */
export const supportedExtensions: readonly string[] = Object.keys(byExtension);

/** Picks the reader by file extension (case-insensitive); anything else is refused with the fix. */
export function detectFormat(file: string): DatasetFormat {
  const ext = path.extname(file).toLowerCase();
  const format = byExtension[ext];
  if (format !== undefined) return format;
  const hint =
    ext === '.json'
      ? ' A .json file holds one document, not one item per line: convert it to JSON Lines (one object per line, e.g. `jq -c ".[]" in.json > out.jsonl`).'
      : ' Rename the file if it is one of these formats, or pass the format explicitly.';
  throw new DatasetError(
    `Cannot read ${file}: unsupported file type "${ext || '(no extension)'}". Supported: ${supportedExtensions.join(', ')}.${hint}`,
    file,
  );
}
