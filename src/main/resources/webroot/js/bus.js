// The page's one connection to the server's event-bus bridge (SockJS at /eventbus), shared by
// every panel. It wraps the official client (the global EventBus of vendor/vertx-eventbus.js)
// with what panels need: a connection state to show, handlers that survive reconnects, and
// requests that return promises and fail, rather than hang, when the connection drops.

export const State = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
});

/** A failed request: the server's failure (code and message, e.g. 400) or a connection problem (no code). */
export class BusError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'BusError';
    this.code = code;
  }
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
  // About ten minutes of tries at the longest delay; then the page stops and offers a button.
  maxReconnectAttempts: 120,
};

export class Bus {
  #url;
  #options;
  #eb = null;
  #state = State.CONNECTING;
  #everOpened = false;
  #failures = 0;
  /** address -> Set of handler(body, message), kept across reconnects. */
  #handlers = new Map();
  /** address -> the callback registered on the current connection. */
  #registered = new Map();
  #openListeners = new Set();
  #stateListeners = new Set();
  #pending = new Set();

  constructor(url = '/eventbus', options = {}) {
    this.#url = url;
    this.#options = { ...DEFAULTS, ...options };
  }

  get state() {
    return this.#state;
  }

  /** Opens the connection (again, dropping any current one); it then reconnects by itself. */
  connect() {
    this.#discard();
    const EventBus = globalThis.EventBus;
    if (typeof EventBus !== 'function') {
      throw new Error('the event-bus client (vendor/vertx-eventbus.js) is not loaded');
    }
    // The client hands its options on to SockJS, which reads `transports` from them.
    const eb = new EventBus(this.#url, {
      ...(this.#options.transports ? { transports: this.#options.transports } : {}),
      vertxbus_reconnect_delay_min: this.#options.reconnectDelayMinMs,
      vertxbus_reconnect_delay_max: this.#options.reconnectDelayMaxMs,
      vertxbus_reconnect_attempts_max: this.#options.maxReconnectAttempts,
    });
    eb.enableReconnect(true);
    eb.onopen = () => this.#opened(eb);
    eb.onclose = () => this.#closed(eb);
    // Frames of type "err" that belong to no handler, e.g. access_denied for a missing permission.
    eb.onerror = (err) => console.error('event bus error:', err);
    this.#eb = eb;
    this.#failures = 0;
    this.#setState(this.#everOpened ? State.RECONNECTING : State.CONNECTING);
  }

  /** Closes the connection for good (state "closed") until connect() is called. */
  close() {
    this.#discard();
    this.#setState(State.CLOSED);
  }

  /**
   * Calls handler(body, message) for every message on address, now and after each reconnect.
   * Returns a function that removes the handler.
   */
  subscribe(address, handler) {
    let handlers = this.#handlers.get(address);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(address, handlers);
      if (this.#state === State.CONNECTED) {
        this.#register(this.#eb, address);
      }
    }
    handlers.add(handler);
    return () => this.#unsubscribe(address, handler);
  }

  /**
   * Calls listener() each time the connection opens, the first time and after every reconnect,
   * once the handlers are registered again: the place to (re)load snapshots such as lists.
   * Called at once when already connected.
   */
  onOpen(listener) {
    this.#openListeners.add(listener);
    if (this.#state === State.CONNECTED) {
      this.#safely(listener);
    }
    return () => this.#openListeners.delete(listener);
  }

  /** Calls listener(state) now and on every change of the connection state. */
  onState(listener) {
    this.#stateListeners.add(listener);
    this.#safely(listener, this.#state);
    return () => this.#stateListeners.delete(listener);
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
    this.#everOpened = true;
    this.#failures = 0;
    // The client forgets its handlers with each new socket, so register them all again.
    this.#registered.clear();
    for (const address of this.#handlers.keys()) {
      this.#register(eb, address);
    }
    this.#setState(State.CONNECTED);
    for (const listener of this.#openListeners) {
      this.#safely(listener);
    }
  }

  #closed(eb) {
    if (eb !== this.#eb) {
      return;
    }
    this.#registered.clear();
    this.#failAll('the connection to the server was lost');
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
      for (const handler of this.#handlers.get(address) ?? []) {
        this.#safely(handler, message.body, message);
      }
    };
    eb.registerHandler(address, {}, callback);
    this.#registered.set(address, callback);
  }

  #unsubscribe(address, handler) {
    const handlers = this.#handlers.get(address);
    if (!handlers || !handlers.delete(handler) || handlers.size > 0) {
      return;
    }
    this.#handlers.delete(address);
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

  /** One panel's bug must not stop the others from getting their messages. */
  #safely(fn, ...args) {
    try {
      fn(...args);
    } catch (e) {
      console.error(e);
    }
  }
}
