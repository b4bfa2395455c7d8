// Public surface of the HTTP stage: the per-connection analyser, its result shapes and its annotation codes.
// Re-exports only; the parser, syntax helpers and exchange records stay internal.

export { HttpConnection } from './connection.js';
export type { HttpConnectionOptions } from './connection.js';
export { HttpCodes } from './codes.js';
export type { HttpCode } from './codes.js';
export type {
  BodyFraming, CloseKind, HttpEvent, HttpExchange, HttpMark, HttpMode, HttpSummary, MessageState, RequestOrder,
  TcpCloseFacts,
} from './types.js';
