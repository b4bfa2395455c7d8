// The IP payload demultiplexer (tcpdump print-ip-demux.c): AH is walked, IP-in-IP, GRE and VXLAN tunnels recurse
// with the outer header kept as a note, IPComp is noted, TCP is decoded. Other protocols are left to the renderer.

import { be16 } from './bytes.js';
import { addNote, setProblem } from './common.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import type { AhNote, IpcompNote, TruncNote } from './notes.js';
import type { IpInfo, Packet } from './packet.js';
import { decodeTcp } from './tcp.js';
import { decodeGre, decodeVxlan, enterTunnel } from './tunnels.js';

export const IpProto = {
  HOPOPTS: 0,
  ICMP: 1,
  IPV4: 4,
  TCP: 6,
  UDP: 17,
  DCCP: 33,
  IPV6: 41,
  GRE: 47,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
  MOBILITY_OLD: 62,
  IPCOMP: 108,
  SCTP: 132,
  MOBILITY: 135,
} as const;

/** The AH fields before the ICV: next header, length, reserved, SPI, sequence number (RFC 4302 §2). */
export const AH_FIXED_BYTES = 12;

function trunc(packet: Packet, protocol: string): void {
  const note: TruncNote = { kind: 'trunc', protocol, afterIpWord: false };
  addNote(packet, note);
  setProblem(packet, 'truncated', protocol, `capture ends inside the ${protocol} header`);
}

/**
 * Decodes the payload of `ip` starting at `off` with next protocol `nh`. `length` is the payload length the
 * IP header gives (tcpdump keeps it unsigned; an AH longer than it wraps, as in tcpdump).
 */
export function demuxIp(
  packet: Packet, ip: IpInfo, nh: number, off: number, length: number, capEnd: number, depth: number,
): void {
  const data = packet.record.data;
  for (;;) {
    ip.protocol = nh;
    ip.payloadLen = length;
    switch (nh) {
      case IpProto.AH: {
        // RFC 4302 §2.2: the payload length is in 4-byte words, minus 2.
        if (off >= capEnd) return trunc(packet, 'ah');
        const next = data[off];
        const ahLen = off + 1 < capEnd ? (data[off + 1] + 2) * 4 : 0;
        // print-ah.c reads the sequence number (bytes 8 to 12) whatever the length says: an AH of 8 bytes has its
        // "seq" read from the next header, and a capture ending before byte 12 ends the line there.
        const printedLen = Math.max(ahLen, AH_FIXED_BYTES);
        const note: AhNote = {
          kind: 'ah', header: data.subarray(off, Math.min(capEnd, ahLen > 0 ? off + printedLen : capEnd)), headerLen: ahLen,
        };
        addNote(packet, note);
        if (ahLen === 0 || off + printedLen > capEnd) {
          setProblem(packet, 'truncated', 'ah', 'capture ends inside the AH header');
          return;
        }
        off += ahLen;
        length = (length - ahLen) >>> 0;
        nh = next;
        continue;
      }
      case IpProto.TCP:
        decodeTcp(packet, off, length, capEnd);
        return;
      case IpProto.IPV4:
      case IpProto.IPV6: {
        if (!enterTunnel(packet, ip, depth)) return;
        if (nh === IpProto.IPV4) decodeIpv4(packet, off, length, capEnd, depth + 1);
        else decodeIpv6(packet, off, length, capEnd, depth + 1);
        return;
      }
      case IpProto.GRE:
        decodeGre(packet, ip, off, length, capEnd, depth);
        return;
      case IpProto.UDP:
        decodeVxlan(packet, ip, off, length, capEnd, depth);
        return;
      case IpProto.IPCOMP: {
        const cpi = be16(data, off + 2, capEnd);
        if (cpi < 0) return trunc(packet, 'ipcomp');
        const note: IpcompNote = { kind: 'ipcomp', cpi, nextHeader: data[off] };
        addNote(packet, note);
        setProblem(packet, 'unsupported', 'ip', 'IPComp payload is compressed');
        return;
      }
      default:
        return;
    }
  }
}
