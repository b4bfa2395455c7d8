// The annotation codes the HTTP stage emits, under short names (all defined in Codes, src/types.ts).
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
  INCOMPLETE: Codes.HTTP_INCOMPLETE,
  RESYNC: Codes.HTTP_RESYNC,
  ROLES_INVERTED: Codes.HTTP_ROLES_INVERTED,
  BODY_GAP: Codes.HTTP_BODY_GAP,
  TLS_HELLO: Codes.TLS_HELLO,
  TLS_ALERT: Codes.TLS_ALERT,
  SSH_BANNER: Codes.SSH_BANNER,
} as const;

export type HttpCode = (typeof HttpCodes)[keyof typeof HttpCodes];
