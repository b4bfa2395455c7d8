// emptyScratch(): empties an array that is refilled at once (a per-packet list of annotations or events).
// Must not be used where the memory should go back (a connection's own lists when it idles or ends).

/**
 * `list.length = 0` makes V8 trim the array's backing store to nothing (FastElementsAccessor::SetLengthImpl trims
 * when more than half would be unused), so the next push allocates a new one: per packet that was one allocation of
 * about 80 bytes for every scratch list, and a micro-benchmark of "empty, push twice" ran 13 times slower
 * (127 ns against 10) with three thousand young collections instead of one. pop() trims only until the capacity
 * is small (then never again), so a list emptied this way keeps its store from packet to packet.
 */
export function emptyScratch(list: unknown[]): void {
  while (list.length !== 0) list.pop();
}
