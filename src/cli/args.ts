// The command line's option table (yargs) and a pure check that turns parsed argv into CliOptions.
// Must not touch stdout, stderr, files or process state: run-cli.ts is the only code that does.

import { DEFAULT_MAX_CONNECTIONS } from '../analyze.js';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import yargs from 'yargs';

export type View = 'timeline' | 'summary' | 'http';
export type Format = 'text' | 'json' | 'ndjson';
export type ColorMode = 'auto' | 'always' | 'never';

export interface CliOptions {
  command: 'trace' | 'check';
  /** Capture paths; '-' is standard input. Several are merged by timestamp, as mergecap does. */
  captures: string[];
  view: View;
  format: Format;
  annotate: boolean;
  /** tcpdump -#: prefix each packet line with its frame number. */
  number: boolean;
  /** tcpdump -S: absolute sequence numbers. */
  absoluteSeq: boolean;
  /** tcpdump -t count: 0 default (time of day), 1 none, 2 epoch, 3 delta, 4 date+time, 5 since first. */
  tsStyle: number;
  /** tcpdump --nano: nanosecond timestamps. */
  nano: boolean;
  color: ColorMode;
  progress: 'auto' | 'never';
  conn: number | null;
  hosts: string[];
  ports: number[];
  /** check command: expectations such as `connections=3`, `http.mode=pipelined`, `conn 2: close=fin`. */
  expect: string[];
  expectFile: string | null;
  failOn: string[];
  /** Most connections tracked at once (a SYN flood's bound); beyond it the least recently active is reported early. */
  maxConnections: number;
  /**
   * --summary and the text timeline of capture files: threads that analyse them side by side, each a share of the
   * connections (1: one pass). Other views, filtered timelines and standard input always take one pass.
   */
  jobs: number;
}

/** Most threads --jobs asks for: beyond the cores, more shards only cost each another read of the capture. */
export const MAX_JOBS = 64;

/** Exit codes, documented in the README and in --help. */
export const ExitCode = {
  OK: 0,
  CHECK_FAILED: 1,
  USAGE: 2,
  UNREADABLE: 3,
  DAMAGED: 4,
  /** The output could not be written (disk full, a closed file): main.ts's stdout error handler. */
  OUTPUT: 5,
} as const;

export const EPILOGUE = `Examples:
  tcptrace capture.pcap                      annotated timeline, then the connection table and HTTP verdicts
  tcptrace --summary capture.pcapng          connection table and HTTP verdicts only
  tcptrace --no-annotate -# capture.pcap     the packet lines tcpdump -# -nn -r prints
  tcptrace --http --port 8080 capture.pcap   HTTP exchanges of port 8080 only
  tcpdump -i lo -U -w - | tcptrace -         live: lines appear as packets arrive (-U: tcpdump writes each at once)
  tcptrace --format ndjson capture.pcap | jq 'select(.type=="connection") | .http.mode'
  tcptrace check capture.pcap --expect connections=1 --expect http.mode=pipelined --fail-on tcp.retransmission

Exit codes:
  0  success (check: every expectation held)
  1  check: an expectation did not hold (the report says which)
  2  usage error
  3  a capture could not be read at all (not a capture, bad header, missing file)
  4  a capture is damaged partway: everything before the damage was analysed and printed
     (a file merely cut short inside its last record, as a capture that was still being written, is a warning: 0)
  5  the output could not be written (disk full, ...)
A reader that closes the output early (| head) ends the run: exit 0, or the run's own code once it is known.`;

/** The rejected value of a numeric option as the error says it: yargs turns text into NaN, which is not what was typed. */
function shown(v: unknown): string {
  return typeof v === 'number' && Number.isNaN(v) ? 'not text' : `not ${String(v)}`;
}

/** yargs reads a lone "-" as a flag; it stands in for stdin as a capture path, so it is hidden during parsing. */
export const STDIN_TOKEN = '\u0000stdin';

export function protectStdin(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '-' ? STDIN_TOKEN : a));
}

/**
 * The package's version, for --version: package.json sits two levels above this file in src/ and in dist/. A build
 * placed elsewhere (the benchmark's copies) says "unknown" rather than failing to start.
 */
function packageVersion(): string {
  try {
    const pkg = createRequire(import.meta.url)('../../package.json') as { name?: string; version?: string };
    return pkg.name === 'tcptrace' && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Builds the yargs parser for argv (argv without the node and script names). */
export function buildParser(argv: readonly string[]) {
  return yargs(protectStdin(argv))
    .scriptName('tcptrace')
    .usage('Usage: $0 [options] <capture...>\n       $0 check [options] <capture...>\n\nReads pcap/pcapng captures (a file or - for stdin) and explains every TCP connection: tcpdump-exact packet lines, handshake and teardown, analysis flags, and how HTTP/1.x used each connection.')
    .command('$0 [captures..]', 'print the annotated timeline and tables')
    .command('check [captures..]', 'assert properties of captures; exit 1 with a report when one does not hold')
    .option('summary', { type: 'boolean', default: false, describe: 'no packet lines: the connection table and each HTTP verdict with its evidence' })
    .option('http', { type: 'boolean', default: false, describe: 'one table of requests and responses per HTTP connection' })
    .option('format', { requiresArg: true, choices: ['text', 'json', 'ndjson'] as const, default: 'text' as Format, describe: 'output format' })
    .option('annotate', { type: 'boolean', default: true, describe: 'annotation lines under packet lines (--no-annotate: tcpdump lines only)' })
    .option('number', { alias: '#', type: 'boolean', default: false, describe: 'prefix packet lines with the frame number (tcpdump -#)' })
    .option('absolute-seq', { alias: 'S', type: 'boolean', default: false, describe: 'absolute sequence numbers (tcpdump -S)' })
    .option('t', { type: 'count', describe: 'timestamp style as tcpdump: -t none, -tt epoch, -ttt delta, -tttt date, -ttttt since first' })
    .option('nano', { type: 'boolean', default: false, describe: 'nanosecond timestamps (tcpdump --nano)' })
    .option('color', { requiresArg: true, choices: ['auto', 'always', 'never'] as const, default: 'auto' as ColorMode, describe: 'colour annotations (auto: on a terminal unless NO_COLOR is set)' })
    .option('progress', { requiresArg: true, choices: ['auto', 'never'] as const, default: 'auto' as const, describe: 'progress line on stderr when it is a terminal (and stdout is not one printing packets)' })
    .option('conn', { requiresArg: true, type: 'number', describe: 'only connection N (ids as in the tables)' })
    .option('max-connections', { requiresArg: true, type: 'number', default: DEFAULT_MAX_CONNECTIONS, describe: 'most connections tracked at once; beyond it the least recently active is reported early (the summary says how many)' })
    .option('jobs', { requiresArg: true, alias: 'j', type: 'number', default: 1, describe: '--summary and the timeline of capture files: analyse in N threads, each a share of the connections (same output; more memory)' })
    // Repeatable options are plain (not `array: true`), which would swallow the capture paths after them; yargs
    // collects repeats into an array, and checkArgs() normalises one value to a list.
    .option('host', { requiresArg: true, type: 'string', describe: 'only connections with this address (repeatable)' })
    .option('port', { requiresArg: true, type: 'number', describe: 'only connections with this port (repeatable)' })
    .option('expect', { requiresArg: true, type: 'string', describe: 'check: an expectation, e.g. connections=3, http.mode=keep-alive, "conn 0: close=fin", tcp.retransmission=0 (repeatable)' })
    .option('expect-file', { requiresArg: true, type: 'string', describe: 'check: a JSON file of expectations per capture' })
    .option('fail-on', { requiresArg: true, type: 'string', describe: 'check: fail when a packet of any connection carries one of these annotation codes (comma separated)' })
    .epilogue(EPILOGUE)
    .strict()
    .help()
    .version('version', 'print the version and exit', packageVersion())
    .wrap(null)
    .exitProcess(false);
}

/** Pure: parsed argv (yargs' object) to CliOptions, or a usage error message. */
export function checkArgs(parsed: Record<string, unknown>): { options: CliOptions } | { error: string } {
  const command = Array.isArray(parsed._) && parsed._[0] === 'check' ? 'check' : 'trace';
  const captures = list(parsed.captures).map((c) => (c === STDIN_TOKEN ? '-' : c));
  // check --expect-file names its captures itself.
  const namesCaptures = command === 'check' && parsed['expect-file'] !== undefined;
  if (captures.filter((c) => c === '-').length > 1) return { error: 'standard input (-) can be read only once' };
  const summary = parsed.summary === true;
  const http = parsed.http === true;
  if (summary && http) return { error: '--summary and --http are different views: choose one' };
  const files = parsed['expect-file'] as unknown;
  if (Array.isArray(files)) return { error: `--expect-file takes one file, given ${files.length} times (${files.join(', ')}); put the captures of both in one file` };
  if (Array.isArray(parsed.conn)) return { error: `--conn takes one connection id, given ${parsed.conn.length} times (${parsed.conn.join(', ')})` };
  const conn = parsed.conn === undefined ? null : Number(parsed.conn);
  if (conn !== null && (!Number.isInteger(conn) || conn < 0)) return { error: `--conn takes a connection id (0, 1, …), ${shown(parsed.conn)}` };
  const ports = list(parsed.port).map(Number);
  const badPort = ports.find((p) => !Number.isInteger(p) || p < 0 || p > 65535);
  if (badPort !== undefined) return { error: `--port takes a number from 0 to 65535, ${shown(badPort)}` };
  // An address as the tables print it, IPv4 or IPv6 (brackets allowed): a name, a port or a prefix would match
  // nothing, silently.
  const badHost = list(parsed.host).find((h) => isIP(h.replace(/^\[(.*)\]$/, '$1')) === 0);
  if (badHost !== undefined) {
    return { error: `--host takes an IPv4 or IPv6 address (no name, port or prefix), not ${JSON.stringify(badHost)}` };
  }
  if (captures.length === 0 && !namesCaptures) return { error: 'no capture given: tcptrace <capture.pcap> (use - to read standard input)' };
  const maxConnections = Number(parsed['max-connections'] ?? DEFAULT_MAX_CONNECTIONS);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    return { error: `--max-connections takes a count of 1 or more, ${shown(parsed['max-connections'])}` };
  }
  const jobs = Number(parsed.jobs ?? 1);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > MAX_JOBS) {
    return { error: `--jobs takes a thread count from 1 to ${MAX_JOBS}, ${shown(parsed.jobs)}` };
  }
  const tsStyle = Number(parsed.t ?? 0);
  if (tsStyle > 5) return { error: 'timestamp style: at most -ttttt' };
  const failOn = list(parsed['fail-on']).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const expect = list(parsed.expect);
  const expectFile = parsed['expect-file'] === undefined ? null : String(parsed['expect-file']);
  if (command === 'trace' && (expect.length > 0 || failOn.length > 0 || expectFile !== null)) {
    return { error: '--expect, --expect-file and --fail-on belong to the check command: tcptrace check <capture> --expect …' };
  }
  if (command === 'check') {
    // check asserts over every connection of a capture; a view or filter option would be silently ignored there.
    // (--jobs is not one: it changes how fast, never what; check takes one pass, as --http and JSON do.)
    const ignored = [
      parsed.conn !== undefined ? '--conn' : null,
      list(parsed.host).length > 0 ? '--host' : null,
      list(parsed.port).length > 0 ? '--port' : null,
      summary ? '--summary' : null,
      http ? '--http' : null,
      parsed.format !== undefined && parsed.format !== 'text' ? '--format' : null,
      parsed.number === true ? '-#' : null,
      parsed['absolute-seq'] === true ? '-S' : null,
      Number(parsed.t ?? 0) > 0 ? '-t' : null,
      parsed.nano === true ? '--nano' : null,
      parsed.annotate === false ? '--no-annotate' : null,
    ].filter((o) => o !== null);
    if (ignored.length > 0) {
      return { error: `check reads every connection and prints its own report: ${ignored.join(', ')} would not apply (scope an expectation instead: "conn 2: http.mode=pipelined")` };
    }
  }
  if (command === 'check' && expect.length === 0 && failOn.length === 0 && expectFile === null) {
    return { error: 'check needs something to assert: --expect, --expect-file or --fail-on' };
  }
  return {
    options: {
      command,
      captures,
      view: summary ? 'summary' : http ? 'http' : 'timeline',
      format: (parsed.format as Format) ?? 'text',
      annotate: parsed.annotate !== false,
      number: parsed.number === true,
      absoluteSeq: parsed['absolute-seq'] === true,
      tsStyle,
      nano: parsed.nano === true,
      color: (parsed.color as ColorMode) ?? 'auto',
      progress: parsed.progress === 'never' ? 'never' : 'auto',
      conn,
      hosts: list(parsed.host),
      ports,
      expect,
      expectFile,
      failOn,
      maxConnections,
      jobs,
    },
  };
}

/** A repeatable option's values as strings, whether yargs gave none, one or several. */
function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
