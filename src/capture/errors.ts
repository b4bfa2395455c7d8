// The capture reader's two ways of reporting trouble: CaptureError for an unusable container, CaptureWarning for
// everything it can read past. No I/O and no formatting of packets here.

/** Stable codes of CaptureError (public API: the CLI maps them to exit codes, never rename one). */
export type CaptureErrorCode =
  /** The input has no bytes at all. */
  | 'E_EMPTY'
  /** The first bytes are neither a pcap nor a pcapng magic number. */
  | 'E_BAD_MAGIC'
  /** The input ends inside the pcap file header or the first pcapng Section Header Block. */
  | 'E_TRUNCATED_HEADER'
  /** A pcap major version other than 2 (or DG/UX 543), or a pcapng major version other than 1. */
  | 'E_UNSUPPORTED_VERSION'
  /** The container is damaged before its first record: impossible header, block or record length. */
  | 'E_BAD_BLOCK'
  /** The bytes could not be read at all (missing file, permission, I/O error). */
  | 'E_READ';

/**
 * An unusable capture container. `message` is one line: what is wrong, then what to do (undici style), so the CLI
 * can print it as is, without a stack trace.
 */
export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  readonly code: CaptureErrorCode;
  /** Byte offset in the input the problem was found at, when there is one. */
  readonly offset: number | undefined;

  constructor(code: CaptureErrorCode, message: string, options?: { offset?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.offset = options?.offset;
  }
}

/**
 * Something odd the reader read past (or stopped at, for 'capture.corrupt'). Codes are public API, like the
 * annotation codes: 'capture.truncated-record', 'capture.corrupt', 'capture.bad-timestamp',
 * 'capture.caplen-exceeds-origlen', 'capture.bad-option'.
 */
export interface CaptureWarning {
  code: CaptureWarningCodeName;
  /** The 1-based frame number the warning concerns; for a non-packet block, the number the next record gets. */
  frame: number;
  /** Byte offset in the input of the record or block concerned. */
  offset: number;
  /** One line a person can read. */
  message: string;
}

/** Warning codes the capture reader emits. */
export const CaptureWarningCode = {
  TRUNCATED_RECORD: 'capture.truncated-record',
  CORRUPT: 'capture.corrupt',
  BAD_TIMESTAMP: 'capture.bad-timestamp',
  CAPLEN_EXCEEDS_ORIGLEN: 'capture.caplen-exceeds-origlen',
  /** A classic pcap record longer than the file header's snapshot length: cut to it, as libpcap does. */
  BEYOND_SNAPLEN: 'capture.beyond-snaplen',
  BAD_OPTION: 'capture.bad-option',
} as const;

/** A capture warning's code: one of the values of CaptureWarningCode. */
export type CaptureWarningCodeName = (typeof CaptureWarningCode)[keyof typeof CaptureWarningCode];
