import { ActiveLabelError } from '../errors';

/**
 * A dataset file that cannot be read at all: unknown format, binary content, missing file.
 * Single bad rows are never thrown; they are reported as `RowProblem`s and the rest loads.
 */
export class DatasetError extends ActiveLabelError {
  constructor(
    message: string,
    /** The file the error is about, so the host can offer "Open file". */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
