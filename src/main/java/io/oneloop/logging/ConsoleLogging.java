package io.oneloop.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * oneloop's default logging: the console, INFO, Netty at WARN, as text or as one JSON object a
 * line ({@code log.format}, or {@code ONELOOP_LOG_FORMAT} from the first line on). Set up in code
 * rather than from an XML file, which spares the start several hundred classes. A
 * {@code logback.xml} on the class path or {@code -Dlogback.configurationFile} replaces it, as
 * logback users expect; {@code conf/logback.xml} is this same setup as a file to start from.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public class ConsoleLogging extends ContextAwareBase implements Configurator {

  /** The values of {@code log.format} and {@code ONELOOP_LOG_FORMAT}: one line of text, or one JSON object, per event. */
  public static final String TEXT = "text";
  public static final String JSON = "json";

  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";
  private static final String ENV_FORMAT = "ONELOOP_LOG_FORMAT";

  /** The appender of the built-in setup, or null when a logback file configured logging instead. */
  private static volatile ConsoleAppender<ILoggingEvent> console;
  private static volatile String format;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ClassLoader loader = ConsoleLogging.class.getClassLoader();
    if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    String fromEnv = System.getenv(ENV_FORMAT);
    format = fromEnv != null && JSON.equals(fromEnv.trim()) ? JSON : TEXT;
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("CONSOLE");
    appender.setEncoder(encoder(context, format));
    appender.start();
    TaskMdc mdc = new TaskMdc();
    mdc.setContext(context);
    mdc.start();
    context.addTurboFilter(mdc);
    context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    context.getLogger("io.netty").setLevel(Level.WARN);
    // Clustered, oneloop logs the members that join and leave itself; Hazelcast's own news is its warnings.
    context.getLogger("com.hazelcast").setLevel(Level.WARN);
    // Vert.x's event-bus metrics register one shared gauge per handler on purpose; Micrometer warns at the second.
    context.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.ERROR);
    console = appender;
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Switches the built-in setup to {@code log.format} ("text" or "json") once the config is read;
   * nothing changes when a logback file configured logging, or when the format is already in use.
   */
  public static synchronized void useFormat(String wanted) {
    ConsoleAppender<ILoggingEvent> appender = console;
    if (appender == null || wanted == null || wanted.equals(format)) {
      return;
    }
    appender.stop();
    appender.setEncoder(encoder(appender.getContext(), wanted));
    appender.start();
    format = wanted;
  }

  private static Encoder<ILoggingEvent> encoder(ch.qos.logback.core.Context context, String format) {
    if (JSON.equals(format)) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      // The message as written, once: the raw template and its arguments would only repeat it.
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.start();
      return json;
    }
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(PATTERN);
    text.start();
    return text;
  }
}
