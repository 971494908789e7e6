/**
 * How an engine step's progress is worded, in the panel, the status bar and the notification alike:
 * `Reading dataset 12.4 MB of 48.0 MB · 31.0 MB/s · ETA 2s`, `Embedding 4,210/10,000 · 85/s · ETA 1m 32s`,
 * `Training…`. Reading counts bytes (the file is hashed and parsed as a byte stream), every other
 * step counts items; a step with no meaningful count (a retrain is one step) shows only its name.
 */
import { PHASE_TITLES, type ProgressSnapshot } from './protocol/domain';
import { roughDuration, type DurationUnits } from './poolText';

const count = new Intl.NumberFormat('en-US');
const COMPACT: DurationUnits = { s: 's', min: 'm', h: 'h' };
/** `45s`, `18m`, `2h 5m`: the status bar's and the notification's durations. */
const roughCompact = (seconds: number): string => roughDuration(seconds, COMPACT);
const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** The unit a step counts in: `bytes` while reading the dataset, `items` otherwise. */
export function progressUnit(p: Pick<ProgressSnapshot, 'phase'>): 'bytes' | 'items' {
  return p.phase === 'loading' ? 'bytes' : 'items';
}

/** `0 B`, `980 B`, `197 KB`, `12.4 MB`, `1.2 GB` (decimal units; one decimal below 100). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** The parts of the line, in order: what and how far, the rate, the time left (each only once known). */
export function progressParts(p: ProgressSnapshot, duration: (seconds: number) => string = roughCompact): string[] {
  const verb = PHASE_TITLES[p.phase];
  const bytes = progressUnit(p) === 'bytes';
  if (p.total <= 1 && !bytes) return [`${verb}…`];
  if (p.total <= 0) return [`${verb}…`];
  const head = bytes ? `${verb} ${formatBytes(p.done)} of ${formatBytes(p.total)}` : `${verb} ${count.format(p.done)}/${count.format(p.total)}`;
  const parts = [head];
  if (p.itemsPerSecond > 0) parts.push(bytes ? `${formatBytes(p.itemsPerSecond)}/s` : `${count.format(Math.round(p.itemsPerSecond))}/s`);
  if (p.etaSeconds > 0 && p.done < p.total) parts.push(`ETA ${duration(p.etaSeconds)}`);
  return parts;
}

/** The whole line, parts joined by ` · `. */
export function progressText(p: ProgressSnapshot, duration: (seconds: number) => string = roughCompact): string {
  return progressParts(p, duration).join(' · ');
}
