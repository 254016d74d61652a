package io.oneloop.http;

import io.oneloop.jobs.JobManager;
import io.oneloop.jobs.JobRejected;
import io.oneloop.jobs.JobTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /api/jobs}: start, list, look at and cancel one-off jobs, those of every node in a cluster. */
final class JobsApi {

  private static final Logger log = LoggerFactory.getLogger(JobsApi.class);
  private static final int DEFAULT_LIMIT = 100;

  private final JobManager jobs;
  private final long maxBodyBytes;

  JobsApi(JobManager jobs, long maxBodyBytes) {
    this.jobs = jobs;
    this.maxBodyBytes = maxBodyBytes;
  }

  void mount(Router router) {
    router.post("/api/jobs").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
      .handler(RequestGuards::requireAdmin).handler(this::submit);
    Routes.read(router, "/api/jobs").handler(this::list);
    Routes.allow(router, "/api/jobs", "GET, HEAD, POST");
    Routes.read(router, "/api/job-types").handler(this::types);
    Routes.allow(router, "/api/job-types", Routes.READ);
    Routes.read(router, "/api/jobs/:id").handler(this::get);
    router.delete("/api/jobs/:id").handler(RequestGuards::requireAdmin).handler(this::cancel);
    Routes.allow(router, "/api/jobs/:id", "GET, HEAD, DELETE");
  }

  private void submit(RoutingContext ctx) {
    Object body;
    try {
      String text = ctx.body().asString();
      body = text == null || text.isBlank() ? null : Json.decodeValue(text);
    } catch (DecodeException e) {
      // The parser's own message would show its internals; where it failed is enough.
      Responses.error(ctx, 400, "the body is not valid JSON");
      return;
    }
    try {
      JsonObject job = jobs.submit(body);
      if (RequestGuards.who(ctx) != null) {
        log.info("Job {} ({}) started by \"{}\"", job.getString("id"), job.getString("type"), RequestGuards.who(ctx));
      }
      ctx.response().putHeader("Location", "/api/jobs/" + job.getString("id"));
      Responses.json(ctx, 202, job);
    } catch (JobRejected e) {
      if (e.status() == 429) {
        ctx.response().putHeader("Retry-After", Integer.toString(JobManager.RETRY_AFTER_SECONDS));
      }
      Responses.error(ctx, e.status(), e.getMessage());
    }
  }

  private void list(RoutingContext ctx) {
    String limitParam = ctx.request().getParam("limit");
    int limit = DEFAULT_LIMIT;
    if (limitParam != null) {
      try {
        limit = Integer.parseInt(limitParam);
        if (limit < 1) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        Responses.error(ctx, 400, "limit must be a positive integer, got \"" + limitParam + "\"");
        return;
      }
    }
    jobs.list(limit).onComplete(Responses.guarded(ctx, ar -> {
      if (ar.succeeded()) {
        Responses.json(ctx, 200, ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    }));
  }

  private void types(RoutingContext ctx) {
    JsonArray types = new JsonArray();
    jobs.types().names().forEach(name -> types.add(new JsonObject().put("name", name).put("builtIn", JobTypes.BUILT_IN.contains(name))));
    Responses.json(ctx, 200, types);
  }

  private void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    jobs.get(id).onComplete(Responses.guarded(ctx, ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() == null) {
        Responses.error(ctx, 404, "no job " + id);
      } else {
        Responses.json(ctx, 200, ar.result());
      }
    }));
  }

  private void cancel(RoutingContext ctx) {
    jobs.cancel(ctx.pathParam("id")).onComplete(Responses.guarded(ctx, ar -> {
      if (ar.succeeded()) {
        JsonObject job = ar.result();
        if (RequestGuards.who(ctx) != null) {
          log.info("Job {} cancelled by \"{}\"", job.getString("id"), RequestGuards.who(ctx));
        }
        Responses.json(ctx, 200, job);
      } else if (!(ar.cause() instanceof JobRejected e)) {
        ctx.fail(ar.cause());
      } else if (e.status() == 409) {
        Responses.json(ctx, 409, new JsonObject().put("error", e.getMessage()).put("job", e.job()));
      } else {
        Responses.error(ctx, e.status(), e.getMessage());
      }
    }));
  }
}
