package io.oneloop.bench;

import io.vertx.core.http.HttpServerRequest;

/**
 * The control protocol every peer implements identically:
 * {@code GET /health} answers 200, and
 * {@code GET /control?rate=R&count=C&first=F} starts publishing C messages numbered from F at
 * R messages/s (a run lasts C/R seconds) and answers {@code {"firstSeq":F,"count":C}};
 * {@code rate=0} stops the current run. An optional {@code pad=B} (at most 1 MiB) adds a string
 * of B bytes to each message of the run.
 */
public final class Control {

  private static final int MAX_PAD = 1 << 20;

  private Control() {
  }

  /** Handles /health and /control; returns false when the request is for another path. */
  public static boolean handle(HttpServerRequest req, Pacer pacer) {
    String path = req.path();
    if ("/health".equals(path)) {
      req.response().putHeader("content-type", "text/plain").end("ok");
      return true;
    }
    if ("/control".equals(path)) {
      double rate;
      long count;
      long first;
      int pad;
      try {
        rate = Double.parseDouble(req.getParam("rate", "0"));
        count = Long.parseLong(req.getParam("count", "0"));
        first = Long.parseLong(req.getParam("first", "-1"));
        pad = Integer.parseInt(req.getParam("pad", "0"));
      } catch (NumberFormatException e) {
        req.response().setStatusCode(400).end("bad number");
        return true;
      }
      if (pad < 0 || pad > MAX_PAD) {
        req.response().setStatusCode(400).end("pad out of range");
        return true;
      }
      long[] run = pacer.start(rate, count, first, pad);
      req.response().putHeader("content-type", "application/json")
          .end("{\"firstSeq\":" + run[0] + ",\"count\":" + run[1] + "}");
      return true;
    }
    return false;
  }
}
