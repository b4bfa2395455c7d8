// The contract between the chunk reader (reader.ts) and a container format parser (pcap.ts, pcapng.ts).
// Types only: no behaviour.

import type { CaptureRecord } from '../types.js';
import type { CaptureInfo } from './state.js';

/**
 * A format parser works on whole units (file header, record, block) inside one buffer and keeps no bytes itself.
 * `base` is the input offset of buf[0], for messages.
 */
export interface FormatParser {
  /** Null until the file header (pcap) or first Section Header Block (pcapng) has been parsed. */
  readonly info: CaptureInfo | null;
  readonly headerDone: boolean;
  /**
   * Parses the units that lie entirely in buf[pos, end), appending packet records to out. Returns the offset of the
   * first unit it could not finish (end when none), or where it stopped for corruption (state.stopped is then set).
   */
  run(buf: Uint8Array, pos: number, end: number, base: number, out: CaptureRecord[]): number;
  /**
   * Total bytes the unit starting at buf[pos] needs, given that `avail` bytes of it are present: a header size while
   * the header is incomplete, the whole unit's size once it is known. 0 when its header is corrupt (state.stopped).
   */
  unitLen(buf: Uint8Array, pos: number, avail: number, base: number): number;
  /** The 'capture.truncated-record' message for a final unit with `avail` of its `need` bytes. */
  truncatedMessage(avail: number, need: number, head: Uint8Array): string;
}
