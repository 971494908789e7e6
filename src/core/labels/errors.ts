/** Errors of the label log. The host turns them into messages; core never shows UI. */
import { ActiveLabelError } from '../errors';

/** The log could not be opened, written or read (permissions, full disk, closed log). */
export class LabelLogError extends ActiveLabelError {}

/**
 * An append found the log replaced or removed outside Active Label, and the owner (through
 * `onReplaced`) cancelled it: nothing was written, nothing is acknowledged.
 */
export class LabelLogChangedError extends LabelLogError {
  constructor(
    message: string,
    readonly change: 'replaced' | 'removed',
  ) {
    super(message);
  }
}
