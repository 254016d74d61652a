package io.oneloop.bench;

import io.vertx.core.http.HttpServerRequest;

/**
 * The control protocol every peer implements identically:
 * {@code GET /health} answers 200, and
 * {@code GET /control?rate=R&count=C&first=F} starts publishing C messages numbered from F at
 * R messages/s (a run lasts C/R seconds) and answers {@code {"firstSeq":F,"count":C}};
 * {@code rate=0} stops the current run.
 */
public final class Control {

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
      try {
        rate = Double.parseDouble(req.getParam("rate", "0"));
        count = Long.parseLong(req.getParam("count", "0"));
        first = Long.parseLong(req.getParam("first", "-1"));
      } catch (NumberFormatException e) {
        req.response().setStatusCode(400).end("bad number");
        return true;
      }
      long[] run = pacer.start(rate, count, first);
      req.response().putHeader("content-type", "application/json")
          .end("{\"firstSeq\":" + run[0] + ",\"count\":" + run[1] + "}");
      return true;
    }
    return false;
  }
}
