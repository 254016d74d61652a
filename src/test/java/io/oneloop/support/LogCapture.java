package io.oneloop.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** What one class logs while a test runs, as the formatted lines an operator reads; detached on close. */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  /** The logger's own level before this capture changed it, given back on close. */
  private final Level levelBefore;
  private final boolean levelChanged;

  private LogCapture(String source, Level level) {
    this.logger = (Logger) LoggerFactory.getLogger(source);
    this.levelBefore = logger.getLevel();
    this.levelChanged = level != null;
    if (levelChanged) {
      logger.setLevel(level);
    }
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  /** Starts capturing what {@code source}'s logger writes (at the levels the test setup lets through). */
  public static LogCapture of(Class<?> source) {
    return new LogCapture(source.getName(), null);
  }

  /** Starts capturing what the logger named {@code name} writes, down to DEBUG, for as long as the capture is open. */
  public static LogCapture debug(String name) {
    return new LogCapture(name, Level.DEBUG);
  }

  /** Starts capturing what every logger writes (through the root logger, at the levels the test setup lets through). */
  public static LogCapture everything() {
    return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, null);
  }

  /** The ERROR lines logged so far, each as its logger, message and exception (if any). */
  public List<String> errors() {
    synchronized (appender) {
      return appender.list.stream().filter(event -> event.getLevel() == Level.ERROR)
        .map(event -> event.getLoggerName() + ": " + event.getFormattedMessage()
          + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName()
          + ": " + event.getThrowableProxy().getMessage()))
        .toList();
    }
  }

  /** The messages logged so far, oldest first. */
  public List<String> lines() {
    // Logback appends under the appender's lock (AppenderBase.doAppend is synchronized).
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** The messages logged so far that contain {@code text}. */
  public List<String> containing(String text) {
    return lines().stream().filter(line -> line.contains(text)).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    if (levelChanged) {
      logger.setLevel(levelBefore);
    }
  }
}
