// The per-connection HTTP verdict (short, keep-alive, pipelined, upgraded, tunnel, none, unknown) with its evidence.
// A pure function of the exported exchanges, a few parser facts and the TCP close facts: it parses nothing.

import { reuseVerdict, versionNumber, type ExchangeRec } from './exchange.js';
import { headerTokens } from './syntax.js';
import type { CloseKind, HttpExchange, HttpMode, HttpSummary, TcpCloseFacts } from './types.js';

/** What the connection knows beyond its exchanges. */
export interface ConnectionFacts {
  /** A start line was accepted in some direction. */
  detected: boolean;
  rolesInverted: boolean;
  responses: number;
  interimResponses: number;
  switched: 'upgrade' | 'tunnel' | null;
  upgradeTo: string | null;
  parseStopped: string[];
  unparsedBytes: number;
  opaqueBytes: number;
}

function distinct(values: (string | null)[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== null && v !== '' && !out.includes(v)) out.push(v);
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Verdict rules, first match wins:
 * none: no start line in either direction. upgraded / tunnel: a 101 / a 2xx to CONNECT took the connection over.
 * pipelined: some request was sent before an earlier response was complete (depth ≥ 2).
 * keep-alive: two or more requests, none pipelined (requests after a response the capture lost are undetermined,
 * which is not pipelining). short: one request and the connection closed. unknown: anything else (one request and
 * still open, responses without requests).
 */
export function classify(
  recs: readonly ExchangeRec[],
  exs: readonly HttpExchange[],
  facts: ConnectionFacts,
  close: TcpCloseFacts,
): HttpSummary {
  const requests = exs.filter((e) => e.method !== null);
  const pipelinedRequests = exs.filter((e) => e.pipelined).length;
  const maxPipelineDepth = exs.reduce((m, e) => Math.max(m, e.pipelineDepth), 0);
  const undetermined = exs.filter((e) => e.order === 'undetermined').length;
  const lostResponses = exs.filter((e) => e.responseState === 'lost').length;
  const unanswered = requests.filter((e) => e.responseState === 'unanswered' || e.responseState === 'absent').length;
  const orphanResponses = exs.filter((e) => e.method === null).length;
  const requestVersions = distinct(exs.map((e) => e.requestVersion));
  const responseVersions = distinct(exs.map((e) => e.responseVersion));
  const requestConnection = distinct(exs.flatMap((e) => headerTokens(e.requestConnection)));
  const responseConnection = distinct(exs.flatMap((e) => headerTokens(e.responseConnection)));

  let lastFinal: ExchangeRec | null = null;
  for (const r of recs) if (r.responseSeen && r.responseVersion !== null) lastFinal = r;
  const reuse = lastFinal === null ? null : reuseVerdict(lastFinal);

  const toHttp = (role: 'client' | 'server' | null): 'client' | 'server' | null =>
    role === null ? null : facts.rolesInverted ? (role === 'client' ? 'server' : 'client') : role;
  const open = close.openAtEnd;
  const closedBy: HttpSummary['closedBy'] = open ? null : close.simultaneous ? 'both' : toHttp(close.firstFinBy ?? close.rstBy);
  const closeHow: HttpSummary['closeHow'] = open ? null : close.firstFinBy !== null ? 'fin' : close.rstBy !== null ? 'rst' : null;

  let lastWithResponse: HttpExchange | null = null;
  for (const e of exs) if (e.responseState === 'complete' || e.responseState === 'incomplete') lastWithResponse = e;
  const lastIndex = lastWithResponse?.index ?? 0;
  const unansweredAtEnd = requests.filter((e) => e.index > lastIndex && (e.responseState === 'unanswered' || e.responseState === 'absent')).length;
  const announced = reuse !== null && !reuse.reusable;

  let closeKind: CloseKind | null = null;
  if (facts.detected) {
    if (open) closeKind = 'open';
    else if (facts.switched !== null) closeKind = 'after-switch';
    else if (lastWithResponse !== null && lastWithResponse.responseState === 'incomplete') closeKind = 'mid-response';
    else if (unansweredAtEnd > 0) closeKind = 'unanswered';
    else if (announced) closeKind = 'announced';
    else if (closeHow === 'rst') closeKind = 'reset';
    else if (closedBy === 'client') closeKind = 'client-close';
    else if (closedBy === 'server') closeKind = 'idle-close';
    else if (closedBy === 'both') closeKind = 'both-close';
  }
  const closeAnnounced = !facts.detected || open || facts.switched !== null ? null : announced;

  let mode: HttpMode;
  if (!facts.detected) mode = 'none';
  else if (facts.switched === 'upgrade') mode = 'upgraded';
  else if (facts.switched === 'tunnel') mode = 'tunnel';
  else if (pipelinedRequests > 0) mode = 'pipelined';
  else if (requests.length >= 2) mode = 'keep-alive';
  else if (requests.length === 1 && !open) mode = 'short';
  else mode = 'unknown';

  const summary: HttpSummary = {
    mode,
    reason: '',
    requests: requests.length,
    responses: facts.responses,
    interimResponses: facts.interimResponses,
    pipelinedRequests,
    maxPipelineDepth,
    undetermined,
    lostResponses,
    unanswered,
    orphanResponses,
    requestVersions,
    responseVersions,
    requestConnection,
    responseConnection,
    lastResponseAllowsReuse: reuse === null ? null : reuse.reusable,
    closedBy,
    closeHow,
    closeAnnounced,
    closeKind,
    upgradeTo: facts.upgradeTo,
    rolesInverted: facts.rolesInverted,
    http09: exs.some((e) => e.requestVersion === 'HTTP/0.9'),
    parseStopped: facts.parseStopped.slice(),
    unparsedBytes: facts.unparsedBytes,
    opaqueBytes: facts.opaqueBytes,
  };
  summary.reason = reasonLine(summary, reuse, unansweredAtEnd);
  return summary;
}

function versionLabel(s: HttpSummary): string {
  const req = s.requestVersions.filter((v) => versionNumber(v) >= 0);
  const resp = s.responseVersions.filter((v) => versionNumber(v) >= 0);
  if (req.length === 0 && resp.length === 0) return 'HTTP';
  if (req.length === 0) return resp.join('/');
  if (resp.length === 0 || (req.length === 1 && resp.length === 1 && req[0] === resp[0])) return req.join('/');
  // Mixed versions read as one label before the verdict: "HTTP/1.0 (HTTP/1.1 responses) keep-alive: …".
  return `${req.join('/')} (${resp.join('/')} responses)`;
}

function closePhrase(s: HttpSummary, unansweredAtEnd: number): string {
  const who = s.closedBy === 'both' ? 'both sides' : s.closedBy ?? 'the connection';
  switch (s.closeKind) {
    case 'open':
      return 'connection still open at capture end';
    case 'after-switch':
      return s.closeHow === 'rst' ? `${who} reset the connection` : `${who} closed`;
    case 'mid-response':
      return s.closeHow === 'rst' ? `${who} reset the connection mid-response` : `${who} closed mid-response`;
    case 'unanswered':
      return `${who} closed with ${plural(unansweredAtEnd, 'request')} unanswered`;
    case 'reset':
      return `${who} reset the connection after the last response`;
    case 'both-close':
      return 'both sides closed at once after the last response';
    default:
      return s.closeHow === 'rst' ? `${who} reset the connection after the last response` : `${who} closed after the last response`;
  }
}

function reasonLine(s: HttpSummary, reuse: { reusable: boolean; why: string } | null, unansweredAtEnd: number): string {
  if (s.mode === 'none') {
    return `not HTTP: no HTTP request or status line in either direction (${plural(s.unparsedBytes, 'byte')})`;
  }
  const label = versionLabel(s);
  const closing = closePhrase(s, unansweredAtEnd);
  const announced = s.closeAnnounced === null ? '' : s.closeAnnounced ? ` (announced: yes, ${reuse!.why})` : ' (announced: no)';
  const extras: string[] = [];
  if (s.undetermined > 0) {
    extras.push(`${plural(s.undetermined, 'request')} undetermined (the response before it is not in the capture)`);
  }
  if (s.rolesInverted) extras.push(s.requests > 0 ? 'TCP roles inverted: requests travel server→client' : 'TCP roles inverted: responses travel client→server');
  if (s.parseStopped.length > 0) extras.push(`parsing stopped: ${s.parseStopped[0]}`);
  const tail = extras.length > 0 ? `; ${extras.join('; ')}` : '';
  switch (s.mode) {
    case 'upgraded':
      return `${label} upgraded to ${s.upgradeTo ?? 'another protocol'} after ${plural(s.requests, 'request')} (101 Switching Protocols); ${closing}${tail}`;
    case 'tunnel':
      return `${label} CONNECT tunnel to ${s.upgradeTo ?? '?'} after ${plural(s.requests, 'request')}; ${closing}${tail}`;
    case 'pipelined':
      return `${label} pipelined: ${plural(s.requests, 'request')}, ${s.pipelinedRequests} sent before an earlier response completed, up to ${s.maxPipelineDepth} outstanding; ${closing}${announced}${tail}`;
    case 'keep-alive': {
      const ka = versionNumber(s.responseVersions[0] ?? null) === 10 && s.responseConnection.includes('keep-alive') ? ' (Connection: keep-alive)' : '';
      return `${label} keep-alive${ka}: ${s.requests} requests reused one connection; ${closing}${announced}${tail}`;
    }
    case 'short':
      return `${label} short: 1 request; ${closing}${announced}${tail}`;
    default: {
      if (s.requests === 0) {
        return `${label}: ${plural(s.responses, 'response')} without their requests (request direction not captured, or the capture started mid-stream); ${closing}${tail}`;
      }
      const reusable = s.lastResponseAllowsReuse === null ? '' : ` (reuse ${s.lastResponseAllowsReuse ? 'allowed' : 'not allowed'}: ${reuse!.why})`;
      return `${label}: ${plural(s.requests, 'request')}; ${closing}${reusable}${tail}`;
    }
  }
}
