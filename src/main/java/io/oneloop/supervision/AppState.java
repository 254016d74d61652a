package io.oneloop.supervision;

/** What the parts of one app share about its lifecycle: up and serving, or shutting down. */
public final class AppState {

  private volatile boolean ready;
  private volatile boolean stopping;
  private volatile int httpPort = -1;

  /** True once every task has started and until shutdown begins. */
  public boolean serving() {
    return ready && !stopping;
  }

  /** True once the HTTP server, the startup hooks and every task have started (and still during shutdown). */
  public boolean started() {
    return ready;
  }

  public boolean stopping() {
    return stopping;
  }

  public void markReady() {
    ready = true;
  }

  public void markStopping() {
    stopping = true;
  }

  /** The port the HTTP server is bound to (the real one when configured as 0), or -1 before. */
  public int httpPort() {
    return httpPort;
  }

  public void httpPort(int port) {
    httpPort = port;
  }
}
