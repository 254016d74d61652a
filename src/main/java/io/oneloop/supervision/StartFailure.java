package io.oneloop.supervision;

import java.lang.reflect.InvocationTargetException;

/** A start that failed, with a message fit for the log (no stack trace needed). */
public final class StartFailure extends RuntimeException {

  public StartFailure(String message) {
    super(message, null, false, false);
  }

  /** How a cause reads in a log line or an exit reason: its message, else its class name. */
  static String message(Throwable cause) {
    if (cause instanceof InvocationTargetException ite && ite.getCause() != null) {
      cause = ite.getCause();
    }
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getName() : message;
  }
}
