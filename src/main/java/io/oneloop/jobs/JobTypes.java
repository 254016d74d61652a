package io.oneloop.jobs;

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
    types.put("sleep", SleepJob::new);
    types.put("broadcast", () -> new BroadcastJob(browsersMayReceive));
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

  /** Loads a job class as the config names it; the message says what is wrong with it. */
  public static Class<?> load(String className) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Class<?> type;
    try {
      type = Class.forName(className, false, loader != null ? loader : JobTypes.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("no class " + className + " on the class path");
    }
    if (!Job.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(className + " does not implement " + Job.class.getName());
    }
    try {
      type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(className + " has no public no-argument constructor");
    }
    return type;
  }

  private static Job instantiate(String className) {
    try {
      return (Job) load(className).getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot create " + className + ": " + cause.getMessage(), cause);
    }
  }
}
