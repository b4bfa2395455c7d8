// Small helpers shared by the decoders: attaching notes and the first problem to a Packet.
// No parsing here, and nothing that allocates unless a note or problem is actually recorded.

import type { ProblemKind } from '../types.js';
import type { LinkNote, Packet } from './packet.js';

/** Shared empty note list: decodePacket starts every packet with it, so the common case allocates no array.
 *  Consumers must treat linkNotes as read-only. */
export const NO_NOTES: LinkNote[] = Object.freeze([]) as unknown as LinkNote[];

export function addNote(packet: Packet, note: LinkNote): void {
  if (packet.linkNotes === NO_NOTES) packet.linkNotes = [note];
  else packet.linkNotes.push(note);
}

/** Inserts a note at `index` (used when a datagram turns out to be a tunnel's outer header). */
export function insertNote(packet: Packet, index: number, note: LinkNote): void {
  if (packet.linkNotes === NO_NOTES) packet.linkNotes = [note];
  else packet.linkNotes.splice(index, 0, note);
}

/** Records the first problem only: later layers cannot make an earlier one less true. */
export function setProblem(packet: Packet, kind: ProblemKind, layer: string, detail: string): void {
  if (packet.problem === null) packet.problem = { kind, layer, detail };
}

/** tcpdump's MAXIMUM_SNAPLEN (netdissect.h): larger caplen/len values make the record header invalid. */
export const TCPDUMP_MAXIMUM_SNAPLEN = 262144;

/**
 * Whether tcpdump refuses the record's header ("[Invalid header: ...]", print.c pretty_print_packet): it then
 * returns before printing the time and before any dissector, so the record moves neither the relative-sequence
 * table nor the -ttt/-ttttt reference times.
 */
export function tcpdumpRejectsRecord(capLen: number, origLen: number): boolean {
  return capLen === 0 || origLen === 0 || origLen < capLen || capLen > TCPDUMP_MAXIMUM_SNAPLEN || origLen > TCPDUMP_MAXIMUM_SNAPLEN;
}
