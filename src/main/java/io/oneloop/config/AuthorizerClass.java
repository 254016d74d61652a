package io.oneloop.config;

import io.oneloop.base.ClassLoading;
import io.oneloop.bridge.Authorizer;

import java.lang.reflect.Modifier;

/** The class {@code bridge.authorizer} names: checked as a task class is, and created once when the app starts. */
public final class AuthorizerClass {

  private AuthorizerClass() {
  }

  /** Checks the class as the config names it; the message says what is wrong with it. */
  static void check(String className) {
    Class<?> type = ClassLoading.find(className);
    if (!Authorizer.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(className + " does not implement " + Authorizer.class.getName());
    }
    if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
      throw new IllegalArgumentException(className + " must be a public, non-abstract class");
    }
    ClassLoading.requireNoArgConstructor(type);
  }

  /** A new instance of the checked class; the message says why one could not be made. */
  public static Authorizer create(String className) {
    try {
      return ClassLoading.create(className, Authorizer.class);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("bridge.authorizer " + className + " could not be created: " + cause, cause);
    }
  }
}
