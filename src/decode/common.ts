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
