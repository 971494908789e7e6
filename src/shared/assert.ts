/** For exhaustive switches: a case left unhandled fails to compile, and throws if reached at runtime. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
