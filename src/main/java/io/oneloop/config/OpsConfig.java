package io.oneloop.config;

/**
 * What the people who run oneloop set: {@code http.accessLog}, {@code log.format},
 * {@code metrics.enabled} and {@code health.maxEventLoopDelayMs}.
 */
public record OpsConfig(boolean accessLog, String logFormat, boolean metricsEnabled, long maxEventLoopDelayMs) {

  public static final String TEXT = io.oneloop.logging.ConsoleLogging.TEXT;
  public static final String JSON = io.oneloop.logging.ConsoleLogging.JSON;

  /** The values of the shipped config, for code that runs without one (tests, embedding). */
  public static final OpsConfig DEFAULT = new OpsConfig(false, TEXT, true, 2000);
}
