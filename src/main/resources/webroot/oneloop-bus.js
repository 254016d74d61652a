// oneloop's browser client: an ES module on top of the official Vert.x event-bus client
// (vertx-eventbus.js over SockJS), served by every oneloop at /oneloop-bus.js.
//
//   import { Bus } from '/oneloop-bus.js';
//   const bus = new Bus('/eventbus');
//   bus.subscribe('oneloop.ticker', (tick) => show(tick), { onGap: () => reloadSnapshot() });
//   bus.subscribe('oneloop.chat', (msg) => show(msg), { onJoin: (entry) => add(entry), onLeave: (entry) => remove(entry) });
//   const { entries } = await bus.request('oneloop.presence', { address: 'oneloop.chat' });
//   bus.onState((state) => console.log(state));         // connecting, connected, reconnecting, closed
//   const reply = await bus.request('oneloop.chat.send', { user: 'me', text: 'hi' });
//   bus.connect();
//
// What it adds to the official client: handlers that survive reconnects; requests that return
// promises and fail (rather than hang) on a timeout or a dropped connection; connection state
// events; and, on addresses where the server keeps a history, a resume: each message carries the
// headers oneloop.seq and oneloop.epoch, and after a reconnect every subscription registers again
// with oneloop.since (the last seq it got) and oneloop.epoch, so the server first sends what was
// missed. When that is no longer kept (or the server restarted), the server says so with one
// message whose header oneloop.gap is the first seq that follows; the module then calls the
// subscription's onGap(firstSeq) instead of its handler: the place to reload a snapshot.
//
// On an address of the server's bridge.presence with joinLeave, the server sends a message with
// the header oneloop.presence ("join" or "leave") and the presence entry as body
// ({user, name, connId, node, since}) as subscribers come and go; the module hands those to the
// subscription's onJoin(entry) / onLeave(entry), never to its handler. With auth off, the option
// `name` is sent with every register (header oneloop.name) as the name others see.
//
// A socket an administrator disconnects is closed with code 4403: the module does not reconnect,
// its state is "closed" and closeReason gives the reason the server sent.
//
// The official client is a classic script; when no global EventBus is defined yet, connect()
// loads vendor/sockjs.min.js and vendor/vertx-eventbus.js from beside this module first.

export const State = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
});

/** The headers of the server's history, as its frames carry them. */
export const Headers = Object.freeze({
  SEQ: 'oneloop.seq',
  EPOCH: 'oneloop.epoch',
  SINCE: 'oneloop.since',
  GAP: 'oneloop.gap',
  PRESENCE: 'oneloop.presence',
  NAME: 'oneloop.name',
});

/** The close code of a socket an administrator disconnected: no reconnect follows it. */
export const DISCONNECTED = 4403;

/** A failed request: the server's failure (code and message, e.g. 400) or a connection problem (no code). */
export class BusError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'BusError';
    this.code = code;
  }
}

const VENDOR_SCRIPTS = ['vendor/sockjs.min.js', 'vendor/vertx-eventbus.js'];
let loadingClient = null;

/** Loads the official client (SockJS first, which it needs) as classic scripts, once. */
export function loadClient() {
  if (typeof globalThis.EventBus === 'function') {
    return Promise.resolve();
  }
  loadingClient ??= VENDOR_SCRIPTS.reduce((previous, path) => previous.then(() => new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = new URL(path, import.meta.url).href;
    script.async = false;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`cannot load ${script.src}`));
    document.head.append(script);
  })), Promise.resolve()).catch((e) => {
    loadingClient = null;
    throw e;
  });
  return loadingClient;
}

/**
 * The SockJS transports the page's address names, e.g. `/?transports=xhr-streaming` or
 * `?transports=xhr-streaming,xhr-polling` behind a proxy that breaks WebSocket; by default
 * (undefined) SockJS tries them all, WebSocket first.
 */
function pageTransports() {
  const value = new URLSearchParams(globalThis.location?.search ?? '').get('transports');
  const names = (value ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length > 0 ? names : undefined;
}

const DEFAULTS = {
  requestTimeoutMs: 10_000,
  // Handed to SockJS as its `transports` option.
  transports: pageTransports(),
  // The client's backoff: the delay doubles from min to max, with jitter so pages spread out.
  reconnectDelayMinMs: 1_000,
  reconnectDelayMaxMs: 5_000,
  // About ten minutes of tries at the longest delay; then the state is "closed" until connect().
  maxReconnectAttempts: 120,
  // The name others see in the presence of an address (auth off); a function is asked at each register.
  name: undefined,
};

export class Bus {
  #url;
  #options;
  #eb = null;
  #state = State.CONNECTING;
  /** From the shutdown notice: the reconnect after this close waits a random part of it (null: the client's own delays). */
  #spreadMs = null;
  #spreadTimer = null;
  #everOpened = false;
  #failures = 0;
  /** address -> Set of { handler, onGap }, kept across reconnects. */
  #handlers = new Map();
  /** address -> the callback registered on the current connection. */
  #registered = new Map();
  /** address -> { seq, epoch } of the last numbered message received: where a resume starts. */
  #positions = new Map();
  #openListeners = new Set();
  #stateListeners = new Set();
  #pending = new Set();
  #closeReason = undefined;
  /** The code and reason the server sent before closing, where the close itself cannot carry them. */
  #announcedClose = null;

  /**
   * @param url the bridge's SockJS address, or a function returning it (asked at each connect)
   * @param options requestTimeoutMs, transports, reconnectDelayMinMs, reconnectDelayMaxMs, maxReconnectAttempts
   */
  constructor(url = '/eventbus', options = {}) {
    this.#url = url;
    this.#options = { ...DEFAULTS, ...options };
  }

  get state() {
    return this.#state;
  }

  /** Why the server closed the connection for good (an administrator's disconnect), or undefined. */
  get closeReason() {
    return this.#closeReason;
  }

  /**
   * Opens the connection (again, dropping any current one); it then reconnects by itself.
   * Resolves once the client is loaded and connecting.
   */
  async connect() {
    clearTimeout(this.#spreadTimer);
    this.#spreadTimer = null;
    this.#discard();
    this.#closeReason = undefined;
    this.#announcedClose = null;
    this.#setState(this.#everOpened ? State.RECONNECTING : State.CONNECTING);
    await loadClient();
    const EventBus = globalThis.EventBus;
    const url = typeof this.#url === 'function' ? this.#url() : this.#url;
    // The client hands its options on to SockJS, which reads `transports` from them.
    const eb = new EventBus(url, {
      ...(this.#options.transports ? { transports: this.#options.transports } : {}),
      vertxbus_reconnect_delay_min: this.#options.reconnectDelayMinMs,
      vertxbus_reconnect_delay_max: this.#options.reconnectDelayMaxMs,
      vertxbus_reconnect_attempts_max: this.#options.maxReconnectAttempts,
    });
    eb.enableReconnect(true);
    eb.onopen = () => this.#opened(eb);
    eb.onclose = (event) => this.#closed(eb, event);
    // Frames of type "err" that belong to no handler, e.g. access_denied for a missing permission.
    eb.onerror = (err) => this.#error(eb, err);
    this.#eb = eb;
    this.#failures = 0;
  }

  /** Closes the connection for good (state "closed") until connect() is called. */
  close() {
    clearTimeout(this.#spreadTimer);
    this.#spreadTimer = null;
    this.#discard();
    this.#setState(State.CLOSED);
  }

  /**
   * Calls handler(body, message) for every message on address, now and after each reconnect, and
   * onGap(firstSeq) when the server could not replay everything missed (reload a snapshot there),
   * onJoin(entry) / onLeave(entry) as subscribers of a presence address come and go.
   * Returns a function that removes the subscription.
   */
  subscribe(address, handler, { onGap, onJoin, onLeave } = {}) {
    let subscriptions = this.#handlers.get(address);
    if (!subscriptions) {
      subscriptions = new Set();
      this.#handlers.set(address, subscriptions);
      if (this.#state === State.CONNECTED) {
        this.#register(this.#eb, address);
      }
    }
    const subscription = { handler, onGap, onJoin, onLeave };
    subscriptions.add(subscription);
    return () => this.#unsubscribe(address, subscription);
  }

  /**
   * Calls listener({ resumed }) each time the connection opens, the first time and after every
   * reconnect, once the handlers are registered again: the place to (re)load snapshots such as
   * lists. `resumed` is true after a reconnect: every subscription with a lastSeq() asked the
   * server to resume from it, so it needs no snapshot unless its onGap is called. Called at once
   * when already connected.
   */
  onOpen(listener) {
    this.#openListeners.add(listener);
    if (this.#state === State.CONNECTED) {
      this.#safely(listener, { resumed: false });
    }
    return () => this.#openListeners.delete(listener);
  }

  /**
   * Registers address again on the current connection, from where it left off: after the name
   * option changed, so the server's presence shows the new name.
   */
  reregister(address) {
    const callback = this.#registered.get(address);
    if (!callback || this.#state !== State.CONNECTED) {
      return;
    }
    this.#eb.unregisterHandler(address, {}, callback);
    this.#register(this.#eb, address);
  }

  /** Calls listener(state) now and on every change of the connection state. */
  onState(listener) {
    this.#stateListeners.add(listener);
    this.#safely(listener, this.#state);
    return () => this.#stateListeners.delete(listener);
  }

  /** The last seq received on address (a string, as the server sends it), or undefined. */
  lastSeq(address) {
    return this.#positions.get(address)?.seq;
  }

  /**
   * Sends body to address and resolves with the reply's body. Rejects with a BusError carrying
   * the server's failure code and message, or without a code when not connected, when the
   * connection drops, or when no reply comes within the timeout.
   */
  request(address, body, { timeoutMs = this.#options.requestTimeoutMs } = {}) {
    return new Promise((resolve, reject) => {
      const eb = this.#eb;
      if (!eb || this.#state !== State.CONNECTED) {
        reject(new BusError('not connected to the server'));
        return;
      }
      const entry = {
        reject: (error) => {
          clearTimeout(entry.timer);
          this.#pending.delete(entry);
          reject(error);
        },
      };
      entry.timer = setTimeout(() => entry.reject(new BusError(`no reply from ${address} within ${timeoutMs} ms`)), timeoutMs);
      this.#pending.add(entry);
      try {
        eb.send(address, body, {}, (err, message) => {
          if (!this.#pending.delete(entry)) {
            return; // timed out or the connection dropped: already rejected
          }
          clearTimeout(entry.timer);
          if (err) {
            reject(new BusError(err.message || 'the request failed', err.failureCode));
          } else {
            resolve(message.body);
          }
        });
      } catch (e) {
        entry.reject(new BusError(`cannot send: ${e.message}`));
      }
    });
  }

  #opened(eb) {
    if (eb !== this.#eb) {
      return;
    }
    const resumed = this.#everOpened;
    this.#everOpened = true;
    this.#failures = 0;
    // The client forgets its handlers with each new socket, so register them all again.
    this.#registered.clear();
    for (const address of this.#handlers.keys()) {
      this.#register(eb, address);
    }
    this.#setState(State.CONNECTED);
    for (const listener of this.#openListeners) {
      this.#safely(listener, { resumed });
    }
  }

  #error(eb, err) {
    // SockJS's HTTP transports can only close with 3000: the server sends the real code and reason just before.
    if (eb === this.#eb && err?.body === 'closed' && typeof err.failureCode === 'number') {
      this.#announcedClose = { code: err.failureCode, reason: err.message };
      return;
    }
    console.error('event bus error:', err);
  }

  #closed(eb, event) {
    if (eb !== this.#eb) {
      return;
    }
    const close = this.#announcedClose ?? event;
    this.#announcedClose = null;
    this.#registered.clear();
    this.#failAll('the connection to the server was lost');
    if (close?.code === DISCONNECTED) {
      // Disconnected on purpose: trying again would only be disconnected again.
      this.#closeReason = close.reason || 'disconnected';
      this.#discard();
      this.#setState(State.CLOSED);
      return;
    }
    if (this.#spreadMs !== null) {
      const delay = Math.floor(Math.random() * this.#spreadMs);
      this.#spreadMs = null;
      this.#discard();
      this.#setState(State.RECONNECTING);
      this.#spreadTimer = setTimeout(() => {
        this.#spreadTimer = null;
        this.connect();
      }, delay);
      return;
    }
    // The client has already scheduled its next try, unless it ran out of them.
    this.#failures += 1;
    if (this.#failures > this.#options.maxReconnectAttempts) {
      this.#discard();
      this.#setState(State.CLOSED);
    } else {
      this.#setState(this.#everOpened ? State.RECONNECTING : State.CONNECTING);
    }
  }

  #register(eb, address) {
    const callback = (err, message) => {
      if (err) {
        console.error(`event bus error on ${address}:`, err);
        return;
      }
      this.#deliver(address, message);
    };
    // Where it left off, for the server's history; an address without one ignores it.
    const position = this.#positions.get(address);
    const headers = position ? { [Headers.SINCE]: position.seq, [Headers.EPOCH]: position.epoch } : {};
    const name = typeof this.#options.name === 'function' ? this.#options.name() : this.#options.name;
    if (typeof name === 'string' && name !== '') {
      headers[Headers.NAME] = name;
    }
    eb.registerHandler(address, headers, callback);
    this.#registered.set(address, callback);
  }

  #deliver(address, message) {
    const headers = message.headers ?? {};
    const body = message.body;
    if (address === 'oneloop.server' && body && body.event === 'shutdown' && Number.isFinite(body.reconnectWithinMs)) {
      // This node is stopping: once it closes, reconnect after a random part of its spread, not all clients in the same second.
      this.#spreadMs = Math.max(0, Math.min(body.reconnectWithinMs, 600_000));
    }
    const subscriptions = [...(this.#handlers.get(address) ?? [])];
    const presence = headers[Headers.PRESENCE];
    if (presence !== undefined) {
      // Not a message of the address: someone came or went.
      for (const { onJoin, onLeave } of subscriptions) {
        const listener = presence === 'join' ? onJoin : presence === 'leave' ? onLeave : undefined;
        if (listener) {
          this.#safely(listener, message.body);
        }
      }
      return;
    }
    if (headers[Headers.GAP] !== undefined) {
      this.#positions.delete(address);
      for (const { onGap } of subscriptions) {
        if (onGap) {
          this.#safely(onGap, headers[Headers.GAP]);
        }
      }
      return;
    }
    if (headers[Headers.SEQ] !== undefined) {
      this.#positions.set(address, { seq: headers[Headers.SEQ], epoch: headers[Headers.EPOCH] });
    }
    for (const { handler } of subscriptions) {
      this.#safely(handler, message.body, message);
    }
  }

  #unsubscribe(address, subscription) {
    const subscriptions = this.#handlers.get(address);
    if (!subscriptions || !subscriptions.delete(subscription) || subscriptions.size > 0) {
      return;
    }
    this.#handlers.delete(address);
    this.#positions.delete(address);
    const callback = this.#registered.get(address);
    this.#registered.delete(address);
    if (callback && this.#state === State.CONNECTED) {
      this.#eb.unregisterHandler(address, {}, callback);
    }
  }

  /** Stops the current client for good: no more reconnects or callbacks from it. */
  #discard() {
    const eb = this.#eb;
    if (!eb) {
      return;
    }
    this.#eb = null;
    this.#registered.clear();
    eb.onopen = null;
    eb.onclose = null;
    eb.onerror = () => {};
    eb.enableReconnect(false);
    // Between two tries the client has no socket.
    if (eb.sockJSConn) {
      eb.sockJSConn.close();
    }
    this.#failAll('the connection was closed');
  }

  #failAll(reason) {
    for (const entry of [...this.#pending]) {
      entry.reject(new BusError(reason));
    }
  }

  #setState(state) {
    if (state === this.#state) {
      return;
    }
    this.#state = state;
    for (const listener of this.#stateListeners) {
      this.#safely(listener, state);
    }
  }

  /** One subscriber's bug must not stop the others from getting their messages. */
  #safely(fn, ...args) {
    try {
      fn(...args);
    } catch (e) {
      console.error(e);
    }
  }
}
