// Walks a radiotap header's presence bitmaps and fields (https://www.radiotap.org), as tcpdump's
// print-802_11.c does (same field set, same alignment rules, same stopping points). Reads only; never throws.

import { le16, le32 } from './bytes.js';

/** Field sizes in bytes for the radiotap fields tcpdump decodes; 0 = a field tcpdump does not know (it stops). */
const FIELD_SIZE = [8, 1, 1, 4, 2, 1, 1, 2, 2, 1, 1, 1, 1, 1, 2, 0, 0, 0, 8, 3, 8, 12];
/** Alignment of each field: the size of its first component (tcpdump's cpack aligns every read to its size).
 *  DB_TX_ATTENUATION (bit 9) is read by tcpdump as one byte, though the radiotap spec says u16. */
const FIELD_ALIGN = [8, 1, 1, 2, 1, 1, 1, 2, 2, 1, 1, 1, 1, 1, 2, 0, 0, 0, 4, 1, 4, 2];

export const RT_FLAGS = 1;
export const RT_FLAG_FCS = 0x10;
export const RT_FLAG_DATAPAD = 0x20;

/** Walk result: every presence word handled. */
export const RT_DONE = -1;
/** Walk result: a field or vendor-namespace item ran past the header (tcpdump prints " [|802.11_radio]"). */
export const RT_TRUNCATED = -2;

/**
 * Calls `visit(bit, offset, presentWord)` for each field in header order, where `offset` is the field's
 * aligned offset within `header`. Returns RT_DONE, RT_TRUNCATED, or the number of the first unknown bit
 * (tcpdump prints "[bit N] " and stops decoding the header there).
 */
export function walkRadiotap(
  header: Uint8Array,
  visit: (bit: number, offset: number, presentWord: number) => void,
): number {
  const len = header.length;
  // The last presence word: words chain while bit 31 (EXT) is set and the next word fits.
  let last = 4;
  while (last + 4 <= len && (le32(header, last) & 0x80000000) !== 0) last += 4;
  let pos = last + 4;
  let bit0 = 0;
  let vendor = false;
  let skipLen = 0;
  for (let word = 4; word <= last; word += 4) {
    const present = le32(header, word);
    if (vendor) {
      if (pos + skipLen > len) break;
      pos += skipLen;
      skipLen = 0;
    } else {
      for (let bitNo = 0; bitNo < 29; bitNo++) {
        if ((present & (1 << bitNo)) === 0) continue;
        const bit = bit0 + bitNo;
        const size = bit < FIELD_SIZE.length ? FIELD_SIZE[bit] : 0;
        if (size === 0) return bit;
        const align = FIELD_ALIGN[bit];
        const at = (pos + align - 1) & ~(align - 1);
        if (at + size > len) return RT_TRUNCATED;
        visit(bit, at, present);
        pos = at + size;
      }
    }
    switch ((present >>> 29) & 3) {
      case 0:
        bit0 += 32;
        break;
      case 1: // radiotap namespace again
        bit0 = 0;
        vendor = false;
        skipLen = 0;
        break;
      case 2: { // vendor namespace: OUI(3) and sub-namespace(1) bytes, then a 2-aligned skip length
        bit0 = 0;
        vendor = true;
        if (((pos + 1) & ~1) + 2 > len || pos + 4 > len) return RT_TRUNCATED;
        const skipAt = (pos + 5) & ~1;
        if (skipAt + 2 > len) return RT_TRUNCATED;
        skipLen = le16(header, skipAt);
        pos = skipAt + 2;
        break;
      }
      default:
        break;
    }
  }
  return RT_DONE;
}
