package io.oneloop.base;

import java.lang.reflect.Modifier;

/**
 * Loads the classes a config names (task verticles, job types) through the thread's context class
 * loader, as containers and test runners expect, else the app's own.
 */
public final class ClassLoading {

  private ClassLoading() {
  }

  /** The named class, not yet initialised; the message says when there is no such class. */
  public static Class<?> find(String className) {
    try {
      return Class.forName(className, false, loader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalArgumentException("no class " + className + " on the class path");
    }
  }

  /** Refuses a class that cannot be created with {@code new T()}. */
  public static void requireNoArgConstructor(Class<?> type) {
    try {
      if (!Modifier.isPublic(type.getConstructor().getModifiers())) {
        throw new NoSuchMethodException();
      }
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(type.getName() + " has no public no-argument constructor");
    }
  }

  /** A new instance of the named class, made by its public no-argument constructor. */
  public static <T> T create(String className, Class<T> kind) throws ReflectiveOperationException {
    return kind.cast(Class.forName(className, true, loader()).getConstructor().newInstance());
  }

  private static ClassLoader loader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : ClassLoading.class.getClassLoader();
  }
}
