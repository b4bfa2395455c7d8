// IpInfo and TcpHeader implementations whose byte views (addresses, options, payload) are made on first read:
// a subarray costs about 100 ns, so a packet nobody looks into costs none. They never copy bytes.

import type { IpInfo, TcpHeader } from './packet.js';

const EMPTY_BYTES = new Uint8Array(0);

/** An IP header's facts; `src` and `dst` are views of the record's bytes, made when first read. */
export class DecodedIp implements IpInfo {
  private srcView: Uint8Array | null = null;
  private dstView: Uint8Array | null = null;

  constructor(
    /** The record's bytes, which hold the addresses at srcOffset and dstOffset. */
    readonly bytes: Uint8Array,
    public version: 4 | 6,
    public headerOffset: number,
    public headerLen: number,
    public payloadLen: number,
    public protocol: number,
    public ttl: number,
    public id: number,
    public fragOffset: number,
    public moreFragments: boolean,
    public lengthField: number,
    public wireLen: number,
    public capEnd: number,
    public tos: number,
    public dontFragment: boolean,
    public headerProtocol: number,
    public noteIndex: number,
  ) {}

  /** Offset of the source address in record.data (IPv4 +12, IPv6 +8). */
  get srcOffset(): number {
    return this.headerOffset + (this.version === 4 ? 12 : 8);
  }

  /** Offset of the destination address in record.data (IPv4 +16, IPv6 +24). */
  get dstOffset(): number {
    return this.headerOffset + (this.version === 4 ? 16 : 24);
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

  constructor(
    private readonly bytes: Uint8Array,
    public srcPort: number,
    public dstPort: number,
    public offset: number,
    public capturedLen: number,
    public segmentLen: number,
  ) {}

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
