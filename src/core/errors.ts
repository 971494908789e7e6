/**
 * The core's small error hierarchy. Core never shows UI: the host and the CLI catch these and turn
 * them into messages with an action. Folders add their own subclasses of `ActiveLabelError`.
 */

/** Base class, so callers can tell a domain failure from a programming error. */
export class ActiveLabelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Thrown when a long-running step (embedding, training) is cancelled through an AbortSignal. */
export class CancelledError extends ActiveLabelError {
  constructor(message = 'Cancelled.') {
    super(message);
  }
}

/** Throws `CancelledError` when the signal has fired; call it between units of work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
