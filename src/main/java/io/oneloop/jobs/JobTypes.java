package io.oneloop.jobs;

import io.oneloop.base.ClassLoading;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The job types: the built-ins and those the config adds by class name. */
public final class JobTypes {

  public static final Set<String> BUILT_IN = Set.of("sleep", "broadcast");

  private final Map<String, Supplier<Job>> types = new TreeMap<>();

  public JobTypes(Map<String, String> configured, Predicate<String> browsersMayReceive) {
    this(configured, browsersMayReceive, Long.MAX_VALUE);
  }

  /** @param maxOutboundBytes the largest message the {@code broadcast} job may publish (bridge.maxOutboundBytes) */
  public JobTypes(Map<String, String> configured, Predicate<String> browsersMayReceive, long maxOutboundBytes) {
    types.put("sleep", SleepJob::new);
    types.put("broadcast", () -> new BroadcastJob(browsersMayReceive, maxOutboundBytes));
    configured.forEach((name, className) -> types.put(name, () -> instantiate(className)));
  }

  public Set<String> names() {
    return types.keySet();
  }

  /** A new instance of the type, or null for a type that does not exist. */
  public Job create(String type) {
    Supplier<Job> factory = types.get(type);
    return factory == null ? null : factory.get();
  }

  /** Checks a job class as the config names it; the message says what is wrong with it. */
  public static Class<?> check(String className) {
    Class<?> type = ClassLoading.find(className);
    if (!Job.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(className + " does not implement " + Job.class.getName());
    }
    ClassLoading.requireNoArgConstructor(type);
    return type;
  }

  private static Job instantiate(String className) {
    try {
      return ClassLoading.create(className, Job.class);
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot create " + className + ": " + cause.getMessage(), cause);
    }
  }
}
