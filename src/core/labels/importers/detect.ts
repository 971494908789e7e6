/**
 * Picks the importer for a file from its shape (or takes the one asked for), so the user never has
 * to say which tool wrote an export:
 * - a JSON array (or one object with `data`): Label Studio;
 * - `.csv`: Hugging Face `datasets` CSV;
 * - JSONL whose lines have `answer` or Prodigy's `_task_hash`/`_input_hash`: Prodigy;
 * - JSONL with Argilla's `responses`/`suggestions`/`fields`, or `<question>.responses` keys: Argilla;
 * - JSONL whose `label` is a list (and no `meta.annotator`, which Active Label's export writes): doccano;
 * - any other JSONL: Hugging Face `datasets` (`text` + `label`).
 */
import { extname } from 'node:path';
import { parseArgilla } from './argilla';
import { parseDoccano } from './doccano';
import { parseHfCsv, parseHfJsonl } from './hfDatasets';
import { stripBom } from './jsonLines';
import { parseLabelStudio } from './labelStudio';
import { parseProdigy } from './prodigy';
import { isObject, type ImportTool, type ParseOptions, type ParsedImport } from './types';

const SAMPLE_LINES = 50;

export function detectImportFormat(file: string, content: string): ImportTool {
  if (extname(file).toLowerCase() === '.csv') return 'hf-datasets';
  const text = stripBom(content).trimStart();
  if (text.startsWith('[')) return 'label-studio';
  const sample = sampleObjects(text);
  if (sample.length === 1 && isObject(sample[0]?.data) && !text.trim().includes('\n')) return 'label-studio';
  if (text.startsWith('{') && sample.length === 0 && looksLikeOneJsonObject(text)) return 'label-studio';
  if (sample.some((o) => 'answer' in o || '_task_hash' in o || '_input_hash' in o)) return 'prodigy';
  if (sample.some(isArgilla)) return 'argilla';
  if (sample.some((o) => Array.isArray(o.label ?? o.labels) && !(isObject(o.meta) && 'annotator' in o.meta))) return 'doccano';
  return 'hf-datasets';
}

/** Parses `content` (the text of `file`) with the importer `format`, or the detected one. */
export function parseImport(file: string, content: string, options: ParseOptions & { readonly format?: ImportTool } = {}): ParsedImport {
  const format = options.format ?? detectImportFormat(file, content);
  switch (format) {
    case 'prodigy':
      return parseProdigy(file, content);
    case 'doccano':
      return parseDoccano(file, content);
    case 'label-studio':
      return parseLabelStudio(file, content);
    case 'argilla':
      return parseArgilla(file, content, options);
    case 'hf-datasets':
      return extname(file).toLowerCase() === '.csv' ? parseHfCsv(file, content, options) : parseHfJsonl(file, content, options);
  }
}

function isArgilla(o: Record<string, unknown>): boolean {
  if (isObject(o.responses) || isObject(o.suggestions) || isObject(o.fields)) return true;
  return Object.keys(o).some((k) => /\.(responses|suggestion)$/.test(k));
}

/** The first JSON objects among the first lines (broken lines are the importer's to report). */
function sampleObjects(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split(/\r\n|\r|\n/, SAMPLE_LINES)) {
    try {
      const value: unknown = JSON.parse(line);
      if (isObject(value)) out.push(value);
    } catch {
      /* not JSON on one line */
    }
  }
  return out;
}

/** A pretty-printed single task (`{` on its own line) parses as a whole. */
function looksLikeOneJsonObject(text: string): boolean {
  try {
    return isObject(JSON.parse(text));
  } catch {
    return false;
  }
}
