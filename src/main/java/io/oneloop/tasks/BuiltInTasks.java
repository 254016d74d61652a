package io.oneloop.tasks;

import io.vertx.core.Deployable;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The task types a config can name with {@code "type"}. */
public final class BuiltInTasks {

  private static final Map<String, Supplier<Deployable>> TYPES = new TreeMap<>(Map.of(
    "ticker", TickerTask::new,
    "metrics", MetricsTask::new
  ));

  private BuiltInTasks() {
  }

  public static Set<String> names() {
    return TYPES.keySet();
  }

  public static Supplier<Deployable> factory(String type) {
    Supplier<Deployable> factory = TYPES.get(type);
    if (factory == null) {
      throw new IllegalArgumentException("unknown task type " + type);
    }
    return factory;
  }
}
