// The ", options [...]" part of a TCP packet line, written to a LineOut and walked exactly as tcpdump 4.99.3
// print-tcp.c walks it (its option names, its length checks, its "[bad opt]" and "[|tcp]" endings, MPTCP per
// print-mptcp.c).
// Formatting only: relative SACK edges come from the caller's TcpdumpSeq view; nothing here tracks state.

import { TcpOpt } from '../decode/tcp-options.js';
import { formatIpv4, formatIpv6 } from './packet-line-addr.js';
import { hexBytes } from './packet-line-link.js';
import type { LineOut } from './line-out.js';

const TH_SYN = 0x02;
const TH_ACK = 0x10;

/** tcpdump's tcp_option_values; anything else prints as "unknown-N". */
const OPTION_NAMES: Record<number, string> = {
  0: 'eol', 1: 'nop', 2: 'mss', 3: 'wscale', 4: 'sackOK', 5: 'sack', 6: 'echo', 7: 'echoreply', 8: 'TS', 11: 'cc',
  12: 'ccnew', 13: '', 19: 'md5', 20: 'scps', 28: 'uto', 29: 'tcp-ao', 30: 'mptcp', 34: 'tfo', 254: 'exp',
};

/** How the options ended; one shared instance, read it before the next call. */
export interface OptionsEnd {
  /** True when tcpdump stops the line inside the options ("[bad opt]", " [|tcp]"). */
  terminal: boolean;
  /** tcpdump's current printer name afterwards: an MPTCP option leaves it at "mptcp", so a later cut in the
   *  same packet reads " [|mptcp]". */
  protocol: string;
}

const result: OptionsEnd = { terminal: false, protocol: 'tcp' };

export interface OptionsInput {
  data: Uint8Array;
  /** Offset of the first option byte in data. */
  start: number;
  /** headerLen - 20. */
  declaredLen: number;
  /** Where the captured segment ends in data. */
  snapEnd: number;
  /** TCP flag byte. */
  flags: number;
  /** Payload length on the wire (tcpdump's `length` after the header is subtracted). */
  payloadLen: number;
  /** Offset of the payload in data (header end). */
  payloadStart: number;
  /** What the TcpdumpSeq view subtracts from SACK edges. */
  sackBase: number;
}

function be16(d: Uint8Array, i: number): number {
  return (d[i] << 8) | d[i + 1];
}

function be32(d: Uint8Array, i: number): number {
  return ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0;
}

function be64Hex(d: Uint8Array, i: number): string {
  const hi = be32(d, i);
  const lo = be32(d, i + 4);
  return hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, '0');
}

function be64Dec(d: Uint8Array, i: number): string {
  return ((BigInt(be32(d, i)) << 32n) | BigInt(be32(d, i + 4))).toString();
}

/** print-tcp.c print_tcp_fastopen_option (RFC 7413 §4.1.1). */
function fastOpen(d: Uint8Array, cp: number, dataLen: number, experimental: boolean): string {
  let s = experimental ? 'tfo' : '';
  if (dataLen === 0) return `${s} cookiereq`;
  if (dataLen % 2 !== 0 || dataLen < 4 || dataLen > 16) return `${s} (invalid)`;
  s += ` cookie ${hexBytes(d, cp, cp + dataLen)}`;
  return s;
}

const MPTCP_SUBTYPES = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'unknown'];
const ADD_ADDR_ECHO: Record<number, string> = { 6: 'v0-ip6', 4: 'v0-ip4', 1: 'v1-echo', 0: 'v1' };

/** print-mptcp.c (RFC 8684 §3): the text after "mptcp"; `ok` false where tcpdump then reports "[bad opt]". */
function mptcpText(d: Uint8Array, opt: number, len: number, flags: number): { text: string; ok: boolean } {
  if (len < 3) return { text: '', ok: false };
  const subtype = Math.min(d[opt + 2] >> 4, 8);
  const head = ` ${len} ${MPTCP_SUBTYPES[subtype]}`;
  partialText = '';
  const body = mptcpSubtype(d, opt, len, flags, subtype);
  return body === null ? { text: head + partialText, ok: false } : { text: head + body, ok: true };
}

/**
 * What a subtype printer had printed when it gave up: tcpdump prints as it goes, so its "[bad opt]" follows the
 * fields already shown (print-mptcp.c dss_print: " fin", " ack N", " seq N" before a length check fails).
 */
let partialText = '';

function dssFailed(printed: string): null {
  partialText = printed;
  return null;
}

/** The subtype printers; null when tcpdump's printer returns 0 (length or flags do not fit the subtype). */
function mptcpSubtype(d: Uint8Array, opt: number, len: number, flags: number, subtype: number): string | null {
  let s = '';
  switch (subtype) {
    case 0: { // MP_CAPABLE
      if (!(((len === 12 || len === 4) && flags & TH_SYN) || ((len === 20 || len === 22) && (flags & (TH_SYN | TH_ACK)) === TH_ACK))) {
        return null;
      }
      const version = d[opt + 2] & 0xf;
      if (version > 1) return `${s} Unknown Version (${version})`;
      s += ` v${version}`;
      if (d[opt + 3] & 0x80) s += ' csum';
      if (len === 12 || len >= 20) {
        s += ` {0x${be64Hex(d, opt + 4)}`;
        if (len >= 20) s += `,0x${be64Hex(d, opt + 12)}`;
        s += '}';
      }
      return s;
    }
    case 1: { // MP_JOIN
      if (!((len === 12 && flags & TH_SYN) || (len === 16 && (flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)) || (len === 24 && flags & TH_ACK))) {
        return null;
      }
      if (len !== 24) {
        if (d[opt + 2] & 1) s += ' backup';
        s += ` id ${d[opt + 3]}`;
      }
      if (len === 12) s += ` token 0x${be32(d, opt + 4).toString(16)} nonce 0x${be32(d, opt + 8).toString(16)}`;
      else if (len === 16) s += ` hmac 0x${be64Hex(d, opt + 4)} nonce 0x${be32(d, opt + 12).toString(16)}`;
      else s += ` hmac 0x${hexBytes(d, opt + 4, opt + 24)}`;
      return s;
    }
    case 2: { // DSS
      if (len < 4 || flags & TH_SYN) return null;
      const f = d[opt + 3];
      if (f & 0x10) s += ' fin';
      let p = opt + 4;
      let left = len - 4;
      if (f & 0x01) {
        s += ' ack ';
        if (f & 0x02) {
          if (left < 8) return dssFailed(s);
          s += be64Dec(d, p);
          p += 8;
          left -= 8;
        } else {
          if (left < 4) return dssFailed(s);
          s += be32(d, p);
          p += 4;
          left -= 4;
        }
      }
      if (f & 0x04) {
        s += ' seq ';
        if (f & 0x08) {
          if (left < 8) return dssFailed(s);
          s += be64Dec(d, p);
          p += 8;
          left -= 8;
        } else {
          if (left < 4) return dssFailed(s);
          s += be32(d, p);
          p += 4;
          left -= 4;
        }
        if (left < 4) return dssFailed(s);
        s += ` subseq ${be32(d, p)}`;
        p += 4;
        left -= 4;
        if (left < 2) return dssFailed(s);
        s += ` len ${be16(d, p)}`;
        p += 2;
        left -= 2;
        if (left >= 2) {
          s += ` csum 0x${be16(d, p).toString(16)}`;
          left -= 2;
        }
      }
      return left !== 0 ? dssFailed(s) : s;
    }
    case 3: { // ADD_ADDR
      if (![8, 10, 16, 18, 20, 22, 28, 30].includes(len)) return null;
      s += ` ${ADD_ADDR_ECHO[d[opt + 2] & 0xf] ?? '[bad version/echo]'} id ${d[opt + 3]}`;
      if (len <= 18) {
        s += ` ${formatIpv4(d, opt + 4)}`;
        if (len === 10 || len === 18) s += `:${be16(d, opt + 8)}`;
        if (len === 16) s += ` hmac 0x${be64Hex(d, opt + 8)}`;
        if (len === 18) s += ` hmac 0x${be64Hex(d, opt + 10)}`;
      } else {
        s += ` ${formatIpv6(d, opt + 4)}`;
        if (len === 22 || len === 30) s += `:${be16(d, opt + 20)}`;
        if (len === 28) s += ` hmac 0x${be64Hex(d, opt + 20)}`;
        if (len === 30) s += ` hmac 0x${be64Hex(d, opt + 22)}`;
      }
      return s;
    }
    case 4: { // REMOVE_ADDR
      if (len < 4) return null;
      s += ' id';
      for (let i = 0; i < len - 3; i++) s += ` ${d[opt + 3 + i]}`;
      return s;
    }
    case 5: // MP_PRIO
      if (len !== 3 && len !== 4) return null;
      s += d[opt + 2] & 1 ? ' backup' : ' non-backup';
      if (len === 4) s += ` id ${d[opt + 3]}`;
      return s;
    case 6: // MP_FAIL
      if (len !== 12) return null;
      return `${s} seq ${be64Dec(d, opt + 4)}`;
    case 7: // MP_FASTCLOSE
      if (len !== 12) return null;
      return `${s} key 0x${be64Hex(d, opt + 4)}`;
    default:
      return s;
  }
}

/** tcpdump's LENCHECK(l): 0 when l more bytes are declared and captured, 1 when not declared ("[bad opt]"),
 *  2 when not captured (" [|tcp]>"). */
function lenCheck(l: number, hlen: number, cp: number, snap: number): number {
  return l > hlen ? 1 : cp + l > snap ? 2 : 0;
}

const ENDED_OK = 0;
const ENDED_BAD = 1;
const ENDED_TRUNC_LABEL = 2;
const ENDED_TRUNC_JUMP = 3;

/**
 * Formats ", options [...]" as tcpdump does. tcpdump advances by the amount each option's printer consumed
 * (not by the length byte) and flags a mismatch with "[len N]"; both are reproduced.
 */
export function writeTcpOptions(o: LineOut, input: OptionsInput): OptionsEnd {
  const d = input.data;
  const snap = input.snapEnd;
  let hlen = input.declaredLen;
  let cp = input.start;
  o.ascii(', options [');
  let sep = false;
  let protocol = 'tcp';
  let ended = ENDED_OK;
  let check = 0;
  walk: while (hlen > 0) {
    if (sep) o.ascii(',');
    if (cp >= snap) {
      ended = ENDED_TRUNC_JUMP;
      break;
    }
    const opt = d[cp++];
    let len: number;
    if (opt === TcpOpt.EOL || opt === TcpOpt.NOP) len = 1;
    else {
      if (cp >= snap) {
        ended = ENDED_TRUNC_JUMP;
        break;
      }
      len = d[cp++];
      if (len < 2 || len > hlen) {
        ended = ENDED_BAD;
        break;
      }
      hlen--;
    }
    hlen--;
    o.ascii(OPTION_NAMES[opt] ?? `unknown-${opt}`);
    let dataLen = 0;
    switch (opt) {
      case TcpOpt.MSS:
        dataLen = 2;
        if ((check = lenCheck(2, hlen, cp, snap)) !== 0) break walk;
        o.ascii(' ');
        o.uint(be16(d, cp));
        break;
      case TcpOpt.WSCALE:
        dataLen = 1;
        if ((check = lenCheck(1, hlen, cp, snap)) !== 0) break walk;
        o.ascii(' ');
        o.uint(d[cp]!);
        break;
      case TcpOpt.SACK:
        dataLen = len - 2;
        if (dataLen % 8 !== 0) o.ascii(' invalid sack');
        else {
          o.ascii(' ');
          o.uint(dataLen / 8);
          o.ascii(' ');
          for (let i = 0; i < dataLen; i += 8) {
            if ((check = lenCheck(i + 4, hlen, cp, snap)) !== 0) break walk;
            const left = (be32(d, cp + i) - input.sackBase) >>> 0;
            if ((check = lenCheck(i + 8, hlen, cp, snap)) !== 0) break walk;
            const right = (be32(d, cp + i + 4) - input.sackBase) >>> 0;
            o.ascii('{');
            o.uint(left);
            o.ascii(':');
            o.uint(right);
            o.ascii('}');
          }
        }
        break;
      case TcpOpt.CC:
      case TcpOpt.CC_NEW:
      case TcpOpt.CC_ECHO:
      case TcpOpt.ECHO:
      case TcpOpt.ECHO_REPLY:
        dataLen = 4;
        if ((check = lenCheck(4, hlen, cp, snap)) !== 0) break walk;
        o.ascii(' ');
        o.uint(be32(d, cp));
        break;
      case TcpOpt.TIMESTAMP:
        dataLen = 8;
        if ((check = lenCheck(8, hlen, cp, snap)) !== 0) break walk;
        o.ascii(' val ');
        o.uint(be32(d, cp));
        o.ascii(' ecr ');
        o.uint(be32(d, cp + 4));
        break;
      case TcpOpt.MD5:
        // tcpdump built with OpenSSL tries to verify (RFC 2385) and, without -M, says why it cannot.
        dataLen = 16;
        if ((check = lenCheck(16, hlen, cp, snap)) !== 0) break walk;
        o.ascii(input.payloadStart + input.payloadLen > snap
          ? ' snaplen too short, '
          : ' shared secret not supplied with -M, ');
        o.ascii(`can't check - ${hexBytes(d, cp, cp + 16)}`);
        break;
      case TcpOpt.SCPS:
        dataLen = 2;
        if ((check = lenCheck(2, hlen, cp, snap)) !== 0) break walk;
        o.ascii(` cap ${hexBytes(d, cp, cp + 1)} id ${d[cp + 1]}`);
        break;
      case TcpOpt.TCP_AO:
        dataLen = len - 2;
        if (dataLen < 2) o.ascii(' (invalid)');
        else {
          if ((check = lenCheck(1, hlen, cp, snap)) !== 0) break walk;
          o.ascii(` keyid ${d[cp]}`);
          if ((check = lenCheck(2, hlen, cp, snap)) !== 0) break walk;
          o.ascii(` rnextkeyid ${d[cp + 1]}`);
          if (dataLen > 2) {
            o.ascii(' mac 0x');
            for (let i = 2; i < dataLen; i++) {
              if ((check = lenCheck(i + 1, hlen, cp, snap)) !== 0) break walk;
              o.ascii(hexBytes(d, cp + i, cp + i + 1));
            }
          }
        }
        break;
      case TcpOpt.EOL:
      case TcpOpt.NOP:
      case TcpOpt.SACK_OK:
        break;
      case TcpOpt.UTO: {
        dataLen = 2;
        if ((check = lenCheck(2, hlen, cp, snap)) !== 0) break walk;
        const raw = be16(d, cp);
        // RFC 5482 §3: the low bit selects minutes (1) or seconds (0) for the 15-bit timeout.
        o.ascii(` 0x${raw.toString(16)} ${raw & 1 ? (raw >> 1) * 60 : raw >> 1}`);
        break;
      }
      case TcpOpt.MPTCP: {
        dataLen = len - 2;
        if ((check = lenCheck(dataLen, hlen, cp, snap)) !== 0) break walk;
        protocol = 'mptcp';
        const mp = mptcpText(d, cp - 2, len, input.flags);
        o.ascii(mp.text);
        if (!mp.ok) {
          check = 1;
          break walk;
        }
        break;
      }
      case TcpOpt.FASTOPEN:
        dataLen = len - 2;
        if ((check = lenCheck(dataLen, hlen, cp, snap)) !== 0) break walk;
        o.ascii(` ${fastOpen(d, cp, dataLen, false)}`);
        break;
      case TcpOpt.EXPERIMENT2: {
        dataLen = len - 2;
        if ((check = lenCheck(dataLen, hlen, cp, snap)) !== 0) break walk;
        if (dataLen < 2) {
          check = 1;
          break walk;
        }
        const magic = be16(d, cp);
        o.ascii('-');
        // RFC 6994 experiment id 0xf989: TCP Fast Open before kind 34 (RFC 7413 §4.1.1).
        o.ascii(magic === 0xf989 ? fastOpen(d, cp + 2, dataLen - 2, true) : magic.toString(16).padStart(4, '0'));
        break;
      }
      default:
        dataLen = len - 2;
        if (dataLen) o.ascii(' 0x');
        for (let i = 0; i < dataLen; i++) {
          if ((check = lenCheck(i + 1, hlen, cp, snap)) !== 0) break walk;
          o.ascii(hexBytes(d, cp + i, cp + i + 1));
        }
        break;
    }
    cp += dataLen;
    hlen -= dataLen;
    let consumed = dataLen + 1;
    if (opt !== TcpOpt.EOL && opt !== TcpOpt.NOP) consumed++;
    if (consumed !== len) o.ascii(`[len ${len}]`);
    sep = true;
    if (opt === TcpOpt.EOL) break;
  }
  // A LENCHECK failure inside an option sets `check`; the loop-level endings set `ended`.
  if (ended === ENDED_OK && check !== 0) ended = check === 1 ? ENDED_BAD : ENDED_TRUNC_LABEL;
  result.protocol = protocol;
  result.terminal = ended !== ENDED_OK;
  switch (ended) {
    case ENDED_BAD:
      // print-tcp.c `bad:` "[bad opt]", and "]" once an option has been printed in full.
      o.ascii(sep ? '[bad opt]]' : '[bad opt]');
      break;
    case ENDED_TRUNC_LABEL:
      // print-tcp.c `trunc:` (ND_TCHECK inside an option): " [|proto]", then ">" after a first option.
      o.ascii(` [|${protocol}]${sep ? '>' : ''}`);
      break;
    case ENDED_TRUNC_JUMP:
      // A GET_ macro failing (type or length byte not captured) abandons the printer: " [|proto]" alone.
      o.ascii(` [|${protocol}]`);
      break;
    default:
      o.ascii(']');
      break;
  }
  return result;
}
