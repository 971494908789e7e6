/** Other tools' exports as `import` events: parse (one importer per tool), detect, match. */
export { IMPORT_TOOLS } from './types';
export type { ImportTool, ImportRecord, ImportNote, ImportNoteKind, ItemRef, ParsedImport, ParseOptions } from './types';
export { detectImportFormat, parseImport } from './detect';
export { matchImport, importEventId, summaryText } from './match';
export type { ImportProblem, ImportSummary, MatchOptions, MatchProblemKind, MatchResult } from './match';
