/**
 * How the panel and the status bar word the pool's background embedding (one wording for both):
 * `pool: 212,000 of 1,000,000 embedded`, then what is happening.
 */
import type { PoolEmbeddingSnapshot } from './protocol/domain';

const count = new Intl.NumberFormat('en-US');

/** `pool: 212,000 of 1,000,000 embedded`. */
export function poolLine(p: Pick<PoolEmbeddingSnapshot, 'embedded' | 'total'>): string {
  return `pool: ${count.format(p.embedded)} of ${count.format(p.total)} embedded`;
}

/** How `roughDuration` names its units: spelled out (" s", " min", " h") or compact ("s", "m", "h"). */
export interface DurationUnits {
  readonly s: string;
  readonly min: string;
  readonly h: string;
}

const SPELLED: DurationUnits = { s: ' s', min: ' min', h: ' h' };

/** "45 s", "18 min", "2 h 5 min" (or, compact, "45s", "18m", "2h 5m"); "?" when unknown. */
export function roughDuration(seconds: number, units: DurationUnits = SPELLED): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))}${units.s}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}${units.min}`;
  return `${Math.floor(minutes / 60)}${units.h} ${minutes % 60}${units.min}`;
}

/** The line plus the state: `…embedded · 850/s · about 18 min left`, `…embedded · stopped`. */
export function poolStatus(p: PoolEmbeddingSnapshot): string {
  const parts = [poolLine(p)];
  if (p.state === 'embedding') {
    if (p.itemsPerSecond > 0) parts.push(`${count.format(Math.round(p.itemsPerSecond))}/s`);
    if (p.etaSeconds > 0) parts.push(`about ${roughDuration(p.etaSeconds)} left`);
    else parts.push('labeling draws from these while the rest embeds');
  } else if (p.state === 'stopped') parts.push('embedding stopped');
  else if (p.state === 'failed') parts.push('embedding failed');
  return parts.join(' · ');
}

/** What the slow-embedding warning says: the estimate, and the faster choices. */
export function slowEmbeddingText(m: { readonly etaSeconds: number; readonly itemsPerSecond: number; readonly remaining: number; readonly warnAfterMinutes: number; readonly embedder: string }): string {
  return (
    `Embedding the other ${count.format(m.remaining)} items with ${m.embedder} will take about ${roughDuration(m.etaSeconds)} ` +
    `at ${count.format(Math.round(m.itemsPerSecond))} items/s (more than activeLabel.embedding.warnAfterMinutes, ${m.warnAfterMinutes} min). ` +
    'Labeling goes on meanwhile. Faster: an embedding server (activeLabel.model set to openai:<url>#<model>), ' +
    'precomputed vectors (activeLabel.vectors, or a .npy beside the dataset), or the lexical model.'
  );
}
