// The expectation language of `tcptrace check`: parses expectations and evaluates them against a Report.
// Pure: no I/O, no exit codes (the CLI owns those); every failure comes back as a sentence a person can act on.
//
// Grammar:  [SCOPE:] NAME OP VALUE      OP is one of = != >= <= > <
//   SCOPE   `conn N` (one connection), `every` (each connection must satisfy it), `any` (at least one must).
//   NAME    a capture total (connections, packets, tcp-packets, bytes, the sums http.requests and http.responses, or
//           any annotation code such as tcp.retransmission: how many annotations of it), or a connection property
//           (http.mode, close, close.by, state, midstream, http.maxPipelineDepth, http.pipelined, …: see
//           connectionFacts()). A name that is neither, or a numeric comparison with a value that is not a number,
//           fails with the reason: a misspelt code must not pass as "found 0".
// Without a scope, totals are summed over the capture and properties must hold for every connection.

import type { ConnectionReport, Report } from './report.js';
import { FACT_NAMES, NUMERIC_FACT_NAMES, connectionFacts, type FactValue } from './facts.js';
import { ANNOTATION_CODES } from './types.js';

export type Op = '=' | '!=' | '>=' | '<=' | '>' | '<';

export interface Expectation {
  source: string;
  scope: { kind: 'capture' | 'every' | 'any' } | { kind: 'conn'; id: number };
  name: string;
  op: Op;
  value: string;
}

export interface CheckResult {
  expectation: string;
  ok: boolean;
  /** What was found, in words: "found 2 (frames 14, 20)". */
  detail: string;
}

const EXPECT_RE = /^\s*(?:(conn\s+(\d+)|every|any)\s*:\s*)?([A-Za-z][\w.-]*)\s*(!=|>=|<=|=|>|<)\s*(.*?)\s*$/;

/** Totals: summed over the scope's connections (or the capture) rather than checked per connection. */
const TOTALS = new Set(['connections', 'packets', 'tcp-packets', 'http.requests', 'http.responses', 'bytes']);

export function parseExpectation(text: string): Expectation | { error: string } {
  const m = EXPECT_RE.exec(text);
  if (m === null || m[5] === '') {
    return { error: `cannot read expectation "${text}": write NAME OP VALUE, e.g. connections=3, http.mode=keep-alive, "conn 0: close=fin"` };
  }
  const scopeText = m[1];
  const scope: Expectation['scope'] =
    scopeText === undefined
      ? { kind: 'capture' }
      : scopeText === 'every'
        ? { kind: 'every' }
        : scopeText === 'any'
          ? { kind: 'any' }
          : { kind: 'conn', id: Number(m[2]) };
  return { source: text.trim(), scope, name: m[3]!, op: m[4] as Op, value: m[5]! };
}

/** Every annotation code in `codes` that occurs in the report's connections, as check failures (the --fail-on case). */
export function checkFailOn(report: Report, codes: readonly string[]): CheckResult[] {
  return codes.map((code) => {
    const problem = failOnProblem(code);
    if (problem !== null) return { expectation: `no ${code}`, ok: false, detail: problem };
    const hits = report.connections
      .map((c) => ({ id: c.tcp.id, n: c.annotationCounts[code] ?? 0 }))
      .filter((h) => h.n > 0);
    const total = hits.reduce((s, h) => s + h.n, 0);
    return {
      expectation: `no ${code}`,
      ok: total === 0,
      detail: total === 0 ? 'none' : `found ${total} in connection(s) ${hits.map((h) => `${h.id} (${h.n})`).join(', ')}`,
    };
  });
}

/**
 * What is wrong with an expectation whatever the capture holds, or null: a name that is neither a total nor a
 * property, a value the property never takes, text where a number is needed. `tcptrace check` says it before it reads
 * any capture (a usage error); evaluate() fails the expectation with it.
 */
export function expectationProblem(e: Expectation): string | null {
  const totalName = isTotal(e.name);
  if (!totalName && !FACT_NAMES.has(e.name)) {
    const meant = suggestion(e.name);
    const names = `; connection properties are: ${[...FACT_NAMES].join(', ')}; totals are: ${[...TOTALS].join(', ')} and the annotation codes`;
    return `unknown name "${e.name}"${meant === '' ? names : meant}`;
  }
  const badValue = totalName ? null : valueProblem(e.name, e.op, e.value);
  if (badValue !== null) return badValue;
  // null (no value) is equal or not, never more or less: `rtt.ms>=null` could never hold.
  if (!totalName && e.value === 'null' && e.op !== '=' && e.op !== '!=') return `null has no order: compare ${e.name} with null by = or !=`;
  // Text and yes/no properties have no order either (`http.upgrade>=1`, `history>1` could never hold).
  if (!totalName && !NUMERIC_FACT_NAMES.has(e.name) && e.op !== '=' && e.op !== '!=') {
    return `${e.name} is not a number: it has no order, compare it with = or !=`;
  }
  if (!totalName && e.op !== '=' && e.op !== '!=' && e.value !== 'null' && Number.isNaN(Number(e.value))) {
    return `"${e.value}" is not a number: ${e.name} ${e.op} needs one`;
  }
  if (NUMERIC_FACT_NAMES.has(e.name) && e.value !== 'null' && Number.isNaN(Number(e.value))) {
    return `"${e.value}" is not a number: ${e.name} is one`;
  }
  if (totalName && (Number.isNaN(Number(e.value)) || e.value === '')) return `"${e.value}" is not a number: ${e.name} counts`;
  return null;
}

/** What is wrong with a --fail-on code (not an annotation code), or null. */
export function failOnProblem(code: string): string | null {
  return ANNOTATION_CODES.has(code) ? null : `unknown annotation code "${code}"${suggestion(code)}`;
}

export function evaluate(report: Report, e: Expectation): CheckResult {
  if (report.connections.length < report.stats.connections) {
    // A report made with keepConnections: false (connections handed to onConnection and not kept): every count and
    // property would be read from the few it holds, and be wrong.
    return {
      expectation: e.source, ok: false,
      detail: `the report holds ${report.connections.length} of its ${report.stats.connections} connections (made with keepConnections: false); checks need them all`,
    };
  }
  // What is wrong with the expectation itself is said whatever the capture holds (none of its connections needed).
  const problem = expectationProblem(e);
  if (problem !== null) return { expectation: e.source, ok: false, detail: problem };
  const totalName = isTotal(e.name);
  const conns = e.scope.kind === 'conn' ? report.connections.filter((c) => c.tcp.id === (e.scope as { id: number }).id) : report.connections;
  if (e.scope.kind === 'conn' && conns.length === 0) {
    return { expectation: e.source, ok: false, detail: `there is no connection ${e.scope.id} (the capture has ${report.connections.length})` };
  }
  // A property, or any per-connection scope, says something about connections: over none it holds nothing (a
  // capture that lost its connections must not pass `every: tcp.retransmission=0` any more than `close=fin`).
  if ((!totalName || e.scope.kind === 'every' || e.scope.kind === 'any') && report.connections.length === 0) {
    return { expectation: e.source, ok: false, detail: 'the capture has no TCP connection' };
  }
  if (totalName) {
    if (e.scope.kind === 'every' || e.scope.kind === 'any') {
      return perConnection(conns, e, (c) => total([c], report, e.name));
    }
    const found = total(conns, report, e.name);
    const ok = compare(found, e.op, e.value);
    return { expectation: e.source, ok, detail: `found ${found}` };
  }
  return perConnection(conns, e, (c) => connectionFacts(c)[e.name]);
}

function perConnection(conns: ConnectionReport[], e: Expectation, get: (c: ConnectionReport) => FactValue | undefined): CheckResult {
  const results = conns.map((c) => ({ id: c.tcp.id, value: get(c) }));
  // A number compared with text can only be a typo (null stays comparable: rtt.ms != null); so is ordering by text,
  // even where every connection's value is null.
  const ordering = e.op !== '=' && e.op !== '!=';
  if (e.value !== 'null' && Number.isNaN(Number(e.value)) && (ordering || results.some((r) => typeof r.value === 'number'))) {
    return { expectation: e.source, ok: false, detail: `"${e.value}" is not a number: ${e.name} ${ordering ? `${e.op} needs one` : 'is one'}` };
  }
  const failing = results.filter((r) => !compare(r.value as FactValue, e.op, e.value));
  const any = e.scope.kind === 'any';
  const ok = any ? failing.length < results.length : failing.length === 0;
  const shown = (any ? results : failing).slice(0, 5).map((r) => `conn ${r.id}: ${String(r.value)}`).join('; ');
  const more = (any ? results : failing).length > 5 ? `; … ${(any ? results : failing).length - 5} more` : '';
  const detail = ok
    ? `held for ${any ? results.length - failing.length : results.length} connection(s)`
    : any
      ? `no connection has it (${shown}${more})`
      : `${failing.length} of ${results.length} connection(s) differ (${shown}${more})`;
  return { expectation: e.source, ok, detail };
}

const BOOLEAN = ['true', 'false'] as const;
const STATES = ['CLOSED', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT', 'RESET'];
/**
 * The values a word-valued connection property can take (null aside, which any may be): a value outside them is a
 * typo, and `http.mode!=pipelinedd` would otherwise hold for every connection. Keys must stay connectionFacts() keys
 * (test/check.test.ts).
 */
export const PROPERTY_VALUES: Readonly<Record<string, readonly string[]>> = {
  midstream: BOOLEAN,
  selfConnect: BOOLEAN,
  handshake: BOOLEAN,
  'state.client': STATES,
  'state.server': STATES,
  close: ['fin', 'rst', 'refused', 'half-closed', 'no-answer', 'open'],
  'close.reason': ['refused', 'rst-client', 'rst-server', 'fin-simultaneous', 'fin-client-first', 'fin-server-first', 'half-closed', 'no-answer', 'open'],
  'close.by': ['client', 'server'],
  'http.mode': ['short', 'keep-alive', 'pipelined', 'upgraded', 'tunnel', 'none', 'unknown'],
  'http.close': ['announced', 'idle-close', 'client-close', 'both-close', 'reset', 'mid-response', 'unanswered', 'after-switch', 'open'],
  'http.closedBy': ['client', 'server', 'both'],
  'http.closeAnnounced': BOOLEAN,
  'http.reuse': BOOLEAN,
  'other.protocol': ['TLS', 'SSH'],
};

/** Properties every connection has a value for (connectionFacts never gives null for them). */
const NEVER_NULL: ReadonlySet<string> = new Set(['midstream', 'selfConnect', 'handshake', 'state.client', 'state.server', 'close', 'close.reason']);

/** Why `value` cannot be one of `name`'s values (with the closest one), or null when it can. */
function valueProblem(name: string, op: Op, value: string): string | null {
  const allowed = PROPERTY_VALUES[name];
  if (allowed === undefined || value === 'null') return null;
  if (op !== '=' && op !== '!=') return `${name} is one of ${allowed.join(', ')}: it has no order, compare it with = or !=`;
  if (allowed.includes(value)) return null;
  // The start of values (close.reason=fin: fin-simultaneous, fin-client-first, fin-server-first), else the nearest.
  let best = allowed.filter((known) => value !== '' && known.toLowerCase().startsWith(value.toLowerCase())).join(' or ');
  let bestDistance = best === '' ? 4 : 0;
  for (const known of allowed) {
    const d = editDistance(value.toLowerCase(), known.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = known;
    }
  }
  const orNull = NEVER_NULL.has(name) ? '' : ' or null';
  return `"${value}" is not a value of ${name}${best === '' ? '' : ` (did you mean ${best}?)`}: it is one of ${allowed.join(', ')}${orNull}`;
}

/**
 * Connection properties that share a name with an annotation code (the property wins, as it always did): every code
 * that is also a key of connectionFacts(). test/check.test.ts keeps this list equal to that intersection.
 */
export const PROPERTY_CODES: ReadonlySet<string> = new Set(['http.pipelined', 'http.upgrade']);

function isTotal(name: string): boolean {
  // Annotation codes count annotations over the scope; names also used by a property are that property.
  return TOTALS.has(name) || (ANNOTATION_CODES.has(name) && !PROPERTY_CODES.has(name));
}

/** ", did you mean X?" for a name one or two edits away from a known code, total or property (case aside); '' otherwise. */
function suggestion(name: string): string {
  let best = '';
  let bestDistance = 3;
  for (const known of [...ANNOTATION_CODES, ...TOTALS, ...FACT_NAMES]) {
    const d = editDistance(name.toLowerCase(), known.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = known;
    }
  }
  return best === '' ? '' : ` (did you mean ${best}?)`;
}

/** Levenshtein distance, or `limit` once it is certain to reach it. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return Math.min(prev[b.length]!, limit);
}

function total(conns: ConnectionReport[], report: Report, name: string): number {
  switch (name) {
    case 'connections':
      return conns.length;
    case 'packets':
      return conns === report.connections ? report.stats.records : conns.reduce((s, c) => s + c.tcp.packets.client + c.tcp.packets.server, 0);
    case 'tcp-packets':
      return conns.reduce((s, c) => s + c.tcp.packets.client + c.tcp.packets.server, 0);
    case 'bytes':
      return conns.reduce((s, c) => s + c.tcp.payloadBytes.client + c.tcp.payloadBytes.server, 0);
    case 'http.requests':
      return conns.reduce((s, c) => s + c.http.requests, 0);
    case 'http.responses':
      return conns.reduce((s, c) => s + c.http.responses, 0);
    default:
      return conns.reduce((s, c) => s + (c.annotationCounts[name] ?? 0), 0);
  }
}

function compare(found: FactValue, op: Op, wanted: string): boolean {
  if (typeof found === 'number' || (typeof found !== 'string' && typeof found !== 'boolean' && found !== null)) {
    const w = Number(wanted);
    if (Number.isNaN(w)) return op === '!=';
    const f = Number(found);
    switch (op) {
      case '=':
        return f === w;
      case '!=':
        return f !== w;
      case '>=':
        return f >= w;
      case '<=':
        return f <= w;
      case '>':
        return f > w;
      case '<':
        return f < w;
    }
  }
  const f = String(found);
  if (op === '=') return f === wanted;
  if (op === '!=') return f !== wanted;
  // Ordering on a text property has no meaning: it never holds, and the detail shows the value.
  return false;
}
