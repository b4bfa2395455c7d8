// TCP header decoding (RFC 9293 §3.1): ports, numbers, header length, all flags, option summary, payload view.
// Fills packet.tcp from captured bytes; contradictions become problems, never exceptions; the payload is never copied.

import { be16, be32 } from './bytes.js';
import { setProblem } from './common.js';
import type { Packet } from './packet.js';
import { takeTcp } from './views.js';
import { OPTIONS_MALFORMED, OPTIONS_TRUNCATED, readTcpOptionSummary } from './tcp-options.js';

/** The fixed part of the TCP header (RFC 9293 §3.1). */
export const TCP_MIN_HEADER_LEN = 20;
/** Ports, sequence and acknowledgement numbers, data offset, flags and window: the fields before the checksum. */
export const TCP_FIELDS_TO_WINDOW = 16;

/**
 * Decodes the TCP header at `off`. `segmentLen` is the transport length the IP layer gives (header + data;
 * an unsigned 32-bit value, as tcpdump keeps it); `capEnd` is where the captured datagram ends.
 * Leaves packet.tcp null when not even the two ports were captured.
 */
export function decodeTcp(packet: Packet, off: number, segmentLen: number, capEnd: number): void {
  const data = packet.record.data;
  const captured = capEnd > off ? capEnd - off : 0;
  if (captured < 4) {
    setProblem(packet, 'truncated', 'tcp', 'capture ends before the TCP ports');
    return;
  }
  const tcp = takeTcp().set(data, be16(data, off, capEnd), be16(data, off + 2, capEnd), off, captured, segmentLen);
  packet.tcp = tcp;
  if (captured >= 13) tcp.headerLen = (data[off + 12] >> 4) * 4;
  if (captured < TCP_MIN_HEADER_LEN) {
    if (captured >= TCP_FIELDS_TO_WINDOW) {
      // packet-tcp.c reads the numbers, flags and window before the checksum (bytes 16-17) it fails on: Wireshark
      // tracks and analyses such a segment (its tcp.stream, the first RTT), though it shows none of its flags.
      tcp.seq = be32(data, off + 4, capEnd);
      tcp.ack = be32(data, off + 8, capEnd);
      tcp.flags = data[off + 13] | ((data[off + 12] & 1) << 8);
      tcp.window = be16(data, off + 14, capEnd);
      if (tcp.headerLen >= TCP_MIN_HEADER_LEN && tcp.headerLen <= segmentLen) tcp.payloadLen = segmentLen - tcp.headerLen;
    }
    setProblem(packet, 'truncated', 'tcp', `capture ends ${captured} bytes into the TCP header`);
    return;
  }
  tcp.seq = be32(data, off + 4, capEnd);
  tcp.ack = be32(data, off + 8, capEnd);
  // Data offset in the high nibble of byte 12; the AE (ex-NS, RFC 3540) bit in its low bit (RFC 9293 §3.1).
  tcp.flags = data[off + 13] | ((data[off + 12] & 1) << 8);
  tcp.window = be16(data, off + 14, capEnd);
  tcp.checksum = be16(data, off + 16, capEnd);
  tcp.urgentPtr = be16(data, off + 18, capEnd);
  const headerLen = tcp.headerLen;
  if (headerLen < TCP_MIN_HEADER_LEN) {
    setProblem(packet, 'invalid', 'tcp', `header length ${headerLen} is below 20`);
    return;
  }
  if (headerLen > segmentLen) {
    setProblem(packet, 'invalid', 'tcp', `header length ${headerLen} exceeds the segment length ${segmentLen}`);
    return;
  }
  tcp.payloadLen = segmentLen - headerLen;
  const headerEnd = Math.min(off + headerLen, capEnd);
  if (headerLen > TCP_MIN_HEADER_LEN) {
    tcp.optionsStart = off + TCP_MIN_HEADER_LEN;
    tcp.optionsEnd = headerEnd;
    const outcome = readTcpOptionSummary(tcp, data, tcp.optionsStart, headerEnd, headerLen - TCP_MIN_HEADER_LEN);
    if (outcome === OPTIONS_TRUNCATED) setProblem(packet, 'truncated', 'tcp-options', 'capture ends inside the options');
    else if (outcome === OPTIONS_MALFORMED) setProblem(packet, 'invalid', 'tcp-options', 'an option length is malformed');
  }
  tcp.payloadStart = headerEnd;
  tcp.payloadEnd = capEnd > headerEnd ? capEnd : headerEnd;
  if (captured < headerLen) setProblem(packet, 'truncated', 'tcp', 'capture ends inside the TCP header');
  else if (tcp.payloadEnd - tcp.payloadStart < tcp.payloadLen) setProblem(packet, 'truncated', 'tcp', 'capture ends inside the payload');
}
