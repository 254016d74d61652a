package io.oneloop.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SockJS session refused at the request that would open it on one of SockJS's HTTP transports,
 * answered in that transport's own framing with {@code o} and then {@code c[code,"reason"]} (JSONP
 * carries one frame per poll: the close alone), so the client's {@code onclose} gets the code.
 * Vert.x's own sessions can only close with {@code c[3000,"Go away!"]}; this is how a refused
 * connect says {@code 4401} or {@code 4403} on these transports as it does on the WebSocket one.
 */
final class SockJsRefusal {

  /** SockJS's map of open sessions, shared by every server instance, keyed by session id. */
  static final String SESSIONS = "_vertx.sockjssessions";

  /** {@code /{server}/{session}/{transport}} under the bridge's mount, as SockJS's own routes read it. */
  private static final Pattern OPENING = Pattern.compile("/[^/.]+/([^/.]+)/(xhr|xhr_streaming|eventsource|htmlfile|jsonp)");
  /** The JSONP and htmlfile callback SockJS accepts: anything else it refuses itself. */
  private static final Pattern CALLBACK = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final String NO_CACHE = "no-store, no-cache, no-transform, must-revalidate, max-age=0";
  private static final String HTML_FILE_TEMPLATE = htmlFileTemplate();

  /** A request that opens a session if {@link #session} is unknown: its session id and transport. */
  record Opening(String session, String transport, String callback) {
  }

  private SockJsRefusal() {
  }

  /**
   * The session and transport of a request on {@code pathUnderMount} (the path after the bridge's
   * mount) that would open a session on an HTTP transport; null for any other request, and for a
   * JSONP or htmlfile request without a valid callback (SockJS refuses that one itself).
   */
  static Opening opening(HttpMethod method, String pathUnderMount, String callback) {
    Matcher m = OPENING.matcher(pathUnderMount);
    if (!m.matches()) {
      return null;
    }
    String transport = m.group(2);
    boolean post = transport.startsWith("xhr");
    if (!method.equals(post ? HttpMethod.POST : HttpMethod.GET)) {
      return null;
    }
    boolean needsCallback = transport.equals("htmlfile") || transport.equals("jsonp");
    if (needsCallback && (callback == null || !CALLBACK.matcher(callback).matches())) {
      return null;
    }
    return new Opening(m.group(1), transport, needsCallback ? callback : null);
  }

  /** Answers {@code opening} with the open frame and {@code c[code,"reason"]}, and ends the response. */
  static void answer(RoutingContext ctx, Opening opening, int code, String reason) {
    String close = "c[" + code + "," + Json.encode(reason) + "]";
    HttpServerResponse response = ctx.response();
    response.putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE);
    // As SockJS's own answers: an origin the gate let through may read it.
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    boolean anyOrigin = origin == null || origin.equals("null");
    response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, anyOrigin ? "*" : origin);
    if (!anyOrigin) {
      response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    }
    switch (opening.transport()) {
      case "xhr" -> end(response, "application/javascript; charset=UTF-8", "o\n" + close + "\n");
      case "xhr_streaming" -> end(response, "application/javascript; charset=UTF-8", "h".repeat(2048) + "\n" + "o\n" + close + "\n");
      case "eventsource" -> end(response, "text/event-stream; charset=UTF-8", "\r\ndata: o\r\n\r\ndata: " + close + "\r\n\r\n");
      case "htmlfile" -> end(response, "text/html; charset=UTF-8", HTML_FILE_TEMPLATE.replace("{{ callback }}", opening.callback())
        + script("o") + script(close));
      default -> {
        response.putHeader("X-Content-Type-Options", "nosniff");
        end(response, "application/javascript; charset=UTF-8", "/**/" + opening.callback() + "(" + Json.encode(close) + ");\r\n");
      }
    }
  }

  private static void end(HttpServerResponse response, String contentType, String body) {
    response.putHeader(HttpHeaders.CONTENT_TYPE, contentType).end(body);
  }

  private static String script(String frame) {
    return "<script>\np(" + Json.encode(frame) + ");\n</script>\r\n";
  }

  /** SockJS's htmlfile page, padded to 1 KiB as its own is, so that browsers start running it at once. */
  private static String htmlFileTemplate() {
    String page = """
      <!doctype html>
      <html><head>
        <meta http-equiv="X-UA-Compatible" content="IE=edge" />
        <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
      </head><body><h2>Don't panic!</h2>
        <script>
          document.domain = document.domain;
          var c = parent.{{ callback }};
          c.start();
          function p(d) {c.message(d);};
          window.onload = function() {c.stop();};
        </script>""";
    int pad = Math.max(0, 1024 - page.replace("{{ callback }}", "").length());
    return page + " ".repeat(pad) + "\r\n";
  }
}
