package io.oneloop.jobs;

import io.oneloop.base.ClassLoading;
import io.oneloop.shape.ConfigShape;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The job types: the built-ins and those the config adds by class name. */
public final class JobTypes {

  public static final Set<String> BUILT_IN = Set.of("sleep", "broadcast");

  private static final Map<String, Class<? extends Job>> BUILT_IN_CLASSES = Map.of("sleep", SleepJob.class,
    "broadcast", BroadcastJob.class);

  private final Map<String, Supplier<Job>> types = new TreeMap<>();
  private final Map<String, String> configured;

  public JobTypes(Map<String, String> configured, Predicate<String> browsersMayReceive) {
    this(configured, browsersMayReceive, Long.MAX_VALUE);
  }

  /** @param maxOutboundBytes the largest message the {@code broadcast} job may publish (bridge.maxOutboundBytes) */
  public JobTypes(Map<String, String> configured, Predicate<String> browsersMayReceive, long maxOutboundBytes) {
    this.configured = Map.copyOf(configured);
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

  /**
   * The shape of the params the type declares (see {@link ConfigShape}), or null when it declares none
   * or there is no such type; throws {@link IllegalArgumentException} when its declaration is wrong.
   */
  public ConfigShape shape(String type) {
    return shape(type, configured);
  }

  /** As {@link #shape(String)}, for the job types {@code configured} ({@code jobs.types}) adds to the built-ins. */
  public static ConfigShape shape(String type, Map<String, String> configured) {
    Class<?> declarer = BUILT_IN_CLASSES.get(type);
    if (declarer == null && configured.get(type) != null) {
      declarer = ClassLoading.find(configured.get(type));
    }
    return declarer == null ? null : ConfigShape.declaredBy(declarer);
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
