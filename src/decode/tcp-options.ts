// TCP options: kind numbers, the decode-time summary (MSS, window scale, SACK, timestamps) and a listing.
// Reads captured bytes only; a malformed or truncated option is reported, never thrown, and nothing after it is read.

import type { TcpHeader } from './packet.js';

/** Option kinds (IANA "TCP Option Kind Numbers"; the names tcpdump print-tcp.c gives them in comments). */
export const TcpOpt = {
  EOL: 0,
  NOP: 1,
  MSS: 2, // RFC 9293 §3.2
  WSCALE: 3, // RFC 7323 §2
  SACK_OK: 4, // RFC 2018
  SACK: 5, // RFC 2018
  ECHO: 6, // RFC 1072
  ECHO_REPLY: 7, // RFC 1072
  TIMESTAMP: 8, // RFC 7323 §3
  CC: 11, // RFC 1644
  CC_NEW: 12,
  CC_ECHO: 13,
  MD5: 19, // RFC 2385
  SCPS: 20, // CCSDS 714.0-B-2
  UTO: 28, // RFC 5482
  TCP_AO: 29, // RFC 5925
  MPTCP: 30, // RFC 8684
  FASTOPEN: 34, // RFC 7413
  EXPERIMENT2: 254, // RFC 6994 (0xf989 = TFO before kind 34 was assigned)
} as const;

/** Summary outcome codes. */
export const OPTIONS_OK = 0;
export const OPTIONS_TRUNCATED = 1;
export const OPTIONS_MALFORMED = 2;

/** Fixed data lengths (after kind and length) of the options the summary reads. */
function expectedDataLen(kind: number): number {
  switch (kind) {
    case TcpOpt.MSS: return 2;
    case TcpOpt.WSCALE: return 1;
    case TcpOpt.SACK_OK: return 0;
    case TcpOpt.TIMESTAMP: return 8;
    default: return -1;
  }
}

function be32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/**
 * Fills tcp.mss / windowScale / sackPermitted / tsVal / tsEcr / sackBlocks from the option bytes
 * data[start, end) (the captured part), walking them the RFC 9293 §3.1 way (skip by the length byte).
 * `declaredLen` is headerLen - 20. Returns OPTIONS_OK, OPTIONS_TRUNCATED (the capture ends inside the options)
 * or OPTIONS_MALFORMED.
 */
export function readTcpOptionSummary(tcp: TcpHeader, data: Uint8Array, start: number, end: number, declaredLen: number): number {
  const avail = end - start;
  let i = 0;
  while (i < declaredLen) {
    if (i >= avail) return OPTIONS_TRUNCATED;
    const kind = data[start + i];
    if (kind === TcpOpt.EOL) return OPTIONS_OK;
    if (kind === TcpOpt.NOP) {
      i++;
      continue;
    }
    if (i + 1 >= avail) return i + 1 >= declaredLen ? OPTIONS_MALFORMED : OPTIONS_TRUNCATED;
    const len = data[start + i + 1];
    if (len < 2 || i + len > declaredLen) return OPTIONS_MALFORMED;
    const expected = expectedDataLen(kind);
    if (expected >= 0 && len !== expected + 2) return OPTIONS_MALFORMED;
    if (i + len > avail) return OPTIONS_TRUNCATED;
    const d = start + i + 2;
    switch (kind) {
      case TcpOpt.MSS:
        tcp.mss = (data[d] << 8) | data[d + 1];
        break;
      case TcpOpt.WSCALE:
        tcp.windowScale = data[d];
        break;
      case TcpOpt.SACK_OK:
        tcp.sackPermitted = true;
        break;
      case TcpOpt.TIMESTAMP:
        tcp.tsVal = be32(data, d);
        tcp.tsEcr = be32(data, d + 4);
        break;
      case TcpOpt.SACK: {
        if ((len - 2) % 8 !== 0) return OPTIONS_MALFORMED;
        const blocks: number[] = [];
        for (let b = d; b < start + i + len; b += 4) blocks.push(be32(data, b));
        tcp.sackBlocks = blocks;
        break;
      }
      default:
        break;
    }
    i += len;
  }
  return OPTIONS_OK;
}

/**
 * Whether Wireshark 4.0's option dissectors would throw on these options (a "[Malformed Packet]"): packet-tcp.c then
 * stops before it adds the analysis flags to the tree, so tshark shows none for the packet although the analysis
 * ran. Found by running tshark 4.0.17 over every option kind and length the rules below name (a generated capture
 * of 1,000 retransmissions, one per option variant), and over options cut by the snapshot length. Options are
 * walked as packet-tcp.c does. A length below 2 ends the walk without a throw. These throw:
 * - a kind, length or option byte the capture does not hold;
 * - an EOL when the capture ends before the header does (the padding is one item), an option running past the
 *   header when it ends more than two bytes before (its expert item spans the rest of the options but two bytes);
 * - SACK (RFC 2018) of length 2 to 9: the first block's edges are read;
 * - MPTCP (RFC 8684) of length 2; of length 3 for MP_CAPABLE, DSS, ADD_ADDR and subtype 8; MP_FAIL and
 *   MP_FASTCLOSE shorter than 12; DSS shorter than its flags need (4, + 4 or 8 of data ACK when A, + 4 or 8 of
 *   data sequence number, 4 of subflow sequence number and 2 of data-level length when M).
 * `data[start, start + declaredLen)` are the option bytes the header declares; only `capturedLen` of them exist
 * (negative when the capture ends before the options).
 */
export function wiresharkOptionThrows(data: Uint8Array, start: number, declaredLen: number, capturedLen: number): boolean {
  return wiresharkOptionWalk(data, start, declaredLen, capturedLen) === OPTION_WALK_THROWS;
}

/** wiresharkOptionWalk's result when a dissector throws. */
export const OPTION_WALK_THROWS = -1;

/**
 * The walk of wiresharkOptionThrows: OPTION_WALK_THROWS, or else the MPTCP option types the options carry as
 * packet-tcp.c's mp_operations counts them, one bit per RFC 8684 subtype 0 (MP_CAPABLE) to 7 (MP_FASTCLOSE); tshark
 * 4.0.17 counted none for MP_TCPRST (8), subtypes 9 to 14 and MP_EXPERIMENTAL (15).
 */
export function wiresharkOptionWalk(data: Uint8Array, start: number, declaredLen: number, capturedLen: number): number {
  const cut = capturedLen < declaredLen;
  let mptcpOps = 0;
  let i = 0;
  while (i < declaredLen) {
    if (i >= capturedLen) return OPTION_WALK_THROWS;
    const kind = data[start + i];
    if (kind === TcpOpt.EOL) return cut ? OPTION_WALK_THROWS : mptcpOps;
    if (kind === TcpOpt.NOP) {
      i++;
      continue;
    }
    // A kind in the last byte of the header: no room for its length, the walk ends (the byte itself was captured).
    if (i + 1 >= declaredLen) return mptcpOps;
    if (i + 1 >= capturedLen) return OPTION_WALK_THROWS;
    const len = data[start + i + 1];
    if (len < 2) return mptcpOps;
    // "Option goes past end of options": an item over the rest of the options but their last two bytes.
    if (i + len > declaredLen) return capturedLen < declaredLen - 2 ? OPTION_WALK_THROWS : mptcpOps;
    if (i + len > capturedLen) return OPTION_WALK_THROWS;
    if (kind === TcpOpt.SACK && len < 10) return OPTION_WALK_THROWS;
    if (kind === TcpOpt.MPTCP) {
      if (len < 3) return OPTION_WALK_THROWS;
      const subtype = data[start + i + 2] >> 4;
      if (len === 3 && (subtype === 0 || subtype === 2 || subtype === 3 || subtype === 8)) return OPTION_WALK_THROWS;
      if ((subtype === 6 || subtype === 7) && len < 12) return OPTION_WALK_THROWS;
      if (subtype === 2 && len >= 4) {
        const f = data[start + i + 3];
        let need = 4;
        if (f & 0x01) need += f & 0x02 ? 8 : 4;
        if (f & 0x04) need += (f & 0x08 ? 8 : 4) + 4 + 2;
        if (len < need) return OPTION_WALK_THROWS;
      }
      if (subtype <= 7) mptcpOps |= 1 << subtype;
    }
    i += len;
  }
  return mptcpOps;
}

/** One option as listed by listTcpOptions. */
export interface TcpOption {
  kind: number;
  /** The length byte (1 for EOL and NOP). */
  len: number;
  /** The option's data bytes that were captured (a view; shorter than len - 2 when truncated). */
  data: Uint8Array;
}

/** Lists the options (allocates; for reports and tests, not the per-packet path). Stops at EOL, at a
 *  malformed length, or where the capture ends. */
export function listTcpOptions(options: Uint8Array, declaredLen: number): TcpOption[] {
  const out: TcpOption[] = [];
  let i = 0;
  while (i < declaredLen && i < options.length) {
    const kind = options[i];
    if (kind === TcpOpt.EOL || kind === TcpOpt.NOP) {
      out.push({ kind, len: 1, data: options.subarray(i + 1, i + 1) });
      i++;
      if (kind === TcpOpt.EOL) break;
      continue;
    }
    if (i + 1 >= options.length) break;
    const len = options[i + 1];
    if (len < 2 || i + len > declaredLen) break;
    out.push({ kind, len, data: options.subarray(i + 2, Math.min(i + len, options.length)) });
    i += len;
  }
  return out;
}
