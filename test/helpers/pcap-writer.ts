// Builds classic pcap and pcapng byte arrays from plain record descriptions, for tests and fixtures.
// Writes what it is told, valid or not (tests craft damaged files with it); it never reads or checks anything.

// Usage:
//   pcap([{ data, tsSec, tsFrac }], { le: false, nano: true })                    classic pcap, 24-byte header
//   pcapng([{ type: 'idb', tsresol: 9 }, { type: 'epb', ts: 1_700_000_000_123_456_789n, data }])
//   pcapngBlock(block, le) encodes one block, to splice damaged files together with concat().

/** One classic pcap record. Lengths default to the data length; set them to craft odd or damaged records. */
export interface PcapRecordSpec {
  data: Uint8Array | readonly number[];
  tsSec?: number;
  /** Sub-second field as stored: microseconds, or nanoseconds with `nano`. */
  tsFrac?: number;
  origLen?: number;
  /** The header's caplen field (default data.length); the data written is always `data`. */
  capLen?: number;
}

export interface PcapOptions {
  /** Little-endian (default true). */
  le?: boolean;
  /** Nanosecond magic a1b23c4d instead of a1b2c3d4. */
  nano?: boolean;
  /** Kuznetzov magic a1b2cd34 with 24-byte record headers (the extra 8 bytes are written as zeros). */
  modified?: boolean;
  /** Defaults: 2.4, snaplen 262144, LINKTYPE_ETHERNET. `linkType` is the whole 32-bit field (FCS bits included). */
  versionMajor?: number;
  versionMinor?: number;
  snapLen?: number;
  linkType?: number;
  /** Write caplen and len in the pre-2.3 order (len first). */
  swapLengths?: boolean;
}

/** A classic pcap file (draft-ietf-opsawg-pcap). */
export function pcap(records: readonly PcapRecordSpec[], opts: PcapOptions = {}): Uint8Array {
  const le = opts.le ?? true;
  const recHeaderLen = opts.modified ? 24 : 16;
  const parts: Uint8Array[] = [];
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  const magic = opts.modified ? 0xa1b2cd34 : opts.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  hv.setUint32(0, magic, le);
  hv.setUint16(4, opts.versionMajor ?? 2, le);
  hv.setUint16(6, opts.versionMinor ?? 4, le);
  hv.setUint32(16, opts.snapLen ?? 262144, le);
  hv.setUint32(20, opts.linkType ?? 1, le);
  parts.push(header);
  for (const rec of records) {
    const data = Uint8Array.from(rec.data);
    const h = new Uint8Array(recHeaderLen);
    const dv = new DataView(h.buffer);
    const capLen = rec.capLen ?? data.length;
    const origLen = rec.origLen ?? data.length;
    dv.setUint32(0, rec.tsSec ?? 0, le);
    dv.setUint32(4, rec.tsFrac ?? 0, le);
    dv.setUint32(8, opts.swapLengths ? origLen : capLen, le);
    dv.setUint32(12, opts.swapLengths ? capLen : origLen, le);
    parts.push(h, data);
  }
  return concatAll(parts);
}

/** A raw pcapng option: code, value (padded to 32 bits when written). */
export interface PcapngOption {
  code: number;
  value: Uint8Array | readonly number[];
}

export type PcapngBlockSpec =
  /** Section Header Block (§4.1): starts a section; its byte order applies to the blocks after it. */
  | { type: 'shb'; le?: boolean; versionMajor?: number; versionMinor?: number; options?: PcapngOption[] }
  /**
   * Interface Description Block (§4.2). `tsresol` is the raw if_tsresol byte (e.g. 9 for ns, 0x80 | 20 for 2^-20);
   * `tsoffset` is if_tsoffset in seconds. `options` are written after the named ones.
   */
  | {
      type: 'idb';
      linkType?: number;
      snapLen?: number;
      tsresol?: number;
      tsoffset?: bigint | number;
      name?: string;
      options?: PcapngOption[];
    }
  /** Enhanced Packet Block (§4.3): `ts` in units of the interface's resolution. */
  | { type: 'epb'; interfaceId?: number; ts?: bigint; data: Uint8Array | readonly number[]; origLen?: number; capLen?: number }
  /** Simple Packet Block (§4.4): the data written is `data`; `origLen` defaults to its length. */
  | { type: 'spb'; data: Uint8Array | readonly number[]; origLen?: number }
  /** Obsolete Packet Block (Appendix A). */
  | { type: 'pb'; interfaceId?: number; ts?: bigint; data: Uint8Array | readonly number[]; origLen?: number }
  /** Any other block (NRB 4, ISB 5, DSB 10, custom 0xbad...): written as type, length, body, length. */
  | { type: 'raw'; blockType: number; body?: Uint8Array | readonly number[] };

/** A pcapng file. A Section Header Block (little-endian) is added in front when the first block is not one. */
export function pcapng(blocks: readonly PcapngBlockSpec[]): Uint8Array {
  const all: readonly PcapngBlockSpec[] = blocks.length > 0 && blocks[0].type === 'shb' ? blocks : [{ type: 'shb' }, ...blocks];
  let le = true;
  const parts: Uint8Array[] = [];
  for (const block of all) {
    if (block.type === 'shb') le = block.le ?? true;
    parts.push(pcapngBlock(block, le));
  }
  return concat(...parts);
}

/** One pcapng block in the given byte order (an SHB uses its own `le`, default true). */
export function pcapngBlock(block: PcapngBlockSpec, le: boolean): Uint8Array {
  switch (block.type) {
    case 'shb': {
      const ownLe = block.le ?? true;
      const body = new Uint8Array(16);
      const dv = new DataView(body.buffer);
      dv.setUint32(0, 0x1a2b3c4d, ownLe);
      dv.setUint16(4, block.versionMajor ?? 1, ownLe);
      dv.setUint16(6, block.versionMinor ?? 0, ownLe);
      dv.setBigInt64(8, -1n, ownLe);
      return encodeBlock(0x0a0d0d0a, concat(body, encodeOptions(block.options ?? [], ownLe)), ownLe);
    }
    case 'idb': {
      const body = new Uint8Array(8);
      const dv = new DataView(body.buffer);
      dv.setUint16(0, block.linkType ?? 1, le);
      dv.setUint32(4, block.snapLen ?? 0, le);
      const options: PcapngOption[] = [];
      if (block.name !== undefined) options.push({ code: 2, value: new TextEncoder().encode(block.name) });
      if (block.tsresol !== undefined) options.push({ code: 9, value: [block.tsresol] });
      if (block.tsoffset !== undefined) {
        const value = new Uint8Array(8);
        new DataView(value.buffer).setBigInt64(0, BigInt(block.tsoffset), le);
        options.push({ code: 14, value });
      }
      options.push(...(block.options ?? []));
      return encodeBlock(1, concat(body, encodeOptions(options, le)), le);
    }
    case 'epb':
    case 'pb': {
      const data = Uint8Array.from(block.data);
      const head = new Uint8Array(20);
      const dv = new DataView(head.buffer);
      const ts = block.ts ?? 0n;
      if (block.type === 'epb') dv.setUint32(0, block.interfaceId ?? 0, le);
      else dv.setUint16(0, block.interfaceId ?? 0, le);
      dv.setUint32(4, Number((ts >> 32n) & 0xffffffffn), le);
      dv.setUint32(8, Number(ts & 0xffffffffn), le);
      dv.setUint32(12, (block.type === 'epb' ? block.capLen : undefined) ?? data.length, le);
      dv.setUint32(16, block.origLen ?? data.length, le);
      return encodeBlock(block.type === 'epb' ? 6 : 2, concat(head, pad4(data)), le);
    }
    case 'spb': {
      const data = Uint8Array.from(block.data);
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint32(0, block.origLen ?? data.length, le);
      return encodeBlock(3, concat(head, pad4(data)), le);
    }
    case 'raw':
      return encodeBlock(block.blockType, pad4(Uint8Array.from(block.body ?? [])), le);
  }
}

/** Concatenates byte arrays into a fresh one. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return concatAll(parts);
}

/** concat over a list: a capture of 100,000 records is too many arguments for a spread call. */
export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** §3.1 general block structure: type, total length, body, total length again. */
function encodeBlock(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, out.length, le);
  out.set(body, 8);
  dv.setUint32(out.length - 4, out.length, le);
  return out;
}

/** §3.5 options: code, length, value padded to 32 bits, ended by opt_endofopt (omitted when there are none). */
function encodeOptions(options: readonly PcapngOption[], le: boolean): Uint8Array {
  if (options.length === 0) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  for (const opt of options) {
    const value = Uint8Array.from(opt.value);
    const head = new Uint8Array(4);
    const dv = new DataView(head.buffer);
    dv.setUint16(0, opt.code, le);
    dv.setUint16(2, value.length, le);
    parts.push(head, pad4(value));
  }
  parts.push(new Uint8Array(4));
  return concat(...parts);
}

function pad4(bytes: Uint8Array): Uint8Array {
  const padded = new Uint8Array((bytes.length + 3) & ~3);
  padded.set(bytes);
  return padded;
}
