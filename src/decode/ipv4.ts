// IPv4 header decoding (RFC 791): addresses, lengths, fragments, and the hand-off to the transport demux.
// Follows tcpdump print-ip.c's order of checks so the renderer can word each case; never throws.

import { be16 } from './bytes.js';
import { addNote, setProblem } from './common.js';
import { demuxIp } from './ip-demux.js';
import type { IpVersionNote, TruncNote } from './notes.js';
import type { Packet } from './packet.js';
import { takeIp } from './views.js';

export const IPV4_MIN_HEADER_LEN = 20;

/** Decodes the IPv4 datagram at `off`; `wireLen` is tcpdump's `length` (bytes on the wire from here). */
export function decodeIpv4(
  packet: Packet, off: number, wireLen: number, capEnd: number, depth: number,
): void {
  const data = packet.record.data;
  if (off >= capEnd || off >= data.length) {
    const note: TruncNote = { kind: 'trunc', protocol: 'ip', afterIpWord: false };
    addNote(packet, note);
    setProblem(packet, 'truncated', 'ip', 'capture ends before the IP header');
    return;
  }
  const version = data[off] >> 4;
  if (version !== 4) {
    const note: IpVersionNote = { kind: 'ip-version', expected: 4, version, offset: off };
    addNote(packet, note);
    setProblem(packet, 'invalid', 'ip', `IP version ${version} where IPv4 was announced`);
    return;
  }
  if (capEnd - off < IPV4_MIN_HEADER_LEN) {
    const note: TruncNote = { kind: 'trunc', protocol: 'ip', afterIpWord: true, headerOffset: off };
    addNote(packet, note);
    setProblem(packet, 'truncated', 'ip', 'capture ends inside the IPv4 header');
    return;
  }
  const headerLen = (data[off] & 0x0f) * 4;
  const totalLen = be16(data, off + 2, capEnd);
  const fragField = be16(data, off + 6, capEnd);
  const protocol = data[off + 9];
  const ip = takeIp().set(
    data, 4, off, headerLen, 0, protocol, data[off + 8], be16(data, off + 4, capEnd), (fragField & 0x1fff) * 8,
    (fragField & 0x2000) !== 0, totalLen, wireLen, capEnd, data[off + 1], (fragField & 0x4000) !== 0, protocol,
    packet.linkNotes.length,
  );
  packet.ip = ip;
  if (wireLen < IPV4_MIN_HEADER_LEN) {
    setProblem(packet, 'invalid', 'ip', `frame holds ${wireLen} bytes, less than an IPv4 header`);
    return;
  }
  if (headerLen < IPV4_MIN_HEADER_LEN) {
    setProblem(packet, 'invalid', 'ip', `IHL gives a ${headerLen}-byte header`);
    return;
  }
  if (wireLen < totalLen) setProblem(packet, 'truncated', 'ip', `${totalLen - wireLen} bytes of the datagram are missing`);
  let datagramLen = totalLen;
  if (totalLen === 0 && wireLen >= headerLen) {
    // A total length of 0 is what TSO / BIG TCP sends look like when captured before segmentation. tcpdump 4.99.3
    // (built without GUESS_TSO) prints "bad-len 0" and stops, and the packet line copies that; Wireshark's
    // packet-ip.c takes the frame's length instead and analyses the TCP inside, and so does the analysis here.
    setProblem(packet, 'invalid', 'ip', 'total length 0 (TSO/BIG TCP send): length taken from the frame, as Wireshark does');
    datagramLen = wireLen;
  } else if (totalLen < headerLen) {
    // tcpdump prints "bad-len" here.
    setProblem(packet, 'invalid', 'ip', `total length ${totalLen} is below the header length ${headerLen}`);
    return;
  }
  // The datagram ends at its total length: Ethernet padding is not payload (tcpdump nd_push_snaplen).
  if (off + datagramLen < capEnd) ip.capEnd = off + datagramLen;
  ip.payloadLen = datagramLen - headerLen;
  if (ip.fragOffset > 0) return;
  if (ip.capEnd - off < headerLen) {
    setProblem(packet, 'truncated', 'ip', 'capture ends inside the IPv4 options');
    return;
  }
  demuxIp(packet, ip, protocol, off + headerLen, ip.payloadLen, ip.capEnd, depth);
}
