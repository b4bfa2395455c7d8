// TCP flag letters in tcpdump's order and spelling (print-tcp.c's tcp_flag_values: F S R P . U E W, "none" if empty).
// A pure formatter; shared by the JSON records and the tables.

const LETTERS: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];

const cache = new Map<number, string>();

export function tcpFlagsString(flags: number): string {
  let s = cache.get(flags);
  if (s === undefined) {
    s = '';
    for (const [bit, letter] of LETTERS) if (flags & bit) s += letter;
    if (s === '') s = 'none';
    cache.set(flags, s);
  }
  return s;
}
