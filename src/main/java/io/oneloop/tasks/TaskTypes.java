package io.oneloop.tasks;

import io.oneloop.base.ClassLoading;
import io.oneloop.shape.ConfigShape;
import io.vertx.core.Deployable;

import java.lang.reflect.Modifier;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The task types: the built-ins a config names with {@code "type"}, and verticle classes named with {@code "class"}. */
public final class TaskTypes {

  private static final Map<String, Supplier<Deployable>> TYPES = new TreeMap<>(Map.of(
    "ticker", TickerTask::new,
    "metrics", MetricsTask::new
  ));

  private static final Map<String, Class<? extends Task>> CLASSES = Map.of("ticker", TickerTask.class, "metrics", MetricsTask.class);

  /** The built-in type names, sorted. */
  public static final Set<String> BUILT_IN = Collections.unmodifiableSet(TYPES.keySet());

  private TaskTypes() {
  }

  public static Supplier<Deployable> builtIn(String type) {
    Supplier<Deployable> factory = TYPES.get(type);
    if (factory == null) {
      throw new IllegalArgumentException("unknown task type " + type);
    }
    return factory;
  }

  /**
   * The shape of the config a task declares (see {@link ConfigShape}): the built-in {@code type}'s, or
   * else the class {@code className}'s; null when it declares none. Throws {@link IllegalArgumentException}
   * when there is no such type or class, or its declaration is wrong.
   */
  public static ConfigShape shape(String type, String className) {
    Class<?> declarer = type != null ? CLASSES.get(type) : ClassLoading.find(className);
    if (declarer == null) {
      throw new IllegalArgumentException("unknown task type " + type);
    }
    return ConfigShape.declaredBy(declarer);
  }

  /** Checks a task class as the config names it; the message says what is wrong with it. */
  public static Class<?> check(String className) {
    Class<?> type = ClassLoading.find(className);
    if (!Deployable.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(className + " is not a Vert.x verticle (io.vertx.core.Deployable)");
    }
    if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
      throw new IllegalArgumentException(className + " must be a public, non-abstract class");
    }
    ClassLoading.requireNoArgConstructor(type);
    return type;
  }
}
