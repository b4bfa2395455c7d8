// Shared vocabulary of the pipeline: capture records, decoded packets, directions, annotations.
// Plain data and constants only: no behaviour, no Node-only types, nothing that imports another stage.

/** One record of a capture file, as the capture reader yields it. */
export interface CaptureRecord {
  /** 1-based position of the record in the capture, counting every record (tshark's frame.number). */
  index: number;
  /** Seconds since the Unix epoch (after pcapng if_tsoffset is applied; 0 for pcapng Simple Packet Blocks, which
   *  carry no timestamp). */
  tsSec: number;
  /** Nanoseconds within the second (µs pcaps are scaled; finer pcapng resolutions truncate). Normally
   *  0..999_999_999, but a classic pcap whose sub-second field is out of range keeps the raw value (field × 1000 for
   *  µs files) so the timestamp renderer can print it as tcpdump does. */
  tsNsec: number;
  /** Bytes captured (length of `data`). */
  capLen: number;
  /** Bytes the packet had on the wire. */
  origLen: number;
  /** LINKTYPE_* value (https://www.tcpdump.org/linktypes.html), per record because pcapng interfaces differ. */
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** The captured bytes: a view, never a copy, unless the record straddled two input chunks. */
  data: Uint8Array;
}

/** LINKTYPE_* values we decode (pcap header / pcapng IDB values, not DLT_* where they differ). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  ARCNET_LINUX: 129,
  PPI: 192,
  IPV4: 228,
  IPV6: 229,
  NFLOG: 239,
  LINUX_SLL2: 276,
} as const;

/** TCP header flag bits (RFC 9293 §3.1, plus NS/AE from RFC 3540 in the low bit of byte 12). */
export const TcpFlag = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  AE: 0x100,
} as const;

/** Which way a packet travels in its connection: client to server, or server to client. */
export type Direction = 0 | 1;
export const C2S: Direction = 0;
export const S2C: Direction = 1;

/** Why a packet could not be decoded completely. `truncated`: the capture cut it short (snaplen);
 *  `invalid`: header fields contradict each other or the length; `unsupported`: a protocol we do not decode. */
export type ProblemKind = 'truncated' | 'invalid' | 'unsupported';

export interface PacketProblem {
  kind: ProblemKind;
  /** The layer the problem is in: 'link', 'ip', 'ipv6', 'tcp', 'tcp-options'. */
  layer: string;
  /** A short human explanation (not tcpdump's wording: the packet-line renderer owns that). */
  detail: string;
}

/**
 * A note attached to a packet or a connection. `code` is public API (like Zeek's weird names): never rename one.
 * TCP analysis codes carry the meaning of Wireshark's `tcp.analysis.*` flag of the same name.
 */
export interface Annotation {
  code: AnnotationCode;
  /** One line a person can read, without the packet context (the renderer indents it under the packet line). */
  text: string;
}

/** Public annotation codes. Grouped by the stage that emits them. */
export const Codes = {
  // tcp/ analysis, same meaning as Wireshark's tcp.analysis.* flags
  RETRANSMISSION: 'tcp.retransmission',
  FAST_RETRANSMISSION: 'tcp.fast-retransmission',
  SPURIOUS_RETRANSMISSION: 'tcp.spurious-retransmission',
  OUT_OF_ORDER: 'tcp.out-of-order',
  DUP_ACK: 'tcp.dup-ack',
  ZERO_WINDOW: 'tcp.zero-window',
  ZERO_WINDOW_PROBE: 'tcp.zero-window-probe',
  KEEP_ALIVE: 'tcp.keep-alive',
  KEEP_ALIVE_ACK: 'tcp.keep-alive-ack',
  /** Wireshark's tcp.analysis.zero_window_probe_ack. */
  ZERO_WINDOW_PROBE_ACK: 'tcp.zero-window-probe-ack',
  LOST_SEGMENT: 'tcp.lost-segment',
  ACK_LOST_SEGMENT: 'tcp.ack-lost-segment',
  WINDOW_UPDATE: 'tcp.window-update',
  WINDOW_FULL: 'tcp.window-full',
  // tcp/ connection life
  HANDSHAKE: 'tcp.handshake',
  STATE: 'tcp.state',
  MIDSTREAM: 'tcp.midstream',
  CLOSE: 'tcp.close',
  RST: 'tcp.rst',
  REFUSED: 'tcp.refused',
  DATA: 'tcp.data',
  PORT_REUSE: 'tcp.port-reuse',
  IDLE: 'tcp.idle',
  // stream/
  GAP: 'stream.gap',
  // http/
  HTTP_REQUEST: 'http.request',
  HTTP_REQUEST_END: 'http.request-end',
  HTTP_RESPONSE: 'http.response',
  HTTP_RESPONSE_END: 'http.response-end',
  HTTP_PIPELINED: 'http.pipelined',
  HTTP_UPGRADE: 'http.upgrade',
  HTTP_STOPPED: 'http.parse-stopped',
  /** A message was cut short: its direction ended, or a gap or limit interrupted it, before its last byte. */
  HTTP_INCOMPLETE: 'http.incomplete',
  /** Parsing of a direction found a message start again after lost or unparsable bytes. */
  HTTP_RESYNC: 'http.resync',
  /** Requests travel TCP server→client: the TCP roles were inferred the wrong way round (mid-stream start). */
  HTTP_ROLES_INVERTED: 'http.roles-inverted',
  /** Bytes missing inside a body of known length: skipped by length arithmetic, counted, parsing goes on. */
  HTTP_BODY_GAP: 'http.body-gap',
  /** The first bytes of a direction that is not HTTP: a TLS ClientHello or ServerHello (version, SNI, ALPN). */
  TLS_HELLO: 'tls.hello',
  /** A TLS alert sent in the clear before keys were agreed (a refused hello). */
  TLS_ALERT: 'tls.alert',
  /** An SSH identification string (RFC 4253 §4.2). */
  SSH_BANNER: 'ssh.banner',
  // decode/
  TRUNCATED: 'packet.truncated',
  /** An IPv4 or IPv6 fragment of a TCP datagram, kept until the datagram is whole. */
  IP_FRAGMENT: 'ip.fragment',
  /** This fragment made its IP datagram whole: the TCP segment inside is analysed in this frame. */
  IP_REASSEMBLED: 'ip.reassembled',
  INVALID: 'packet.invalid',
  UNSUPPORTED: 'packet.unsupported',
  // resource bounds
  LIMIT: 'limit',
} as const;

/** An annotation code: one of the values of Codes. */
export type AnnotationCode = (typeof Codes)[keyof typeof Codes];

/** Every annotation code this version emits (the values of Codes). */
export const ANNOTATION_CODES: ReadonlySet<string> = new Set(Object.values(Codes));

