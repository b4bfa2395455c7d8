// Classic pcap (draft-ietf-opsawg-pcap): file header, then 16-byte record headers (24 in the Kuznetzov variant).
// Parses whole units inside one buffer; never buffers bytes itself (reader.ts does) and never copies packet data.

import { CaptureError, CaptureWarningCode } from './errors.js';
import { MAX_RECORD_BYTES, type CaptureInfo, type CaptureState } from './state.js';
import type { CaptureRecord } from '../types.js';
import type { FormatParser } from './format.js';

/** draft-ietf-opsawg-pcap §4: magic, version 2+2, reserved 4+4, SnapLen 4, LinkType and additional information 4. */
export const PCAP_FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
/** libpcap's pcap_sf_patched_pkthdr: the standard header plus ifindex, protocol, pkt_type and padding. */
const MODIFIED_RECORD_HEADER_LEN = 24;
/** libpcap MAXIMUM_SNAPLEN: a record longer than this and than its wire length cannot come from a real capture. */
const LIBPCAP_MAX_SNAPLEN = 262144;

/** libpcap max_snaplen_for_dlt(): the largest snapshot length it accepts for a link type. */
function maxSnapLenForLinkType(linkType: number): number {
  if (linkType === 231) return 128 * 1024 * 1024; // DLT_DBUS
  if (linkType === 279) return 8 * 1024 * 1024; // DLT_EBHSCR
  if (linkType === 249) return 1024 * 1024; // DLT_USBPCAP
  return LIBPCAP_MAX_SNAPLEN;
}

/** How caplen and len are stored (libpcap sf-pcap.c lengths_swapped): before 2.3 the two fields were interchanged. */
const LengthOrder = { Normal: 0, Swapped: 1, MaybeSwapped: 2 } as const;
type LengthOrder = (typeof LengthOrder)[keyof typeof LengthOrder];

export interface PcapMagic {
  le: boolean;
  nano: boolean;
  modified: boolean;
}

export class PcapParser implements FormatParser {
  info: CaptureInfo | null = null;
  headerDone = false;

  private readonly le: boolean;
  private readonly recHeaderLen: number;
  /** 1000 for µs files, 1 for ns files: the sub-second field times this is tsNsec. */
  private readonly nsecPerUnit: number;
  /** The sub-second field must stay below this (1e6 µs or 1e9 ns). */
  private readonly fracLimit: number;
  private linkType = 0;
  private lengthOrder: LengthOrder = LengthOrder.Normal;
  /**
   * caplen above this is corruption, not an odd record: libpcap's max_snaplen_for_dlt() for the link type (sf-pcap.c
   * pcap_next_packet refuses such a record: "invalid packet capture length"), never above MAX_RECORD_BYTES.
   */
  private capLimit = MAX_RECORD_BYTES;
  /**
   * The file's snapshot length as libpcap adjusts it (pcap_adjust_snapshot: 0 or above the link type's maximum is
   * that maximum). libpcap cuts a longer record to it and tcpdump prints what is left: so does this reader.
   */
  private snapshotLen = Infinity;

  constructor(
    private readonly st: CaptureState,
    private readonly magic: PcapMagic,
  ) {
    this.le = magic.le;
    this.recHeaderLen = magic.modified ? MODIFIED_RECORD_HEADER_LEN : RECORD_HEADER_LEN;
    this.nsecPerUnit = magic.nano ? 1 : 1000;
    this.fracLimit = magic.nano ? 1_000_000_000 : 1_000_000;
  }

  unitLen(buf: Uint8Array, pos: number, avail: number, base: number): number {
    if (!this.headerDone) return PCAP_FILE_HEADER_LEN;
    const hdrLen = this.recHeaderLen;
    if (avail < hdrLen) return hdrLen;
    const dv = new DataView(buf.buffer, buf.byteOffset + pos, hdrLen);
    let capLen = dv.getUint32(8, this.le);
    let origLen = dv.getUint32(12, this.le);
    if (this.lengthOrder !== LengthOrder.Normal && this.swapped(capLen, origLen)) {
      const t = capLen;
      capLen = origLen;
      origLen = t;
    }
    if (!this.checkLengths(capLen, origLen, base + pos)) return 0;
    return hdrLen + capLen;
  }

  run(buf: Uint8Array, pos: number, end: number, base: number, out: CaptureRecord[]): number {
    if (!this.headerDone) {
      if (end - pos < PCAP_FILE_HEADER_LEN) return pos;
      this.parseFileHeader(buf, pos);
      pos += PCAP_FILE_HEADER_LEN;
    }
    const st = this.st;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const ab = buf.buffer;
    const byteOffset = buf.byteOffset;
    const le = this.le;
    const hdrLen = this.recHeaderLen;
    const nsecPerUnit = this.nsecPerUnit;
    const fracLimit = this.fracLimit;
    const linkType = this.linkType;
    const normalOrder = this.lengthOrder === LengthOrder.Normal;
    const snapshotLen = this.snapshotLen;
    let index = st.recordCount;
    while (end - pos >= hdrLen) {
      let capLen = dv.getUint32(pos + 8, le);
      let origLen = dv.getUint32(pos + 12, le);
      if (!normalOrder && this.swapped(capLen, origLen)) {
        const t = capLen;
        capLen = origLen;
        origLen = t;
      }
      if (capLen > origLen || capLen > this.capLimit) {
        st.recordCount = index;
        if (!this.checkLengths(capLen, origLen, base + pos)) return pos;
      }
      const dataStart = pos + hdrLen;
      if (capLen > end - dataStart) break;
      const tsFrac = dv.getUint32(pos + 4, le);
      index++;
      if (tsFrac >= fracLimit || capLen > origLen || capLen > snapshotLen) {
        st.recordCount = index - 1;
        this.oddRecord(tsFrac, capLen, origLen, base + pos);
      }
      const keptLen = capLen > snapshotLen ? snapshotLen : capLen;
      out.push({
        index,
        tsSec: dv.getUint32(pos, le),
        tsNsec: tsFrac * nsecPerUnit,
        capLen: keptLen,
        origLen,
        linkType,
        interfaceId: 0,
        data: new Uint8Array(ab, byteOffset + dataStart, keptLen),
      });
      pos = dataStart + capLen;
    }
    st.recordCount = index;
    return pos;
  }

  truncatedMessage(avail: number, need: number): string {
    const frame = this.st.recordCount + 1;
    if (avail < this.recHeaderLen) {
      return `file cut short: record ${frame} needs ${this.recHeaderLen} bytes of record header, only ${avail} present`;
    }
    return `file cut short: record ${frame} needs ${need} bytes, only ${avail} present`;
  }

  /** draft-ietf-opsawg-pcap §4 File Header. Throws CaptureError: the header is the whole container's description. */
  private parseFileHeader(buf: Uint8Array, pos: number): void {
    const dv = new DataView(buf.buffer, buf.byteOffset + pos, PCAP_FILE_HEADER_LEN);
    const le = this.le;
    const versionMajor = dv.getUint16(4, le);
    const versionMinor = dv.getUint16(6, le);
    // libpcap sf-pcap.c reads 2.x, and 543.0 written by DG/UX tcpdump (lengths in the pre-2.3 order).
    if (versionMajor !== 2 && !(versionMajor === 543 && versionMinor === 0)) {
      throw new CaptureError(
        'E_UNSUPPORTED_VERSION',
        `unsupported pcap version ${versionMajor}.${versionMinor} (only 2.x exists); ` +
          'the file is damaged, or was written by a tool that only calls it pcap',
        { offset: 4 },
      );
    }
    if (versionMajor === 543 || versionMinor < 3) this.lengthOrder = LengthOrder.Swapped;
    else if (versionMinor === 3) this.lengthOrder = LengthOrder.MaybeSwapped;
    const snapLen = dv.getUint32(16, le);
    const linkField = dv.getUint32(20, le);
    // §4: LinkType is the low 16 bits; the top 4 bits give the FCS length in 16-bit words when the P bit (0x04000000)
    // is set; the bits between are reserved and must be ignored by readers.
    this.linkType = linkField & 0xffff;
    const maxSnap = maxSnapLenForLinkType(this.linkType);
    this.capLimit = Math.min(maxSnap, MAX_RECORD_BYTES);
    this.snapshotLen = snapLen === 0 || snapLen > maxSnap ? maxSnap : snapLen;
    const info: CaptureInfo = {
      format: 'pcap',
      byteOrder: le ? 'le' : 'be',
      tsPrecision: this.magic.nano ? 'ns' : 'us',
      snapLen,
      linkType: this.linkType,
      versionMajor,
      versionMinor,
      variant: this.magic.modified ? 'modified' : 'standard',
      sectionCount: 1,
      interfaces: [
        {
          section: 0,
          id: 0,
          linkType: this.linkType,
          snapLen,
          tsResolution: { base: 10, exponent: this.magic.nano ? 9 : 6 },
          tsOffsetSec: 0,
        },
      ],
    };
    if ((linkField & 0x04000000) !== 0) info.fcsLenBytes = (linkField >>> 28) * 2;
    this.info = info;
    this.headerDone = true;
  }

  /** libpcap MAYBE_SWAPPED (version 2.3): swapped only when caplen > len, which would make no sense otherwise. */
  private swapped(capLen: number, origLen: number): boolean {
    return this.lengthOrder === LengthOrder.Swapped || capLen > origLen;
  }

  /** Record lengths no capture tool writes are corruption (DESIGN.md level 1 or mid-file stop); false if so. */
  private checkLengths(capLen: number, origLen: number, offset: number): boolean {
    if (capLen > MAX_RECORD_BYTES) {
      this.st.corrupt(offset, `record header claims ${capLen} captured bytes (limit ${MAX_RECORD_BYTES})`);
      return false;
    }
    if (capLen > this.capLimit) {
      this.st.corrupt(
        offset,
        `record header claims ${capLen} captured bytes, more than any capture of link type ${this.linkType} holds (${this.capLimit}, libpcap's limit)`,
      );
      return false;
    }
    return true;
  }

  /** Odd but readable record (DESIGN.md level 2): kept as read, reported once per file. */
  private oddRecord(tsFrac: number, capLen: number, origLen: number, offset: number): void {
    const frame = this.st.recordCount + 1;
    if (tsFrac >= this.fracLimit) {
      const unit = this.magic.nano ? 'nanoseconds' : 'microseconds';
      this.st.warnOnce(
        CaptureWarningCode.BAD_TIMESTAMP,
        frame,
        offset,
        `record ${frame} has ${tsFrac} ${unit} in its sub-second field (must be below ${this.fracLimit}); ` +
          'kept as read, as tcpdump does',
      );
    }
    if (capLen > this.snapshotLen) {
      this.st.warnOnce(
        CaptureWarningCode.BEYOND_SNAPLEN,
        frame,
        offset,
        `record ${frame} has ${capLen} captured bytes, more than the file's snapshot length (${this.snapshotLen}); cut to it, as libpcap does`,
      );
    }
    if (capLen > origLen) {
      this.st.capLenExceedsOrigLen(frame, offset, capLen, origLen);
    }
  }
}
