// Declarations of oneloop's browser client, /oneloop-bus.js. Served beside it as /oneloop-bus.d.ts
// and shipped with it in the oneloop-bus npm package.
//
// The bodies of the built-in addresses are typed through the AddressBodies map; an app adds its own
// addresses to it by declaration merging, and subscribe/request then type their bodies too:
//
//   declare module 'oneloop-bus' {
//     interface AddressBodies {
//       'orders.created': { id: string; total: number };
//     }
//   }
//
// An address not in the map is still allowed, with a body of type unknown.

/** A connection state, as onState reports it. */
export type BusState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export declare const State: Readonly<{
  CONNECTING: 'connecting';
  CONNECTED: 'connected';
  RECONNECTING: 'reconnecting';
  CLOSED: 'closed';
}>;

/** The headers oneloop's frames carry. */
export declare const Headers: Readonly<{
  SEQ: 'oneloop.seq';
  EPOCH: 'oneloop.epoch';
  SINCE: 'oneloop.since';
  GAP: 'oneloop.gap';
  PRESENCE: 'oneloop.presence';
  NAME: 'oneloop.name';
}>;

/** The close code of a socket an administrator disconnected: the client does not reconnect after it. */
export declare const DISCONNECTED: 4403;

/** An ISO-8601 instant, as the server writes times. */
export type Instant = string;

/** A tick of the built-in ticker task. */
export interface TickerBody {
  seq: number;
  time: Instant;
}

/** A task's record, published on each change of its state. */
export interface TaskRecord {
  name: string;
  node: string;
  /** The task's built-in type or its class. */
  kind: string;
  singleton: boolean;
  state: 'starting' | 'standby' | 'running' | 'restarting' | 'stopped' | 'ended' | 'failed';
  since: Instant;
  restarts: number;
  startedAt: Instant | null;
  lastError: string | null;
}

/** A job's record, published on each change. */
export interface JobRecord {
  id: string;
  type: string;
  node: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: number;
  result: unknown;
  error: string | null;
  createdAt: Instant;
  startedAt: Instant | null;
  endedAt: Instant | null;
}

/** An accepted chat message. */
export interface ChatMessage {
  id: number;
  user: string;
  text: string;
  time: Instant;
}

/** A server-wide announcement. */
export interface ServerEvent {
  event: 'shutdown' | (string & {});
}

/** The process's vital signs, from the built-in metrics task. */
export interface MetricsSample {
  heapUsedBytes: number;
  heapMaxBytes: number;
  processCpuLoad: number;
  threads: number;
  eventLoopDelayMs: number;
  /** -1 when the count could not be read. */
  bridgeSockets: number;
  bridgeSocketsByTransport: Record<string, number>;
  uptimeMs: number;
  time: Instant;
}

/** One subscriber of an address of bridge.presence. */
export interface PresenceEntry {
  /** The authenticated user (a static token's name, a JWT's sub); null when anonymous. */
  user: string | null;
  /** The name shown: the user, or the oneloop.name an anonymous socket gave (null if none or refused). */
  name: string | null;
  connId: string;
  node: string;
  since: Instant;
}

/** What oneloop.presence answers, as GET /api/presence/{address} does. */
export interface PresenceList {
  address: string;
  count: number;
  entries: PresenceEntry[];
}

/**
 * The body of each address: what subscribe hands a handler, and what request sends. An app adds
 * its own addresses by declaration merging.
 */
export interface AddressBodies {
  'oneloop.ticker': TickerBody;
  'oneloop.tasks': TaskRecord;
  'oneloop.jobs': JobRecord;
  'oneloop.chat': ChatMessage;
  'oneloop.server': ServerEvent;
  'oneloop.metrics': MetricsSample;
  /** Request/reply: ask with { address }. */
  'oneloop.presence': { address: string };
  'oneloop.chat.send': { user: string; text: string };
  'oneloop.chat.history': Record<string, never>;
  'oneloop.tasks.list': null | Record<string, never>;
}

/** The reply of each request/reply address; an app adds its own as it does bodies. */
export interface ReplyBodies {
  'oneloop.presence': PresenceList;
  'oneloop.chat.send': { ok: true; id: number };
  'oneloop.chat.history': { messages: ChatMessage[] };
  'oneloop.tasks.list': { tasks: TaskRecord[] };
}

/** The body of address: from the map, else unknown. */
export type BodyOf<A extends string> = A extends keyof AddressBodies ? AddressBodies[A] : unknown;
/** The reply of address: from the map, else unknown. */
export type ReplyOf<A extends string> = A extends keyof ReplyBodies ? ReplyBodies[A] : unknown;
/** Any address: a known one is offered first by editors, any other string is accepted. */
export type Address = keyof AddressBodies | (string & {});

/** A message as the event-bus client delivers it. */
export interface BusMessage<B = unknown> {
  type: 'rec';
  address: string;
  body: B;
  headers?: Record<string, string>;
  replyAddress?: string;
}

export interface SubscribeOptions {
  /** The server could not replay everything missed since firstSeq: reload a snapshot. */
  onGap?: (firstSeq: string) => void;
  /** Someone subscribed to this presence address (joinLeave). */
  onJoin?: (entry: PresenceEntry) => void;
  /** Someone left it. */
  onLeave?: (entry: PresenceEntry) => void;
}

export interface BusOptions {
  requestTimeoutMs?: number;
  /** SockJS's transports, e.g. ['xhr-streaming']. */
  transports?: string[];
  reconnectDelayMinMs?: number;
  reconnectDelayMaxMs?: number;
  maxReconnectAttempts?: number;
  /** With auth off, the name others see in an address's presence (header oneloop.name on each register). */
  name?: string | (() => string | undefined);
}

/** A failed request: the server's failure (code and message) or a connection problem (no code). */
export declare class BusError extends Error {
  constructor(message: string, code?: number);
  readonly code: number | undefined;
}

/** Loads the official event-bus client (and SockJS) as classic scripts, once. */
export declare function loadClient(): Promise<void>;

export declare class Bus {
  /** @param url the bridge's SockJS address, or a function returning it (asked at each connect) */
  constructor(url?: string | (() => string), options?: BusOptions);
  readonly state: BusState;
  /** Why the server closed the connection for good (an administrator's disconnect, code 4403), or undefined. */
  readonly closeReason: string | undefined;
  connect(): Promise<void>;
  close(): void;
  subscribe<A extends Address>(address: A, handler: (body: BodyOf<A>, message: BusMessage<BodyOf<A>>) => void,
    options?: SubscribeOptions): () => void;
  /** Registers address again on the current connection (after the name option changed). */
  reregister(address: Address): void;
  onOpen(listener: (event: { resumed: boolean }) => void): () => void;
  onState(listener: (state: BusState) => void): () => void;
  lastSeq(address: Address): string | undefined;
  request<A extends Address>(address: A, body: BodyOf<A>, options?: { timeoutMs?: number }): Promise<ReplyOf<A>>;
}
