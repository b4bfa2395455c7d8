// The per-connection HTTP verdict (short, keep-alive, pipelined, upgraded, tunnel, none, unknown) with its evidence.
// A pure function of the exchange records with their order, a few parser facts and the TCP close facts: it parses
// nothing, and needs no exported exchanges (a caller that prints only verdicts never builds them).

import { knownReuseVerdict, versionNumber, type ExchangeRec } from './exchange.js';
import { headerTokens } from './syntax.js';
import type { CloseKind, HttpMode, HttpSummary, OtherProtocol, RequestOrder, TcpCloseFacts } from './types.js';

/** What the connection knows beyond its exchanges. */
export interface ConnectionFacts {
  /** A start line was accepted in some direction. */
  detected: boolean;
  rolesInverted: boolean;
  responses: number;
  interimResponses: number;
  switched: 'upgrade' | 'tunnel' | null;
  upgradeTo: string | null;
  /** The connection opened with the HTTP/2 preface (switched is 'upgrade', upgradeTo 'HTTP/2'). */
  priorKnowledge?: boolean;
  parseStopped: string[];
  /** A direction stopped at a start line that begins as HTTP does but could not be read (its label and why). */
  unreadStartLine?: string | null;
  unparsedBytes: number;
  opaqueBytes: number;
  /** Bytes the request direction sent that never made a request (responses came back: they were its requests). */
  unreadableRequestBytes?: number;
  /** The request direction sent no byte at all, after a captured handshake, with nothing lost: responses unsolicited. */
  requestDirectionSilent?: boolean;
  /** What the first bytes showed when they were not HTTP (sniff.ts); used only when nothing was detected. */
  otherProtocol?: OtherProtocol | null;
  /** How far the response direction's stream went, bytes lost included (-1 unknown): nothing of it came after. */
  responseEndOffset?: number;
}

/** Appends v unless it is null, empty or already listed (first-seen order). */
function addDistinct(out: string[], v: string | null): void {
  if (v !== null && v !== '' && !out.includes(v)) out.push(v);
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
  ordering: { order: readonly (RequestOrder | null)[]; depth: readonly number[] },
  facts: ConnectionFacts,
  close: TcpCloseFacts,
): HttpSummary {
  const { order, depth } = ordering;
  let requests = 0;
  let pipelinedRequests = 0;
  let maxPipelineDepth = 0;
  let undetermined = 0;
  let lostResponses = 0;
  let unanswered = 0;
  let orphanResponses = 0;
  let unsolicited = 0;
  let http09 = false;
  const requestVersions: string[] = [];
  const responseVersions: string[] = [];
  const requestConnection: string[] = [];
  const responseConnection: string[] = [];
  for (let i = 0; i < recs.length; i++) {
    const e = recs[i]!;
    const waiting = e.responseState === 'unanswered' || e.responseState === 'absent';
    if (e.method !== null) {
      requests++;
      if (waiting) unanswered++;
    } else if (e.unsolicited) {
      unsolicited++;
    } else {
      orphanResponses++;
    }
    if (order[i] === 'pipelined') pipelinedRequests++;
    else if (order[i] === 'undetermined') undetermined++;
    if (depth[i]! > maxPipelineDepth) maxPipelineDepth = depth[i]!;
    if (e.responseState === 'lost') lostResponses++;
    if (e.requestVersion === 'HTTP/0.9') http09 = true;
    addDistinct(requestVersions, e.requestVersion);
    addDistinct(responseVersions, e.responseVersion);
    if (e.requestConnection !== null) for (const t of headerTokens(e.requestConnection)) addDistinct(requestConnection, t);
    if (e.responseConnection !== null) for (const t of headerTokens(e.responseConnection)) addDistinct(responseConnection, t);
  }

  let lastFinal: ExchangeRec | null = null;
  for (const r of recs) if (r.responseSeen && r.responseVersion !== null) lastFinal = r;
  // Null also when header lines the capture lost could have decided it (knownReuseVerdict).
  const reuse = lastFinal === null ? null : knownReuseVerdict(lastFinal);

  const toHttp = (role: 'client' | 'server' | null): 'client' | 'server' | null =>
    role === null ? null : facts.rolesInverted ? (role === 'client' ? 'server' : 'client') : role;
  const open = close.openAtEnd;
  const closedBy: HttpSummary['closedBy'] = open ? null : close.simultaneous ? 'both' : toHttp(close.firstFinBy ?? close.rstBy);
  const closeHow: HttpSummary['closeHow'] = open ? null : close.firstFinBy !== null ? 'fin' : close.rstBy !== null ? 'rst' : null;

  let lastIndex = 0;
  for (const e of recs) if (e.responseState === 'complete' || e.responseState === 'incomplete') lastIndex = e.index;
  const lastWithResponse = lastIndex === 0 ? null : recs[lastIndex - 1]!;
  let unansweredAtEnd = 0;
  // RFC 9112 §9.5: a client "might have started to send a new request at the same time that the server has decided to
  // close the idle connection". Such a request reached the capture point after the server's FIN, or crossed it (the
  // FIN does not acknowledge its bytes): the server never read it, and the close was the server's, not a dropped
  // request. The responder is the TCP server unless the roles are inverted.
  const responderFin = facts.rolesInverted ? close.clientFinFrame : close.serverFinFrame;
  const responderFinAcked = (facts.rolesInverted ? close.clientFinAckedOffset : close.serverFinAckedOffset) ?? -1;
  const responderClosedFirst = close.firstFinBy !== null && toHttp(close.firstFinBy) === 'server';
  // The requester's TCP had the FIN (it acknowledged it) when the request went out: a connection already closed by
  // the server was reused (a pooled connection whose close the client had not read), rather than a crossing.
  const responderFinAckFrame = (facts.rolesInverted ? close.clientFinAckFrame : close.serverFinAckFrame) ?? 0;
  const lateRequests: number[] = [];
  const staleRequests: number[] = [];
  for (const e of recs) {
    if (e.method !== null && e.index > lastIndex && (e.responseState === 'unanswered' || e.responseState === 'absent')) {
      unansweredAtEnd++;
      const afterFin = responderFin > 0 && e.requestStart !== null && e.requestStart.frame > responderFin;
      const crossed = responderFin > 0 && responderFinAcked >= 0 && e.requestOffset >= responderFinAcked;
      if (responderClosedFirst && (afterFin || crossed)) {
        lateRequests.push(e.index);
        if (responderFinAckFrame > 0 && e.requestStart !== null && e.requestStart.frame >= responderFinAckFrame) staleRequests.push(e.index);
      }
    }
  }
  const allLate = unansweredAtEnd > 0 && lateRequests.length === unansweredAtEnd;
  // Whether the close was announced is unknown when the capture lacks what would have said it: a response after the
  // last one seen was lost (its Connection field with it), or the last one lost bytes of its header section.
  let announceLost: string | null = null;
  for (let i = lastFinal === null ? 0 : lastFinal.index; i < recs.length; i++) {
    if (recs[i]!.responseState === 'lost') announceLost = `response ${recs[i]!.index} is not in the capture`;
  }
  // A header section cut by the loss leaves it unknown unless what was read before the loss decides it (a close).
  if (announceLost === null && lastFinal !== null && reuse === null) {
    announceLost = `${lastFinal.responseLoss === 'head' ? 'response' : 'request'} ${lastFinal.index} lost bytes of its header section`;
  }
  const announced: boolean | null = announceLost !== null ? null : reuse !== null && !reuse.reusable;
  // The first FIN came before the last response ended: that side only stopped sending (a half-close, RFC 9293
  // §3.6; a client that sends its request and shuts down its side), and the close that ended the connection came
  // later, or not at all within the capture.
  let halfClose: string | null = null;
  if (!open && !close.simultaneous && close.firstFinBy !== null && lastWithResponse !== null) {
    const firstFin = close.firstFinBy === 'client' ? close.clientFinFrame : close.serverFinFrame;
    const otherFin = close.firstFinBy === 'client' ? close.serverFinFrame : close.clientFinFrame;
    const responseMark = lastWithResponse.responseEnd ?? lastWithResponse.responseStart;
    if (firstFin > 0 && responseMark !== null && firstFin < responseMark.frame) {
      const first = toHttp(close.firstFinBy)!;
      const other = first === 'client' ? 'server' : 'client';
      const then = otherFin > 0 ? `${other} closed after it` : close.rstBy !== null ? `${toHttp(close.rstBy)} reset the connection` : `${other} still open at capture end`;
      halfClose = `${first} half-closed before the last response, ${then}`;
    }
  }

  const endOffset = facts.responseEndOffset ?? -1;
  let answerNotUnread = false;
  for (const e of recs) {
    if (e.method !== null && e.index > lastIndex && (e.responseState === 'unanswered' || e.responseState === 'absent') &&
      endOffset >= 0 && e.responsePosAtSend >= endOffset) answerNotUnread = true;
  }
  let closeKind: CloseKind | null = null;
  if (facts.detected) {
    if (open) closeKind = 'open';
    else if (facts.switched !== null) closeKind = 'after-switch';
    // Cut short by the close. One cut by bytes the capture lacks may have ended in the bytes after them, unread, or
    // been cut by the close as well: which, the capture does not tell (null; the reason says so).
    else if (lastWithResponse !== null && lastWithResponse.responseState === 'incomplete') {
      // Unless a request went out once the response direction had sent all it would: its answer is not in the
      // unread bytes, and it was left unanswered whatever ended the cut response.
      closeKind = lastWithResponse.responseLoss === null ? 'mid-response' : unansweredAtEnd > 0 && !allLate && answerNotUnread ? 'unanswered' : null;
    } else if (unansweredAtEnd > 0 && !allLate) closeKind = 'unanswered';
    // Whether it was announced decides the rest: unknown, so is the kind (null; the reason says why).
    else if (announced === null) closeKind = null;
    else if (announced) closeKind = 'announced';
    else if (allLate) closeKind = 'idle-close';
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
  else if (requests >= 2) mode = 'keep-alive';
  else if (requests === 1 && !open) mode = 'short';
  else mode = 'unknown';

  const summary: HttpSummary = {
    mode,
    reason: '',
    requests,
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
    http09,
    parseStopped: facts.parseStopped.slice(),
    unparsedBytes: facts.unparsedBytes,
    opaqueBytes: facts.opaqueBytes,
    otherProtocol: mode === 'none' ? facts.otherProtocol ?? null : null,
  };
  const named = (list: number[]) => (list.length === 1 ? `request ${list[0]}` : `requests ${list.join(', ')}`);
  const crossing = lateRequests.filter((i) => !staleRequests.includes(i));
  const lateParts: string[] = [];
  if (crossing.length > 0) lateParts.push(`the client's ${named(crossing)} crossed the server's FIN and went unread`);
  if (staleRequests.length > 0) {
    lateParts.push(`the client sent ${named(staleRequests)} after its TCP had the server's FIN (a closed connection reused), unread`);
  }
  const late = allLate ? `; ${lateParts.join('; ')} (RFC 9112 §9.5)` : '';
  // Said where a close follows it, which it was not cut by.
  const lossCut = !open && lastWithResponse !== null && lastWithResponse.responseState === 'incomplete' && lastWithResponse.responseLoss !== null
    ? lastWithResponse.index : null;
  summary.reason = reasonLine(summary, reuse, unansweredAtEnd, halfClose, facts.unreadStartLine ?? null, facts.unreadableRequestBytes ?? 0, late,
    facts.requestDirectionSilent === true, close.dataSeen !== false, unsolicited,
    { announceLost: open ? null : announceLost, lossCut, endUnknown: endUnknownText(close, toHttp) });
  if (close.selfConnect === true && facts.detected) {
    // What it sends comes back to it: its requests are read by itself, if at all, and no server answers them.
    summary.reason = `self-connect (the socket is connected to itself: each request came back to its own sender, no server answered); ${summary.reason}`;
  }
  if (facts.priorKnowledge === true) {
    summary.reason = `HTTP/2 with prior knowledge (RFC 9113 §3.4): the connection preface, then HTTP/2 frames, not analysed; ${closePhrase(summary, unansweredAtEnd, halfClose)}`;
  }
  return summary;
}

/** What an ACK left undecided at the end says (TcpCloseFacts.clientEndUnknownFrame), in HTTP roles; null if none. */
function endUnknownText(close: TcpCloseFacts, toHttp: (role: 'client' | 'server') => 'client' | 'server' | null): string | null {
  const parts: string[] = [];
  for (const role of ['client', 'server'] as const) {
    const frame = (role === 'client' ? close.clientEndUnknownFrame : close.serverEndUnknownFrame) ?? 0;
    if (frame <= 0) continue;
    const side = toHttp(role)!;
    const other = side === 'client' ? 'server' : 'client';
    parts.push(`the ${other} acknowledged one sequence number past all the ${side} sent (frame ${frame}): the ${side}'s FIN or ` +
      'one more byte, which the capture lacks; nothing after it told which');
  }
  return parts.length === 0 ? null : parts.join('; ');
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

function closePhrase(s: HttpSummary, unansweredAtEnd: number, halfClose: string | null, lastCutByLoss = false): string {
  const who = s.closedBy === 'both' ? 'both sides' : s.closedBy ?? 'the connection';
  // Not "after the last response": where that response ended is not known.
  if (s.closeKind === null && lastCutByLoss) return s.closeHow === 'rst' ? `${who} reset the connection` : `${who} closed`;
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
      if (halfClose !== null) return halfClose;
      return s.closeHow === 'rst' ? `${who} reset the connection after the last response` : `${who} closed after the last response`;
  }
}

function reasonLine(
  s: HttpSummary, reuse: { reusable: boolean; why: string } | null, unansweredAtEnd: number, halfClose: string | null,
  unreadStartLine: string | null, unreadableRequestBytes = 0, late = '', requestDirectionSilent = false, dataSeen = true,
  unsolicited = 0,
  loss: { announceLost: string | null; lossCut: number | null; endUnknown: string | null } = { announceLost: null, lossCut: null, endUnknown: null },
): string {
  if (s.mode === 'none') {
    const other = s.otherProtocol;
    if (other !== null) return `not HTTP: ${otherProtocolText(other)} (${plural(s.unparsedBytes, 'byte')} not parsed)`;
    // A connection that carried nothing (refused, or closed unused) says so, rather than calling its silence not HTTP.
    if (s.unparsedBytes === 0 && s.opaqueBytes === 0 && dataSeen === false) return 'no HTTP: no data in either direction';
    return `not HTTP: no HTTP request or status line in either direction (${plural(s.unparsedBytes, 'byte')})`;
  }
  const label = versionLabel(s);
  const closing = closePhrase(s, unansweredAtEnd, halfClose, loss.lossCut !== null) + late;
  const announced = s.closeAnnounced !== null ? (s.closeAnnounced ? ` (announced: yes, ${reuse!.why})` : ' (announced: no)')
    : loss.announceLost !== null && s.closeKind !== 'after-switch' ? ` (announced: unknown, ${loss.announceLost})` : '';
  const extras: string[] = [];
  if (loss.lossCut !== null) extras.push(`response ${loss.lossCut} cut short by bytes missing from the capture: whether the close cut it too is unknown`);
  if (s.undetermined > 0) {
    extras.push(`${plural(s.undetermined, 'request')} undetermined (the response before ${s.undetermined === 1 ? 'it' : 'each'} is not whole in the capture)`);
  }
  if (s.orphanResponses > 0 && s.requests > 0) {
    // Requests the capture lost: the mode counts what is seen, and cannot rule out reuse or pipelining they had.
    extras.push(`${plural(s.orphanResponses, 'response')} without a request in the capture`);
  }
  if (unsolicited > 0 && s.requests > 0) {
    extras.push(`${plural(unsolicited, 'response')} unasked after every request was answered (RFC 9110 §15.5.9: as a 408 closing an idle connection)`);
  }
  if (s.rolesInverted) extras.push(s.requests > 0 ? 'TCP roles inverted: requests travel server→client' : 'TCP roles inverted: responses travel client→server');
  if (loss.endUnknown !== null) extras.push(loss.endUnknown);
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
      if (s.requests === 0 && s.responses === 0) {
        // Only a start line that could not be read (unreadStartLine): there is no last response to close after.
        const who = s.closedBy === 'both' ? 'both sides' : s.closedBy ?? 'the connection';
        const end = s.closeKind === 'open' ? 'connection still open at capture end'
          : s.closeHow === 'rst' ? `${who} reset the connection` : `${who} closed`;
        return `${label}: no message could be parsed (${unreadStartLine ?? 'no start line'}); ${end}`;
      }
      if (s.requests === 0) {
        // A request line that could not be read explains the responses (the tail says why): no guess then.
        const guess = unreadStartLine !== null ? ''
          : unreadableRequestBytes > 0 ? ` (the client sent ${plural(unreadableRequestBytes, 'byte')} that are not an HTTP request line)`
          : requestDirectionSilent ? ' (the client sent nothing on this connection: the server spoke unasked, as a 408 Request Timeout on a connection left unused, RFC 9110 §15.5.9)'
          : ' (request direction not captured, or the capture started mid-stream)';
        return `${label}: ${plural(s.responses, 'response')} without their requests${guess}; ${closing}${tail}`;
      }
      const reusable = s.lastResponseAllowsReuse === null ? '' : ` (reuse ${s.lastResponseAllowsReuse ? 'allowed' : 'not allowed'}: ${reuse!.why})`;
      return `${label}: ${plural(s.requests, 'request')}; ${closing}${reusable}${tail}`;
    }
  }
}

/** The reason's words for a connection that carries TLS or SSH instead of HTTP. */
function otherProtocolText(o: OtherProtocol): string {
  if (o.name === 'SSH') {
    const client = o.clientBanner !== null ? `client ${o.clientBanner}` : "the client's identification string is not in the capture";
    const server = o.serverBanner !== null ? `server ${o.serverBanner}` : "the server's identification string is not in the capture";
    return `SSH${o.version !== null ? ` ${o.version}` : ''} (${client}; ${server})`;
  }
  const facts: string[] = [];
  if (o.serverName !== null) facts.push(`server name ${o.serverName}`);
  if (o.alpn !== null) facts.push(`ALPN ${o.alpn}${o.alpnOffered.length > 0 ? ` of ${o.alpnOffered.join(', ')}` : ''}`);
  else if (o.alpnOffered.length > 0) facts.push(`ALPN offered ${o.alpnOffered.join(', ')}`);
  if (o.alert !== null) facts.push(`alert from the ${o.alert}`);
  if (o.version === null && o.offeredVersion !== null && o.alert === null) facts.push(`client offers up to ${o.offeredVersion}, no server hello in the capture`);
  if (o.helloCut) facts.push('a hello cut short by the capture');
  else if (o.version === null && o.offeredVersion === null && o.alert === null && o.serverName === null) facts.push('records only: the hellos are not in the capture');
  const label = o.version ?? 'TLS';
  // Refused by an alert before any key was agreed: nothing was encrypted.
  const tail = o.alert !== null && o.version === null ? 'no session' : 'encrypted, nothing to parse';
  return `${label}${facts.length > 0 ? ` (${facts.join('; ')})` : ''}: ${tail}`;
}
