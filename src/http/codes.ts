// Annotation codes the HTTP stage emits beyond Codes.HTTP_* in src/types.ts, plus the re-export of those it shares.
// Constants only: codes are public API (never rename one); no behaviour here.

import { Codes } from '../types.js';

export const HttpCodes = {
  REQUEST: Codes.HTTP_REQUEST,
  REQUEST_END: Codes.HTTP_REQUEST_END,
  RESPONSE: Codes.HTTP_RESPONSE,
  RESPONSE_END: Codes.HTTP_RESPONSE_END,
  PIPELINED: Codes.HTTP_PIPELINED,
  UPGRADE: Codes.HTTP_UPGRADE,
  STOPPED: Codes.HTTP_STOPPED,
  /** A message was cut short: its direction ended, or a gap or limit interrupted it, before its last byte. */
  INCOMPLETE: 'http.incomplete',
  /** Parsing of a direction found a message start again after lost or unparsable bytes. */
  RESYNC: 'http.resync',
  /** Requests travel TCP server→client: the TCP roles were inferred the wrong way round (mid-stream start). */
  ROLES_INVERTED: 'http.roles-inverted',
  /** Bytes missing inside a body of known length: skipped by length arithmetic, counted, parsing goes on. */
  BODY_GAP: 'http.body-gap',
} as const;

export type HttpCode = (typeof HttpCodes)[keyof typeof HttpCodes];
