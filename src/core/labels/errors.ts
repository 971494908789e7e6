/** Errors of the label log. The host turns them into messages; core never shows UI. */
import { ActiveLabelError } from '../errors';

/** The log could not be opened, written or read (permissions, full disk, closed log). */
export class LabelLogError extends ActiveLabelError {}
