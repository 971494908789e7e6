/**
 * From the annotator's label names to the model's classes and training targets, per label mode.
 *
 * - single: one class per label, in the configured order; labels met in the log or the file that
 *   the configuration does not name are appended, so imported data is never silently dropped.
 * - binary: Prodigy-style accept/reject for one label. Classes are [label, "not label"]; any other
 *   stored label (e.g. an imported "0") counts as a reject.
 * - multi: one sigmoid per label; an item's targets are a 0/1 row.
 */
import type { Targets } from '../model/types';
import type { LabelMode } from '../types';

/** The class name a binary-mode reject is stored under in the label log and exports. */
export function binaryRejectLabel(label: string): string {
  return `not ${label}`;
}

export class ClassMap {
  private readonly classList: string[];
  private readonly index = new Map<string, number>();

  constructor(
    readonly mode: LabelMode,
    labels: readonly string[],
  ) {
    if (labels.length === 0) throw new RangeError('at least one label is needed');
    if (mode === 'binary') {
      const label = labels[0] as string;
      this.classList = [label, binaryRejectLabel(label)];
    } else {
      this.classList = [...new Set(labels)];
    }
    this.classList.forEach((c, i) => this.index.set(c, i));
  }

  get classes(): readonly string[] {
    return this.classList;
  }

  /** Adds labels seen in the data (single/multi only); returns true when the class list grew. */
  observe(labels: readonly string[]): boolean {
    if (this.mode === 'binary') return false;
    let grew = false;
    for (const l of labels) {
      if (this.index.has(l)) continue;
      this.index.set(l, this.classList.length);
      this.classList.push(l);
      grew = true;
    }
    return grew;
  }

  /** Single/binary: the class index of an item's stored labels (first known label wins). */
  classOf(labels: readonly string[]): number {
    if (this.mode === 'binary') return labels.includes(this.classList[0] as string) ? 0 : 1;
    for (const l of labels) {
      const i = this.index.get(l);
      if (i !== undefined) return i;
    }
    return -1;
  }

  /** Multi: writes an item's 0/1 row into `out` at `offset`. */
  fillRow(labels: readonly string[], out: Uint8Array, offset: number): void {
    for (const l of labels) {
      const i = this.index.get(l);
      if (i !== undefined) out[offset + i] = 1;
    }
  }

  /** Training targets for rows whose stored labels are `labelsPerRow`. */
  targets(labelsPerRow: readonly (readonly string[])[]): Targets {
    if (this.mode === 'multi') {
      const k = this.classList.length;
      const y = new Uint8Array(labelsPerRow.length * k);
      labelsPerRow.forEach((labels, r) => this.fillRow(labels, y, r * k));
      return { kind: 'multi', y };
    }
    return { kind: 'single', y: Int32Array.from(labelsPerRow, (labels) => this.classOf(labels)) };
  }

  /** Labels a binary-mode message may carry as a reject, normalized to the stored class name. */
  normalize(labels: readonly string[]): string[] {
    if (this.mode !== 'binary') return [...new Set(labels)];
    const accept = this.classList[0] as string;
    return [labels.includes(accept) ? accept : (this.classList[1] as string)];
  }

  /** How many distinct classes have at least one example among these targets. */
  static classesPresent(targets: Targets, classCount: number): number {
    if (targets.kind === 'single') return new Set(targets.y).size;
    let present = 0;
    for (let c = 0; c < classCount; c++) {
      for (let r = c; r < targets.y.length; r += classCount) {
        if (targets.y[r] === 1) {
          present++;
          break;
        }
      }
    }
    return present;
  }
}
