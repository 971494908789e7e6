/** The dataset readers: load a JSONL/CSV/TSV/TXT file into unique items, reporting bad rows. */
export { LOADER_VERSION, loadDataset, type LoadOptions } from './load';
export { DEFAULT_SNAPSHOT_MIN_ITEMS, SNAPSHOT_FILE_NAME, loadDatasetCached, type OpenedDataset, type SaveOutcome, type SnapshotOptions } from './cachedLoad';
export { previewDataset, type DatasetPreview } from './preview';
export { labelCensus, type LabelCensus } from './labelCensus';
export { detectFormat, supportedExtensions } from './format';
export { formatSummary } from './summary';
export { normalizeText, textHash } from './normalize';
export { DatasetError } from './errors';
export { defaultMaxRecordBytes } from './chunks';
