/** The label log: append-only events per dataset, replay into current labels, undo, export. */
export { LOG_FORMAT_VERSION, RECORD_PREFIX, newEventId, completeEvent, serializeEvent, parseEventLine, undoOf } from './events';
export type { LabelEvent, LabelEventInput, LabelEventType, AppendedEvent, ParseFailure } from './events';
export { LabelLogError, LabelLogChangedError } from './errors';
export { LabelLog } from './labelLog';
export type { AppendOutcome, LabelLogOptions, LogChange, LogReplacement, ReplacementDecision } from './labelLog';
export { LabelState } from './state';
export type { CurrentLabel } from './state';
export { replay } from './replay';
export type { ReplayResult, LogProblem, LogProblemKind } from './replay';
export { datasetStoreDir, labelLogPath, ensureStoreRoot, STORE_DIR_NAME, STORE_GITIGNORE, LOG_FILE_NAME } from './storePath';
export { exportJsonl, exportCsv, toExportRow, csvLine, CSV_COLUMNS } from './export';
export type { ExportItem, ExportOptions, ExportPrediction, ExportRow, ExportSummary } from './export';
export { importLabels, mapImported } from './importLabels';
export type { ImportOptions } from './importLabels';
export { writeFileAtomic, mkdirDurable } from './atomicWrite';
export { crc32, crc32Hex } from './crc32';
