/**
 * The one definition of a line ending that every reader shares: CRLF, LF, or a lone CR (old Mac
 * files, and files pasted together from several sources). Line N of a file is the Nth line ended by
 * any of the three, whatever the mix. The TXT/JSONL line reader (lines.ts) and the CSV framer
 * (csvRecords.ts) both split with it, and the framer hands csv-parse each record ended by a single
 * LF, so the parser never applies a definition of its own.
 *
 * Chunk boundaries: a CR that is the last byte of a chunk ends its line at once; when the next chunk
 * starts with LF, that LF is the second half of the same CRLF and ends nothing (see `continuesCrlf`).
 */
export const LF = 0x0a;
export const CR = 0x0d;

/** Whether the byte is the first byte of a line ending (an LF that completes a CRLF is not). */
export function isLineBreak(b: number): boolean {
  return b === LF || b === CR;
}

/** Bytes taken by the line ending that starts at `i`: 2 for CRLF inside `buf`, else 1. */
export function endingLength(buf: Uint8Array, i: number): number {
  return buf[i] === CR && i + 1 < buf.length && buf[i + 1] === LF ? 2 : 1;
}

/**
 * Whether `buf` starts with the LF of a CRLF whose CR ended the previous chunk: the reader skips that
 * byte instead of counting a second (empty) line.
 */
export function continuesCrlf(previousEndedWithCr: boolean, buf: Uint8Array): boolean {
  return previousEndedWithCr && buf.length > 0 && buf[0] === LF;
}

/**
 * Finds line endings in one chunk, in order. It remembers the next CR and the next LF, so a chunk
 * with no CR at all costs one extra `indexOf`, and a walk over every line stays linear.
 */
export class LineBreakFinder {
  private buf: Buffer = Buffer.alloc(0);
  private nextLf = -1;
  private nextCr = -1;

  reset(buf: Buffer): void {
    this.buf = buf;
    this.nextLf = buf.indexOf(LF);
    this.nextCr = buf.indexOf(CR);
  }

  /** Whether the chunk holds a CR anywhere at or after `from`. */
  hasCrFrom(from: number): boolean {
    return this.advanceCr(from) !== -1;
  }

  /** Index of the first line ending at or after `from`, or -1. */
  next(from: number): number {
    const lf = this.advanceLf(from);
    const cr = this.advanceCr(from);
    if (lf === -1) return cr;
    if (cr === -1) return lf;
    return Math.min(lf, cr);
  }

  /** Index of the first byte of the last line ending in the chunk, or -1. */
  last(): number {
    const lf = this.buf.lastIndexOf(LF);
    const cr = this.buf.lastIndexOf(CR);
    // An LF right after a CR is the tail of that CRLF: the ending starts at the CR.
    if (lf > cr) return lf > 0 && this.buf[lf - 1] === CR ? lf - 1 : lf;
    return cr;
  }

  private advanceLf(from: number): number {
    if (this.nextLf !== -1 && this.nextLf < from) this.nextLf = this.buf.indexOf(LF, from);
    return this.nextLf;
  }

  private advanceCr(from: number): number {
    if (this.nextCr !== -1 && this.nextCr < from) this.nextCr = this.buf.indexOf(CR, from);
    return this.nextCr;
  }
}

/** Splits decoded text on the same three endings (used where a region is decoded in one go). */
export const lineBreakPattern = /\r\n|\r|\n/;
