// ANSI styling for annotation lines and table cells; a no-op palette when colour is off.
// Must not decide when colour is on: the CLI decides (TTY, NO_COLOR, --color) and passes the palette in.

export interface Palette {
  dim(s: string): string;
  warn(s: string): string;
  bad(s: string): string;
  good(s: string): string;
  info(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const ANSI_PALETTE: Palette = {
  dim: wrap(2, 22),
  warn: wrap(33, 39),
  bad: wrap(31, 39),
  good: wrap(32, 39),
  info: wrap(36, 39),
  bold: wrap(1, 22),
};

const same = (s: string) => s;
export const PLAIN_PALETTE: Palette = { dim: same, warn: same, bad: same, good: same, info: same, bold: same };

/** Which colour an annotation code gets: trouble in red/yellow (a TLS alert too), life events in cyan (TLS and SSH
 *  hellos too), HTTP in green. */
export function styleForCode(code: string, p: Palette): (s: string) => string {
  if (code === 'tcp.rst' || code === 'tcp.refused' || code === 'stream.gap' || code === 'http.parse-stopped' || code.startsWith('packet.') || code === 'limit') return p.bad;
  if (code === 'tls.alert' || (code.startsWith('tcp.') && code !== 'tcp.handshake' && code !== 'tcp.state' && code !== 'tcp.close' && code !== 'tcp.data' && code !== 'tcp.midstream')) return p.warn;
  if (code.startsWith('http.')) return p.good;
  return p.info;
}
