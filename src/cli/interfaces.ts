// interfaceName(): this machine's network interface names by index, as tcpdump resolves SLL2 interface indexes.
// Node-only (reads /sys); used by the executables (main.ts and its --jobs threads), never by the analysis.

import { readdirSync, readFileSync } from 'node:fs';

/** Linux interface index -> name, read once from /sys/class/net; empty elsewhere (SLL2 names then print as "?"). */
function linuxInterfaces(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const name of readdirSync('/sys/class/net')) {
      const index = Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
      if (Number.isInteger(index)) names.set(index, name);
    }
  } catch {
    // Not Linux, or /sys not mounted.
  }
  return names;
}

let interfaces: Map<number, string> | null = null;

/** The name of interface ifIndex on this machine (read once), or undefined. */
export function interfaceName(ifIndex: number): string | undefined {
  return (interfaces ??= linuxInterfaces()).get(ifIndex);
}
