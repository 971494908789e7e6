/**
 * Which rows of the pool have their vectors while the rest embeds in the background
 * (src/worker/poolEmbedder.ts): the session's pool is the embedded rows, a labeled row without its
 * vector does not train yet, and rows that arrive while a retrain scores the pool are scored again
 * by its head at the end. A pool without flags is embedded whole. The session owns one, made anew
 * with each pool.
 */
export class EmbeddedRows {
  private embedded: number;
  private arrived: number[] | undefined;

  /** `flags` (row -> 1 when embedded) is copied; undefined: all `rows` rows are embedded. */
  constructor(
    flags: Uint8Array | undefined,
    private readonly rows: number,
  ) {
    this.flags = flags?.slice();
    this.embedded = flags === undefined ? rows : flags.reduce((n, e) => n + (e === 1 ? 1 : 0), 0);
  }

  private readonly flags: Uint8Array | undefined;

  /** Marks these rows embedded; returns the ones that were not before. */
  add(rows: readonly number[]): number[] {
    const flags = this.flags;
    if (flags === undefined) return [];
    const added: number[] = [];
    for (const row of rows) {
      if (row < 0 || row >= flags.length || flags[row] === 1) continue;
      flags[row] = 1;
      added.push(row);
    }
    this.embedded += added.length;
    this.arrived?.push(...added);
    return added;
  }

  has(row: number): boolean {
    return this.flags === undefined ? row >= 0 && row < this.rows : this.flags[row] === 1;
  }

  /** Rows with their vector (labeled or not). */
  get count(): number {
    return this.embedded;
  }

  /** The rows to train on, or undefined when every row has its vector. */
  get filter(): ((row: number) => boolean) | undefined {
    const flags = this.flags;
    return flags === undefined ? undefined : (row) => flags[row] === 1;
  }

  /** A retrain starts scoring the pool: rows added from now on are collected. */
  watch(): void {
    this.arrived = [];
  }

  /** The rows added since `watch()`, and the watch ends. */
  arrivals(): number[] {
    const arrived = this.arrived ?? [];
    this.arrived = undefined;
    return arrived;
  }
}
