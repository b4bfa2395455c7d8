// pcapng (draft-ietf-opsawg-pcapng-02): sections, interfaces, EPB/SPB/obsolete PB packets, every other block skipped.
// Parses whole blocks inside one buffer; never buffers bytes itself (reader.ts does) and never copies packet data.

import { CaptureError, CaptureWarningCode } from './errors.js';
import { MAX_RECORD_BYTES, type CaptureInfo, type CaptureInterface, type CaptureState } from './state.js';
import type { CaptureRecord } from '../types.js';
import type { FormatParser } from './format.js';

/** §4.1: the SHB type reads the same in both byte orders, so a reader can find a section before knowing its order. */
export const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
/** Appendix A: the obsolete Packet Block, still written by old tools. */
const BT_PB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

/** §3.1: type, length, ..., length again: no block is shorter than 12 bytes. */
const BLOCK_MIN_LEN = 12;
/** Fixed part plus trailer of each block type we read (§4.1, §4.2, §4.3, §4.4, Appendix A). */
export const SHB_MIN_LEN = 28;
const IDB_MIN_LEN = 20;
const EPB_MIN_LEN = 32;
const SPB_MIN_LEN = 16;
/** EPB and PB packet data start 28 bytes into the block. */
const EPB_DATA_OFFSET = 28;
const SPB_DATA_OFFSET = 12;

/** §4.2 options of the IDB. */
const OPT_ENDOFOPT = 0;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/** How a 64-bit timestamp turns into seconds and nanoseconds for one interface. */
const TsKind = {
  /** 10^-k with k <= 9: exact double math below 2^52 units, 16-bit long division above. */
  Pow10: 0,
  /** 2^-k with k <= 20: exact double math below 2^52 units, BigInt above. */
  Pow2: 1,
  /** Anything finer: BigInt always. */
  Big: 2,
} as const;
type TsKind = (typeof TsKind)[keyof typeof TsKind];

/** What the hot loop needs of an interface; CaptureInterface is the public description. */
interface Iface {
  linkType: number;
  snapLen: number;
  tsOffsetSec: number;
  tsKind: TsKind;
  /** Timestamp units per second, as a number (exact for the Pow10 and Pow2 kinds). */
  unitsPerSec: number;
  /** 1 / unitsPerSec, for the fast path. */
  secPerUnit: number;
  /** Pow10: nanoseconds per unit (10^(9-k)). */
  nsecPerUnit: number;
  unitsPerSecBig: bigint;
}

/** 2^52: below it, `hi * 2^32 + lo` and `sec * unitsPerSec` are exact doubles with room for one correction step. */
const EXACT_HI_LIMIT = 0x100000;
const TWO_POW_32 = 4294967296;
const utf8 = new TextDecoder('utf-8');

export class PcapngParser implements FormatParser {
  info: CaptureInfo | null = null;
  headerDone = false;

  /** Byte order of the current section. */
  private le = true;
  /** Interfaces of the current section, by id (§4.2: ids count IDBs from 0 and restart with every section). */
  private ifaces: Iface[] = [];
  private section = -1;
  /** Byte order of the block whose header checkBlockHeader read last. */
  private blockLe = true;
  /** Results of the slow timestamp paths (no allocation per packet). */
  private outSec = 0;
  private outNsec = 0;

  constructor(private readonly st: CaptureState) {}

  unitLen(buf: Uint8Array, pos: number, avail: number, base: number): number {
    if (avail < BLOCK_MIN_LEN) return BLOCK_MIN_LEN;
    const dv = new DataView(buf.buffer, buf.byteOffset + pos, BLOCK_MIN_LEN);
    return this.checkBlockHeader(dv, 0, base + pos);
  }

  run(buf: Uint8Array, pos: number, end: number, base: number, out: CaptureRecord[]): number {
    const st = this.st;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const ab = buf.buffer;
    const byteOffset = buf.byteOffset;
    let index = st.recordCount;
    while (end - pos >= BLOCK_MIN_LEN) {
      let le = this.le;
      const type = dv.getUint32(pos, le);
      let blockLen = dv.getUint32(pos + 4, le);
      // Common case inline: a non-SHB block whose length is valid for every block type (>= 32, aligned, capped).
      // Everything else goes through the full check, which also decides an SHB's byte order.
      if (type === BT_SHB || (blockLen & 3) !== 0 || blockLen < EPB_MIN_LEN || blockLen > MAX_RECORD_BYTES) {
        st.recordCount = index;
        blockLen = this.checkBlockHeader(dv, pos, base + pos);
        if (blockLen === 0) return pos;
        le = this.blockLe;
      }
      if (blockLen > end - pos) break;
      if (dv.getUint32(pos + blockLen - 4, le) !== blockLen) {
        st.recordCount = index;
        st.corrupt(base + pos, `block length ${blockLen} differs from the copy at the block's end`);
        return pos;
      }
      if (type === BT_EPB || type === BT_PB) {
        // §4.3 EPB: interface id (32 bits), timestamp high and low, captured length, original length, data.
        // Appendix A PB: the same layout with a 16-bit interface id followed by a 16-bit drops count.
        const interfaceId = type === BT_EPB ? dv.getUint32(pos + 8, le) : dv.getUint16(pos + 8, le);
        const capLen = dv.getUint32(pos + 20, le);
        const origLen = dv.getUint32(pos + 24, le);
        const iface = this.ifaces[interfaceId];
        if (capLen > blockLen - EPB_MIN_LEN || iface === undefined) {
          st.recordCount = index;
          this.badPacketBlock(blockLen, capLen, interfaceId, base + pos);
          return pos;
        }
        const tsHigh = dv.getUint32(pos + 12, le);
        const tsLow = dv.getUint32(pos + 16, le);
        let tsSec: number;
        let tsNsec: number;
        if (iface.tsKind === TsKind.Pow10 && tsHigh < EXACT_HI_LIMIT) {
          const units = tsHigh * TWO_POW_32 + tsLow;
          const unitsPerSec = iface.unitsPerSec;
          // Multiplying by the reciprocal is faster than dividing and lands within one of the true quotient (units
          // < 2^52, so the product's error is below 1 for unitsPerSec >= 10, and exact for 1); one step corrects it.
          // sec * unitsPerSec <= units + unitsPerSec < 2^53 stays exact, so `rem` is exact.
          tsSec = Math.floor(units * iface.secPerUnit);
          let rem = units - tsSec * unitsPerSec;
          if (rem < 0) {
            tsSec--;
            rem += unitsPerSec;
          } else if (rem >= unitsPerSec) {
            tsSec++;
            rem -= unitsPerSec;
          }
          tsSec += iface.tsOffsetSec;
          tsNsec = rem * iface.nsecPerUnit;
        } else {
          this.slowTimestamp(iface, tsHigh, tsLow);
          tsSec = this.outSec;
          tsNsec = this.outNsec;
        }
        if (capLen > origLen || (capLen > iface.snapLen && iface.snapLen !== 0)) {
          st.recordCount = index;
          this.capLenWarning(capLen, origLen, iface.snapLen, base + pos);
        }
        out.push({
          index: ++index,
          tsSec,
          tsNsec,
          capLen,
          origLen,
          linkType: iface.linkType,
          interfaceId,
          data: new Uint8Array(ab, byteOffset + pos + EPB_DATA_OFFSET, capLen),
        });
      } else if (type === BT_SPB) {
        // §4.4: the SPB belongs to the section's first interface and has no timestamp; its captured length is what
        // fits in the block, the snaplen and the original length.
        const iface = this.ifaces[0];
        if (iface === undefined) {
          st.recordCount = index;
          st.corrupt(base + pos, 'Simple Packet Block in a section without an Interface Description Block');
          return pos;
        }
        const origLen = dv.getUint32(pos + 8, le);
        let capLen = Math.min(origLen, blockLen - SPB_MIN_LEN);
        if (iface.snapLen !== 0 && iface.snapLen < capLen) capLen = iface.snapLen;
        out.push({
          index: ++index,
          tsSec: 0,
          tsNsec: 0,
          capLen,
          origLen,
          linkType: iface.linkType,
          interfaceId: 0,
          data: new Uint8Array(ab, byteOffset + pos + SPB_DATA_OFFSET, capLen),
        });
      } else if (type === BT_IDB) {
        st.recordCount = index;
        this.readIdb(dv, pos, blockLen, base + pos);
      } else if (type === BT_SHB) {
        st.recordCount = index;
        if (!this.readShb(dv, pos, base + pos)) return pos;
      }
      // §3.2: every other block (NRB, ISB, DSB, custom, unknown) is skipped by its length.
      pos += blockLen;
    }
    st.recordCount = index;
    return pos;
  }

  truncatedMessage(avail: number, need: number, head: Uint8Array): string {
    const frame = this.st.recordCount + 1;
    if (avail < 8) return `file cut short: a block header needs ${BLOCK_MIN_LEN} bytes, only ${avail} present`;
    const dv = new DataView(head.buffer, head.byteOffset, 8);
    const type = dv.getUint32(0, this.le);
    if (type === BT_EPB || type === BT_SPB || type === BT_PB) {
      return `file cut short: record ${frame} needs ${need} bytes, only ${avail} present`;
    }
    return `file cut short: block of type 0x${type.toString(16).padStart(8, '0')} needs ${need} bytes, only ${avail} present`;
  }

  /**
   * Reads and checks a block's type and length (§3.1); the SHB's byte-order magic decides its own byte order (§4.1).
   * Returns the block length, or 0 after reporting corruption. Sets blockLe.
   */
  private checkBlockHeader(dv: DataView, pos: number, offset: number): number {
    let le = this.le;
    const type = dv.getUint32(pos, le);
    if (type === BT_SHB) {
      const magic = dv.getUint32(pos + 8, true);
      if (magic === BYTE_ORDER_MAGIC) le = true;
      else if (magic === BYTE_ORDER_MAGIC_SWAPPED) le = false;
      else {
        const hex = magic.toString(16).padStart(8, '0');
        if (!this.headerDone) {
          throw new CaptureError(
            'E_BAD_MAGIC',
            `not a pcapng file: the Section Header Block's byte-order magic is 0x${hex}, not 0x1a2b3c4d; ` +
              'the file is damaged or not a capture',
            { offset: offset + 8 },
          );
        }
        this.st.corrupt(offset, `Section Header Block with byte-order magic 0x${hex}`);
        return 0;
      }
    }
    const blockLen = dv.getUint32(pos + 4, le);
    let problem = '';
    if (blockLen < BLOCK_MIN_LEN) problem = 'is below the minimum of 12';
    else if ((blockLen & 3) !== 0) problem = 'is not a multiple of 4';
    else if (blockLen > MAX_RECORD_BYTES) problem = `is above the limit of ${MAX_RECORD_BYTES}`;
    else if (blockLen < minBlockLen(type)) problem = `is too short for a block of this type`;
    if (problem !== '') {
      const typeHex = type.toString(16).padStart(8, '0');
      this.st.corrupt(offset, `block of type 0x${typeHex} has length ${blockLen}, which ${problem}`);
      return 0;
    }
    this.blockLe = le;
    return blockLen;
  }

  /** §4.1 Section Header Block: a new section, its byte order, and a fresh interface list. False if unusable. */
  private readShb(dv: DataView, pos: number, offset: number): boolean {
    const le = this.blockLe;
    const versionMajor = dv.getUint16(pos + 12, le);
    const versionMinor = dv.getUint16(pos + 14, le);
    if (versionMajor !== 1) {
      if (!this.headerDone) {
        throw new CaptureError(
          'E_UNSUPPORTED_VERSION',
          `unsupported pcapng version ${versionMajor}.${versionMinor} (only 1.x exists); ` +
            'the file is damaged, or was written by a tool this reader does not know',
          { offset: offset + 12 },
        );
      }
      this.st.corrupt(offset, `section with unsupported pcapng version ${versionMajor}.${versionMinor}`);
      return false;
    }
    this.le = le;
    this.ifaces = [];
    this.section++;
    if (this.info === null) {
      this.info = {
        format: 'pcapng',
        byteOrder: le ? 'le' : 'be',
        tsPrecision: 'us',
        snapLen: 0,
        linkType: -1,
        versionMajor,
        versionMinor,
        sectionCount: 1,
        interfaces: [],
      };
    } else {
      this.info.sectionCount = this.section + 1;
    }
    this.headerDone = true;
    return true;
  }

  /** §4.2 Interface Description Block: link type, snaplen, and the options that change timestamps. */
  private readIdb(dv: DataView, pos: number, blockLen: number, offset: number): void {
    const le = this.le;
    const linkType = dv.getUint16(pos + 8, le);
    const snapLen = dv.getUint32(pos + 12, le);
    let tsBase: 2 | 10 = 10;
    let tsExponent = 6;
    let tsOffsetSec = 0;
    let name: string | undefined;
    // §3.5: options are code, length, value padded to 32 bits, until opt_endofopt or the block's end.
    const optEnd = pos + blockLen - 4;
    let p = pos + 16;
    while (optEnd - p >= 4) {
      const code = dv.getUint16(p, le);
      const optLen = dv.getUint16(p + 2, le);
      if (code === OPT_ENDOFOPT) break;
      const value = p + 4;
      if (optLen > optEnd - value) {
        this.st.warnOnce(
          CaptureWarningCode.BAD_OPTION,
          this.st.recordCount + 1,
          offset,
          `interface ${this.ifaces.length} of section ${this.section}: option ${code} runs past its block; ` +
            'the options after it are ignored',
        );
        break;
      }
      if (code === IF_TSRESOL && optLen >= 1) {
        // §4.2 if_tsresol: most significant bit clear, a negative power of 10; set, a negative power of 2.
        const resol = dv.getUint8(value);
        tsBase = (resol & 0x80) !== 0 ? 2 : 10;
        tsExponent = resol & 0x7f;
      } else if (code === IF_TSOFFSET && optLen >= 8) {
        // §4.2 if_tsoffset: signed seconds to add to every timestamp of the interface.
        tsOffsetSec = Number(dv.getBigInt64(value, le));
      } else if (code === IF_NAME) {
        name = utf8.decode(new Uint8Array(dv.buffer, dv.byteOffset + value, optLen));
      }
      p = value + ((optLen + 3) & ~3);
    }
    const iface = makeIface(linkType, snapLen, tsBase, tsExponent, tsOffsetSec);
    const described: CaptureInterface = {
      section: this.section,
      id: this.ifaces.length,
      linkType,
      snapLen,
      tsResolution: { base: tsBase, exponent: tsExponent },
      tsOffsetSec,
    };
    if (name !== undefined) described.name = name;
    this.ifaces.push(iface);
    const info = this.info;
    if (info !== null) {
      if (info.interfaces.length === 0) {
        info.linkType = linkType;
        info.snapLen = snapLen;
        info.tsPrecision = tsBase === 10 ? (tsExponent > 6 ? 'ns' : 'us') : tsExponent > 19 ? 'ns' : 'us';
      }
      info.interfaces.push(described);
    }
  }

  /** Timestamps the fast path cannot do exactly: 64-bit values at or above 2^52 units, or fine resolutions. */
  private slowTimestamp(iface: Iface, tsHigh: number, tsLow: number): void {
    if (iface.tsKind === TsKind.Pow10) {
      // Long division of the 64-bit value by unitsPerSec (< 2^32) in 16-bit digits: every intermediate stays below
      // 2^48, so doubles are exact and no BigInt is needed (the common nanosecond case lands here).
      const d = iface.unitsPerSec;
      let cur = tsHigh >>> 16;
      const q3 = Math.floor(cur / d);
      cur = (cur - q3 * d) * 65536 + (tsHigh & 0xffff);
      const q2 = Math.floor(cur / d);
      cur = (cur - q2 * d) * 65536 + (tsLow >>> 16);
      const q1 = Math.floor(cur / d);
      cur = (cur - q1 * d) * 65536 + (tsLow & 0xffff);
      const q0 = Math.floor(cur / d);
      const rem = cur - q0 * d;
      this.outSec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0 + iface.tsOffsetSec;
      this.outNsec = rem * iface.nsecPerUnit;
      return;
    }
    if (iface.tsKind === TsKind.Pow2 && tsHigh < EXACT_HI_LIMIT) {
      const units = tsHigh * TWO_POW_32 + tsLow;
      const unitsPerSec = iface.unitsPerSec;
      // Division by a power of two is exact in binary floating point.
      const sec = Math.floor(units / unitsPerSec);
      this.outSec = sec + iface.tsOffsetSec;
      this.outNsec = Math.floor(((units - sec * unitsPerSec) * 1e9) / unitsPerSec);
      return;
    }
    const units = (BigInt(tsHigh) << 32n) | BigInt(tsLow);
    const unitsPerSec = iface.unitsPerSecBig;
    const sec = units / unitsPerSec;
    this.outSec = Number(sec) + iface.tsOffsetSec;
    // Finer than nanoseconds truncates (CaptureRecord.tsNsec).
    this.outNsec = Number(((units - sec * unitsPerSec) * 1_000_000_000n) / unitsPerSec);
  }

  private badPacketBlock(blockLen: number, capLen: number, interfaceId: number, offset: number): void {
    if (capLen > blockLen - EPB_MIN_LEN) {
      this.st.corrupt(
        offset,
        `packet block claims ${capLen} captured bytes but the ${blockLen}-byte block has room for ${blockLen - EPB_MIN_LEN}`,
      );
    } else {
      this.st.corrupt(
        offset,
        `packet block refers to interface ${interfaceId}, but section ${this.section} defines ${this.ifaces.length}`,
      );
    }
  }

  private capLenWarning(capLen: number, origLen: number, snapLen: number, offset: number): void {
    const frame = this.st.recordCount + 1;
    if (capLen > origLen) {
      this.st.capLenExceedsOrigLen(frame, offset, capLen, origLen);
    }
    if (snapLen !== 0 && capLen > snapLen) {
      // libpcap (sf-pcapng.c) refuses the file at such a block ("bigger than snaplen"); the bytes are all there, so
      // they are kept, and said.
      this.st.warnOnce(
        CaptureWarningCode.BEYOND_SNAPLEN,
        frame,
        offset,
        `record ${frame} has ${capLen} captured bytes, more than its interface's snapshot length (${snapLen}); kept as read (libpcap stops reading such a file)`,
      );
    }
  }
}

function minBlockLen(type: number): number {
  switch (type) {
    case BT_SHB:
      return SHB_MIN_LEN;
    case BT_IDB:
      return IDB_MIN_LEN;
    case BT_EPB:
    case BT_PB:
      return EPB_MIN_LEN;
    case BT_SPB:
      return SPB_MIN_LEN;
    default:
      return BLOCK_MIN_LEN;
  }
}

function makeIface(linkType: number, snapLen: number, base: 2 | 10, exponent: number, tsOffsetSec: number): Iface {
  const unitsPerSecBig = BigInt(base) ** BigInt(exponent);
  let tsKind: TsKind = TsKind.Big;
  if (base === 10 && exponent <= 9) tsKind = TsKind.Pow10;
  else if (base === 2 && exponent <= 20) tsKind = TsKind.Pow2;
  return {
    linkType,
    snapLen,
    tsOffsetSec,
    tsKind,
    unitsPerSec: Number(unitsPerSecBig),
    secPerUnit: 1 / Number(unitsPerSecBig),
    nsecPerUnit: base === 10 && exponent <= 9 ? 10 ** (9 - exponent) : 0,
    unitsPerSecBig,
  };
}
