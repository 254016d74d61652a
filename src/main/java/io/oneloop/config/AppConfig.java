package io.oneloop.config;

import io.oneloop.bridge.BridgeOptions;
import io.oneloop.jobs.JobTypes;
import io.oneloop.jobs.JobsSettings;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The app's config, built once and checked key by key; every error names the source, the key
 * path and what was expected. {@code jobTypes} are the job types it names, ready to create;
 * {@code ops} what the people who run it set; {@code json} the config as checked (for {@code /api/info});
 * {@code cluster} whether and how this node joins others; {@code bridgeAuthorizer} the checked class
 * name of {@code bridge.authorizer} (null: none), created when the app starts.
 */
public record AppConfig(HttpConfig http, long shutdownTimeoutMs, BridgeOptions bridge, List<TaskSpec> tasks,
                        JobsSettings jobs, JobTypes jobTypes, List<HookSpec> startupHooks, List<HookSpec> shutdownHooks,
                        OpsConfig ops, JsonObject json, AuthConfig auth, ChatConfig chat, ClusterConfig cluster,
                        String bridgeAuthorizer) {

  public AppConfig {
    tasks = List.copyOf(tasks);
    startupHooks = List.copyOf(startupHooks);
    shutdownHooks = List.copyOf(shutdownHooks);
  }

  /** Checks a resolved config (see {@link ConfigLoader#resolve}); {@code source} prefixes every error. */
  public static AppConfig validate(JsonObject json, String source) {
    return new ConfigChecker(source).check(json);
  }
}
