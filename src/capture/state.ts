// What the pcap and pcapng parsers share: the capture description (CaptureInfo), the record counter and the warning
// list, with the one place that turns corruption into a warning or an error. No parsing here.

import { CaptureError, CaptureWarningCode, type CaptureWarning, type CaptureWarningCodeName } from './errors.js';

/** Timestamp unit of an interface: 1 / base^exponent seconds (pcapng §4.2 if_tsresol; pcap µs is 10^6). */
export interface TsResolution {
  base: 2 | 10;
  exponent: number;
}

/** One capture interface: the single pseudo-interface of a classic pcap, or a pcapng Interface Description Block. */
export interface CaptureInterface {
  /** 0-based pcapng section the interface belongs to (always 0 for pcap). */
  section: number;
  /** Interface id within its section: what CaptureRecord.interfaceId holds. */
  id: number;
  /** LINKTYPE_* value (pcap: the low 16 bits of the header's link-type field). */
  linkType: number;
  /** Maximum bytes captured per packet; 0 means no limit (pcapng §4.2). */
  snapLen: number;
  tsResolution: TsResolution;
  /** pcapng if_tsoffset: seconds added to every timestamp of this interface (0 when absent, always 0 for pcap). */
  tsOffsetSec: number;
  /** pcapng if_name, when present. */
  name?: string;
}

/**
 * What the container says about itself. The object is live: the reader appends pcapng interfaces as their blocks
 * arrive (an IDB may follow packets, and each section brings its own).
 */
export interface CaptureInfo {
  format: 'pcap' | 'pcapng';
  /** Byte order of the file header (pcapng: of the first section; later sections may differ). */
  byteOrder: 'le' | 'be';
  /** pcap: from the magic number. pcapng: 'ns' when the first interface is finer than microseconds. */
  tsPrecision: 'us' | 'ns';
  /** pcap: header snaplen. pcapng: the first interface's (0 until one is seen). */
  snapLen: number;
  /** pcap: header link type. pcapng: the first interface's (-1 until one is seen). */
  linkType: number;
  /** Format version: pcap 2.4 (or older), pcapng 1.0 (of the first section). */
  versionMajor: number;
  versionMinor: number;
  /** pcap only: FCS bytes at the end of every packet, when the header says so (draft-ietf-opsawg-pcap §4, FCS len). */
  fcsLenBytes?: number;
  /** pcap: 'modified' for the Kuznetzov patched format (magic a1b2cd34), which has 24-byte record headers. */
  variant?: 'standard' | 'modified';
  /** Number of pcapng sections seen (1 for pcap). */
  sectionCount: number;
  interfaces: CaptureInterface[];
}

/** Largest record or block we accept: beyond this a length field is corruption, never an allocation size. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Counters and warnings shared by the reader and the format parsers. */
export class CaptureState {
  /** Packet records emitted so far; the next record's index is recordCount + 1. */
  recordCount = 0;
  stopped = false;
  readonly warnings: CaptureWarning[] = [];
  private readonly warnedCodes = new Set<string>();

  warn(code: CaptureWarningCodeName, frame: number, offset: number, message: string): void {
    this.warnings.push({ code, frame, offset, message });
  }

  /** Warns only the first time a code occurs: these repeat on every record of a damaged file. */
  warnOnce(code: CaptureWarningCodeName, frame: number, offset: number, message: string): void {
    if (this.warnedCodes.has(code)) return;
    this.warnedCodes.add(code);
    this.warn(code, frame, offset, message);
  }

  /** A record with more captured bytes than the packet had (both formats keep it as read): said once per file. */
  capLenExceedsOrigLen(frame: number, offset: number, capLen: number, origLen: number): void {
    this.warnOnce(
      CaptureWarningCode.CAPLEN_EXCEEDS_ORIGLEN,
      frame,
      offset,
      `record ${frame} has ${capLen} captured bytes of a ${origLen}-byte packet; kept as read`,
    );
  }

  /**
   * Mid-file corruption: stop reading and keep what was read. With no record read yet there is nothing to keep, so the
   * container is unusable (level 1 of DESIGN.md's malformed input) and this throws E_BAD_BLOCK instead.
   */
  corrupt(offset: number, what: string): void {
    const frame = this.recordCount + 1;
    if (this.recordCount === 0) {
      throw new CaptureError(
        'E_BAD_BLOCK',
        `damaged capture: ${what} at byte offset ${offset}, before any packet; ` +
          'the file is not usable (check how it was copied or cut)',
        { offset },
      );
    }
    this.stopped = true;
    this.warn(
      CaptureWarningCode.CORRUPT,
      frame,
      offset,
      `capture damaged at frame ${frame} (byte offset ${offset}): ${what}; ` +
        `reading stopped, the ${this.recordCount} records before it were read`,
    );
  }
}
