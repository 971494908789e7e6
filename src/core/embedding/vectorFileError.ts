/** A vector file that cannot be used as is; the message names `file:row` where one row is at fault. */
import { ActiveLabelError } from '../errors';

export class VectorFileError extends ActiveLabelError {
  constructor(
    message: string,
    readonly file: string,
    /** 1-based row (a JSONL file's line) at fault, when one is. */
    readonly row?: number,
  ) {
    super(message);
  }
}
