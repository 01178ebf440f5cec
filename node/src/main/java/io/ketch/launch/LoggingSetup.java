package io.ketch.launch;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.ketch.server.config.LogFormat;
import io.ketch.server.config.LogLevel;
import java.io.OutputStream;
import java.util.List;
import java.util.logging.LogManager;
import org.slf4j.LoggerFactory;

/**
 * Applies --log-level and --log-format at startup: human-readable lines by default, or one JSON
 * object per line (logback's JsonEncoder) for log collectors. Third-party libraries stay at WARN
 * whatever the level, so that debug logging shows Ketch's own story.
 */
final class LoggingSetup {
  static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";
  private static final List<String> THIRD_PARTY = List.of("io.netty", "io.grpc", "net.openhft");

  /** gRPC logs through java.util.logging; strong references keep these levels from being lost. */
  private static final List<java.util.logging.Logger> JUL_LOGGERS =
      THIRD_PARTY.stream().map(java.util.logging.Logger::getLogger).toList();

  private LoggingSetup() {}

  /** Configures the process's logging, writing to stderr. */
  static void apply(LogLevel level, LogFormat format) {
    configure((LoggerContext) LoggerFactory.getILoggerFactory(), level, format, System.err);
    LogManager.getLogManager(); // make sure JUL is initialised before the levels are set
    JUL_LOGGERS.forEach(l -> l.setLevel(java.util.logging.Level.WARNING));
  }

  /** Replaces {@code context}'s configuration with one appender writing to {@code out}. */
  static void configure(LoggerContext context, LogLevel level, LogFormat format, OutputStream out) {
    context.reset();
    Encoder<ILoggingEvent> encoder;
    if (format == LogFormat.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      // The message as read, not the template and its arguments; no per-process context block.
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithContext(false);
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(context);
      text.setPattern(PATTERN);
      text.start();
      encoder = text;
    }
    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName("main");
    appender.setEncoder(encoder);
    appender.setOutputStream(out);
    appender.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    root.setLevel(logbackLevel(level));
    for (String name : THIRD_PARTY) {
      context.getLogger(name).setLevel(Level.WARN);
    }
    context.start();
  }

  private static Level logbackLevel(LogLevel level) {
    return switch (level) {
      case DEBUG -> Level.DEBUG;
      case INFO -> Level.INFO;
      case WARN -> Level.WARN;
      case ERROR -> Level.ERROR;
    };
  }
}
