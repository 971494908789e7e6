/**
 * Suspected label errors as diagnostic records, one per line an item is on: what the Problems
 * panel shows (`Labeled "sports" but the model predicts "business" (0.94)`) and what its quick
 * fixes need. Pure, so the host only turns records into vscode.Diagnostic objects, and a refresh
 * replaces a file's diagnostics only when its records changed (no flicker, no churn).
 */
import type { LineItemMap } from './lineItems';
import { formatProbability, suspectShown, type HumanLabel, type Suspect } from './itemView';

export interface DiagnosticRecord {
  /** Zero-based lines of the item's record. */
  readonly line: number;
  readonly endLine: number;
  readonly itemId: string;
  readonly message: string;
  readonly given: string;
  readonly suggested: string;
  readonly score: number;
  readonly suggestedProb: number;
}

/** Diagnostics for the suspects that are shown (see `suspectShown`), in line order. */
export function suspectDiagnostics(
  map: LineItemMap,
  suspects: ReadonlyMap<string, Suspect>,
  humanOf: (itemId: string) => HumanLabel | undefined,
): DiagnosticRecord[] {
  if (suspects.size === 0) return [];
  const out: DiagnosticRecord[] = [];
  for (const it of map.items) {
    const suspect = suspects.get(it.itemId);
    if (suspect === undefined || !suspectShown(suspect, humanOf(it.itemId))) continue;
    out.push({
      line: it.line,
      endLine: it.endLine,
      itemId: it.itemId,
      message: suspectMessage(suspect),
      given: suspect.given,
      suggested: suspect.suggested,
      score: suspect.score,
      suggestedProb: suspect.suggestedProb,
    });
  }
  return out;
}

export function suspectMessage(s: Suspect): string {
  return `Labeled ${JSON.stringify(s.given)} but the model predicts ${JSON.stringify(s.suggested)} (${formatProbability(s.suggestedProb)})`;
}

/**
 * A fingerprint of a file's records: equal fingerprints mean the Problems panel already shows
 * exactly these, so the host leaves the file alone. Scores are rounded as shown.
 */
export function diagnosticsFingerprint(records: readonly DiagnosticRecord[]): string {
  return records.map((r) => `${r.line}:${r.endLine}:${r.itemId}:${r.message}`).join('\n');
}
