// IpInfo and TcpHeader implementations whose byte views (addresses, options, payload) are made on first read:
// a subarray costs about 100 ns, so a packet nobody looks into costs none. They never copy bytes. A PacketDecoder
// lends one of each to the next decode (takeIp/takeTcp), so a caller that consumes packets one by one allocates none.

import type { IpInfo, TcpHeader } from './packet.js';

const EMPTY_BYTES = new Uint8Array(0);

/** An IP header's facts; `src` and `dst` are views of the record's bytes, made when first read. */
export class DecodedIp implements IpInfo {
  private srcView: Uint8Array | null = null;
  private dstView: Uint8Array | null = null;
  /** The record's bytes, which hold the addresses at srcOffset and dstOffset. */
  bytes: Uint8Array = EMPTY_BYTES;
  version: 4 | 6 = 4;
  headerOffset = 0;
  headerLen = 0;
  payloadLen = 0;
  protocol = 0;
  ttl = 0;
  id = 0;
  fragOffset = 0;
  moreFragments = false;
  lengthField = 0;
  wireLen = 0;
  capEnd = 0;
  tos = 0;
  dontFragment = false;
  headerProtocol = 0;
  noteIndex = 0;
  /** IPv6 with a routing header that still has segments to visit: offset of the final destination, else -1. */
  finalDstOffset = -1;

  /** Sets every field (a fresh or a reused object alike) and forgets the views of the previous packet. */
  set(
    bytes: Uint8Array, version: 4 | 6, headerOffset: number, headerLen: number, payloadLen: number, protocol: number,
    ttl: number, id: number, fragOffset: number, moreFragments: boolean, lengthField: number, wireLen: number,
    capEnd: number, tos: number, dontFragment: boolean, headerProtocol: number, noteIndex: number,
  ): this {
    this.srcView = null;
    this.dstView = null;
    this.bytes = bytes;
    this.version = version;
    this.headerOffset = headerOffset;
    this.headerLen = headerLen;
    this.payloadLen = payloadLen;
    this.protocol = protocol;
    this.ttl = ttl;
    this.id = id;
    this.fragOffset = fragOffset;
    this.moreFragments = moreFragments;
    this.lengthField = lengthField;
    this.wireLen = wireLen;
    this.capEnd = capEnd;
    this.tos = tos;
    this.dontFragment = dontFragment;
    this.headerProtocol = headerProtocol;
    this.noteIndex = noteIndex;
    this.finalDstOffset = -1;
    return this;
  }

  /** Offset of the source address in record.data (IPv4 +12, IPv6 +8). */
  get srcOffset(): number {
    return this.headerOffset + (this.version === 4 ? 12 : 8);
  }

  /**
   * Offset of the destination address in record.data (IPv4 +16, IPv6 +24), or of the final destination named by an
   * IPv6 routing header with segments left (finalDstOffset): the connection's address, as Wireshark's conversation
   * takes it. Packet lines print the header's own address, as tcpdump does (they read it at its offset).
   */
  get dstOffset(): number {
    return this.finalDstOffset >= 0 ? this.finalDstOffset : this.headerOffset + (this.version === 4 ? 16 : 24);
  }

  get src(): Uint8Array {
    if (this.srcView === null) {
      const at = this.srcOffset;
      this.srcView = this.bytes.subarray(at, at + (this.version === 4 ? 4 : 16));
    }
    return this.srcView;
  }

  set src(view: Uint8Array) {
    this.srcView = view;
  }

  get dst(): Uint8Array {
    if (this.dstView === null) {
      const at = this.dstOffset;
      this.dstView = this.bytes.subarray(at, at + (this.version === 4 ? 4 : 16));
    }
    return this.dstView;
  }

  set dst(view: Uint8Array) {
    this.dstView = view;
  }

  /** Plain-data form (JSON.stringify does not see prototype getters). */
  toJSON(): IpInfo {
    return {
      version: this.version, src: this.src, dst: this.dst, headerOffset: this.headerOffset, headerLen: this.headerLen,
      payloadLen: this.payloadLen, protocol: this.protocol, ttl: this.ttl, id: this.id, fragOffset: this.fragOffset,
      moreFragments: this.moreFragments, lengthField: this.lengthField, wireLen: this.wireLen, capEnd: this.capEnd,
      tos: this.tos, dontFragment: this.dontFragment, headerProtocol: this.headerProtocol, noteIndex: this.noteIndex,
    };
  }
}

/** A TCP header's facts; `options` and `payload` are views of the record's bytes, made when first read. */
export class DecodedTcp implements TcpHeader {
  private bytes: Uint8Array = EMPTY_BYTES;
  srcPort = 0;
  dstPort = 0;
  offset = 0;
  capturedLen = 0;
  segmentLen = 0;
  seq = 0;
  ack = 0;
  headerLen = 0;
  flags = 0;
  window = 0;
  checksum = 0;
  urgentPtr = 0;
  payloadLen = 0;
  mss = -1;
  windowScale = -1;
  sackPermitted = false;
  tsVal = -1;
  tsEcr = -1;
  sackBlocks: number[] | null = null;
  /** Where the captured options start and end, and the captured payload starts and ends, in record.data. */
  optionsStart = 0;
  optionsEnd = 0;
  payloadStart = 0;
  payloadEnd = 0;
  private optionsView: Uint8Array | null = null;
  private payloadView: Uint8Array | null = null;

  /** Sets the fields read first and resets every other one (a fresh or a reused object alike). */
  set(bytes: Uint8Array, srcPort: number, dstPort: number, offset: number, capturedLen: number, segmentLen: number): this {
    this.bytes = bytes;
    this.srcPort = srcPort;
    this.dstPort = dstPort;
    this.offset = offset;
    this.capturedLen = capturedLen;
    this.segmentLen = segmentLen;
    this.seq = 0;
    this.ack = 0;
    this.headerLen = 0;
    this.flags = 0;
    this.window = 0;
    this.checksum = 0;
    this.urgentPtr = 0;
    this.payloadLen = 0;
    this.mss = -1;
    this.windowScale = -1;
    this.sackPermitted = false;
    this.tsVal = -1;
    this.tsEcr = -1;
    this.sackBlocks = null;
    this.optionsStart = 0;
    this.optionsEnd = 0;
    this.payloadStart = 0;
    this.payloadEnd = 0;
    this.optionsView = null;
    this.payloadView = null;
    return this;
  }

  get options(): Uint8Array {
    if (this.optionsView === null) {
      this.optionsView = this.optionsEnd > this.optionsStart ? this.bytes.subarray(this.optionsStart, this.optionsEnd) : EMPTY_BYTES;
    }
    return this.optionsView;
  }

  set options(view: Uint8Array) {
    this.optionsView = view;
  }

  get payload(): Uint8Array {
    if (this.payloadView === null) {
      this.payloadView = this.payloadEnd > this.payloadStart ? this.bytes.subarray(this.payloadStart, this.payloadEnd) : EMPTY_BYTES;
    }
    return this.payloadView;
  }

  set payload(view: Uint8Array) {
    this.payloadView = view;
  }

  /** Plain-data form (JSON.stringify does not see prototype getters). */
  toJSON(): TcpHeader {
    return {
      srcPort: this.srcPort, dstPort: this.dstPort, seq: this.seq, ack: this.ack, headerLen: this.headerLen,
      flags: this.flags, window: this.window, checksum: this.checksum, urgentPtr: this.urgentPtr, options: this.options,
      payload: this.payload, payloadLen: this.payloadLen, offset: this.offset, capturedLen: this.capturedLen,
      segmentLen: this.segmentLen, mss: this.mss, windowScale: this.windowScale, sackPermitted: this.sackPermitted,
      tsVal: this.tsVal, tsEcr: this.tsEcr, sackBlocks: this.sackBlocks,
    };
  }
}

/**
 * The objects a PacketDecoder lends to the decode under way: the first IP header and the TCP header decoded take
 * them (a tunnel's inner header then gets a fresh one, as the outer one is still described by a note). Module state
 * is safe here because a decode is synchronous and never re-entered; PacketDecoder clears the loan when it returns.
 */
let lentIp: DecodedIp | null = null;
let lentTcp: DecodedTcp | null = null;

/** @internal For PacketDecoder only: lends (or, with nulls, takes back) the objects the next decode fills. */
export function lendDecodeObjects(ip: DecodedIp | null, tcp: DecodedTcp | null): void {
  lentIp = ip;
  lentTcp = tcp;
}

/** A DecodedIp to fill: the lent one once, otherwise a new one. */
export function takeIp(): DecodedIp {
  const ip = lentIp;
  if (ip === null) return new DecodedIp();
  lentIp = null;
  return ip;
}

/** A DecodedTcp to fill: the lent one once, otherwise a new one. */
export function takeTcp(): DecodedTcp {
  const tcp = lentTcp;
  if (tcp === null) return new DecodedTcp();
  lentTcp = null;
  return tcp;
}
