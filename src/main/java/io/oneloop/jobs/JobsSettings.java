package io.oneloop.jobs;

import java.util.Map;

/**
 * The {@code jobs} config: how many run at once, how many may wait, how many finished ones are
 * remembered, and the job types added by class name.
 */
public record JobsSettings(int maxConcurrent, int maxQueued, int retain, Map<String, String> types) {

  public static final JobsSettings DEFAULT = new JobsSettings(2, 100, 1000, Map.of());
}
