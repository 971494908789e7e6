/**
 * The protocol the webview shares with the host: domain schemas, page messages, validation and the
 * display rules both sides use. The host <-> worker half is in ./engine (never in the webview).
 */
export * from './domain';
export * from './page';
export * from './parse';
export * from './keys';
export * from './evaluationText';
export { assertUnreachable } from '../assert';
