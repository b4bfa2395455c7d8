// A closed connection's HTTP exchanges, packed while its report waits (AnalyzerOptions.reportAfterCloseSec): numbers
// in one Float64Array, strings in one array, and unpacked into the very objects exportExchange gives at the report.
// Storage only: the values are computed by exchange.ts (exportExchange, computeOrder); nothing is decided here.

import { computeOrder, spanUs, type ExchangeRec } from './exchange.js';
import type { Mark } from './parser.js';
import type { BodyFraming, HttpExchange, MessageState, RequestOrder } from './types.js';

/*
 * Why: the benchmark capture's NDJSON kept about 14,000 exchanges of 2,700 closed connections waiting for their
 * report at any time (heap snapshot): as HttpExchange objects, about 570 bytes each (the object of 41 fields, four
 * mark objects, two arrays), 72,000 objects and 8 MB; packed, 26 numbers and 19 string slots, about 290 bytes. Peak
 * RSS of `--format ndjson` 166 -> 159 MB (interleaved runs, medians of 4), time unchanged (8.28 -> 8.24 s).
 * Writing the records straight from the packed store, with no object made, was tried: no faster than
 * JSON.stringify of the unpacked objects (8.50 against 8.38 s), so the objects are made at the report.
 */

// Numbers, in slots of NUMBERS_PER_EXCHANGE. NaN stands for null (none of these is ever NaN when present).
const N_INDEX = 0;
const N_STATUS = 1;
const N_REQUEST_HEADER_FIELDS = 2;
const N_REQUEST_HEADER_BYTES = 3;
const N_REQUEST_BODY_BYTES = 4;
const N_REQUEST_BODY_MISSING_BYTES = 5;
const N_RESPONSE_HEADER_FIELDS = 6;
const N_RESPONSE_HEADER_BYTES = 7;
const N_RESPONSE_BODY_BYTES = 8;
const N_RESPONSE_BODY_MISSING_BYTES = 9;
/** Four marks (request start and end, response start and end), three numbers each: frame, tsSec, tsNsec. */
const N_MARKS = 10;
const N_TIME_TO_FIRST_BYTE_US = 22;
const N_TOTAL_US = 23;
const N_PIPELINE_DEPTH = 24;
const N_EXPECT_CONTINUE = 25;
const NUMBERS_PER_EXCHANGE = 26;

// Strings, in slots of STRINGS_PER_EXCHANGE.
const S_METHOD = 0;
const S_TARGET = 1;
const S_REQUEST_VERSION = 2;
const S_REASON = 3;
const S_RESPONSE_VERSION = 4;
const S_REQUEST_CONNECTION = 5;
const S_REQUEST_KEEP_ALIVE = 6;
const S_RESPONSE_CONNECTION = 7;
const S_RESPONSE_KEEP_ALIVE = 8;
const S_HOST = 9;
const S_REQUEST_CONTENT_TYPE = 10;
const S_RESPONSE_CONTENT_TYPE = 11;
const S_REQUEST_UPGRADE = 12;
const S_RESPONSE_UPGRADE = 13;
const S_REQUEST_STATE = 14;
const S_RESPONSE_STATE = 15;
const S_REQUEST_FRAMING = 16;
const S_RESPONSE_FRAMING = 17;
const S_ORDER = 18;
const STRINGS_PER_EXCHANGE = 19;

export class PackedExchanges {
  readonly length: number;
  private readonly numbers: Float64Array;
  private readonly strings: (string | null)[];
  /** Interim statuses and notes by exchange position, for the few exchanges that have any; null when none has. */
  private readonly extras: Map<number, { interim: readonly number[]; notes: readonly string[] }> | null;

  /** Packs the exchanges as exportExchange would export them after computeOrder (HttpConnection.exchanges()). */
  constructor(recs: readonly ExchangeRec[]) {
    const { order, depth } = computeOrder(recs);
    const n = recs.length;
    this.length = n;
    const nums = new Float64Array(n * NUMBERS_PER_EXCHANGE);
    const strs: (string | null)[] = new Array<string | null>(n * STRINGS_PER_EXCHANGE);
    let extras: Map<number, { interim: readonly number[]; notes: readonly string[] }> | null = null;
    for (let i = 0; i < n; i++) {
      const ex = recs[i]!;
      const a = i * NUMBERS_PER_EXCHANGE;
      nums[a + N_INDEX] = ex.index;
      nums[a + N_STATUS] = ex.status ?? NaN;
      nums[a + N_REQUEST_HEADER_FIELDS] = ex.requestHeaderFields;
      nums[a + N_REQUEST_HEADER_BYTES] = ex.requestHeaderBytes;
      nums[a + N_REQUEST_BODY_BYTES] = ex.requestBodyBytes;
      nums[a + N_REQUEST_BODY_MISSING_BYTES] = ex.requestBodyMissingBytes;
      nums[a + N_RESPONSE_HEADER_FIELDS] = ex.responseHeaderFields;
      nums[a + N_RESPONSE_HEADER_BYTES] = ex.responseHeaderBytes;
      nums[a + N_RESPONSE_BODY_BYTES] = ex.responseBodyBytes;
      nums[a + N_RESPONSE_BODY_MISSING_BYTES] = ex.responseBodyMissingBytes;
      packMark(nums, a + N_MARKS, ex.requestStart);
      packMark(nums, a + N_MARKS + 3, ex.requestEnd);
      packMark(nums, a + N_MARKS + 6, ex.responseStart);
      packMark(nums, a + N_MARKS + 9, ex.responseEnd);
      // As exportExchange computes them.
      nums[a + N_TIME_TO_FIRST_BYTE_US] = spanUs(ex.requestStart, ex.responseStart) ?? NaN;
      nums[a + N_TOTAL_US] = ex.responseState === 'complete' ? spanUs(ex.requestStart, ex.responseEnd) ?? NaN : NaN;
      nums[a + N_PIPELINE_DEPTH] = depth[i]!;
      nums[a + N_EXPECT_CONTINUE] = ex.expectContinue ? 1 : 0;
      const s = i * STRINGS_PER_EXCHANGE;
      strs[s + S_METHOD] = ex.method;
      strs[s + S_TARGET] = ex.target;
      strs[s + S_REQUEST_VERSION] = ex.requestVersion;
      strs[s + S_REASON] = ex.reason;
      strs[s + S_RESPONSE_VERSION] = ex.responseVersion;
      strs[s + S_REQUEST_CONNECTION] = ex.requestConnection;
      strs[s + S_REQUEST_KEEP_ALIVE] = ex.requestKeepAlive;
      strs[s + S_RESPONSE_CONNECTION] = ex.responseConnection;
      strs[s + S_RESPONSE_KEEP_ALIVE] = ex.responseKeepAlive;
      strs[s + S_HOST] = ex.host;
      strs[s + S_REQUEST_CONTENT_TYPE] = ex.requestContentType;
      strs[s + S_RESPONSE_CONTENT_TYPE] = ex.responseContentType;
      strs[s + S_REQUEST_UPGRADE] = ex.requestUpgrade;
      strs[s + S_RESPONSE_UPGRADE] = ex.responseUpgrade;
      strs[s + S_REQUEST_STATE] = ex.requestState;
      strs[s + S_RESPONSE_STATE] = ex.responseState;
      strs[s + S_REQUEST_FRAMING] = ex.requestFraming;
      strs[s + S_RESPONSE_FRAMING] = ex.responseFraming;
      strs[s + S_ORDER] = order[i]!;
      if (ex.interim.length > 0 || ex.notes.length > 0) {
        extras ??= new Map();
        extras.set(i, { interim: ex.interim.slice(), notes: ex.notes.slice() });
      }
    }
    this.numbers = nums;
    this.strings = strs;
    this.extras = extras;
  }

  /** Every exchange as exportExchange gives it: the same keys in the same order, the same values. */
  unpack(): HttpExchange[] {
    const out = new Array<HttpExchange>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.exchange(i);
    return out;
  }

  /** Exchange i (0-based) as a new object, keys in exportExchange's order. */
  exchange(i: number): HttpExchange {
    const nums = this.numbers;
    const strs = this.strings;
    const a = i * NUMBERS_PER_EXCHANGE;
    const s = i * STRINGS_PER_EXCHANGE;
    const order = strs[s + S_ORDER] as RequestOrder | null;
    const extra = this.extras?.get(i);
    return {
      index: nums[a + N_INDEX]!,
      method: strs[s + S_METHOD] ?? null,
      target: strs[s + S_TARGET] ?? null,
      requestVersion: strs[s + S_REQUEST_VERSION] ?? null,
      status: orNull(nums[a + N_STATUS]!),
      reason: strs[s + S_REASON] ?? null,
      responseVersion: strs[s + S_RESPONSE_VERSION] ?? null,
      requestConnection: strs[s + S_REQUEST_CONNECTION] ?? null,
      requestKeepAlive: strs[s + S_REQUEST_KEEP_ALIVE] ?? null,
      responseConnection: strs[s + S_RESPONSE_CONNECTION] ?? null,
      responseKeepAlive: strs[s + S_RESPONSE_KEEP_ALIVE] ?? null,
      host: strs[s + S_HOST] ?? null,
      requestContentType: strs[s + S_REQUEST_CONTENT_TYPE] ?? null,
      responseContentType: strs[s + S_RESPONSE_CONTENT_TYPE] ?? null,
      requestUpgrade: strs[s + S_REQUEST_UPGRADE] ?? null,
      responseUpgrade: strs[s + S_RESPONSE_UPGRADE] ?? null,
      expectContinue: nums[a + N_EXPECT_CONTINUE] === 1,
      requestState: strs[s + S_REQUEST_STATE] as MessageState,
      responseState: strs[s + S_RESPONSE_STATE] as MessageState,
      requestHeaderFields: nums[a + N_REQUEST_HEADER_FIELDS]!,
      requestHeaderBytes: nums[a + N_REQUEST_HEADER_BYTES]!,
      requestFraming: strs[s + S_REQUEST_FRAMING] as BodyFraming | null,
      requestBodyBytes: nums[a + N_REQUEST_BODY_BYTES]!,
      requestBodyMissingBytes: nums[a + N_REQUEST_BODY_MISSING_BYTES]!,
      responseHeaderFields: nums[a + N_RESPONSE_HEADER_FIELDS]!,
      responseHeaderBytes: nums[a + N_RESPONSE_HEADER_BYTES]!,
      responseFraming: strs[s + S_RESPONSE_FRAMING] as BodyFraming | null,
      responseBodyBytes: nums[a + N_RESPONSE_BODY_BYTES]!,
      responseBodyMissingBytes: nums[a + N_RESPONSE_BODY_MISSING_BYTES]!,
      requestStart: this.mark(a + N_MARKS),
      requestEnd: this.mark(a + N_MARKS + 3),
      responseStart: this.mark(a + N_MARKS + 6),
      responseEnd: this.mark(a + N_MARKS + 9),
      timeToFirstByteUs: orNull(nums[a + N_TIME_TO_FIRST_BYTE_US]!),
      totalUs: orNull(nums[a + N_TOTAL_US]!),
      order,
      pipelined: order === 'pipelined',
      pipelineDepth: nums[a + N_PIPELINE_DEPTH]!,
      interim: extra === undefined ? [] : extra.interim.slice(),
      notes: extra === undefined ? [] : extra.notes.slice(),
    };
  }

  private mark(at: number): HttpExchange['requestStart'] {
    const frame = this.numbers[at]!;
    return Number.isNaN(frame) ? null : { frame, tsSec: this.numbers[at + 1]!, tsNsec: this.numbers[at + 2]! };
  }
}

function orNull(n: number): number | null {
  return Number.isNaN(n) ? null : n;
}

function packMark(nums: Float64Array, at: number, mark: Mark | null): void {
  nums[at] = mark === null ? NaN : mark.frame;
  nums[at + 1] = mark === null ? NaN : mark.tsSec;
  nums[at + 2] = mark === null ? NaN : mark.tsNsec;
}

