import type { ErrorKind } from '../shared/protocol/domain';

/** A failure of `start`, with the kind that tells the host which actions to offer. */
export class InitError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
  ) {
    super(message);
  }
}
