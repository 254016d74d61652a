package io.oneloop.base;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * The registry a task or a job gets when the app runs without metrics: every meter it asks for works
 * and records nothing, and none is kept, so code that counts need not ask whether metrics are on.
 */
public final class NoMeters {

  public static final MeterRegistry REGISTRY = create();

  private NoMeters() {
  }

  private static MeterRegistry create() {
    // A composite without registries forwards to nothing; denying every id keeps it from holding the meters too.
    CompositeMeterRegistry registry = new CompositeMeterRegistry();
    registry.config().meterFilter(MeterFilter.deny());
    return registry;
  }
}
