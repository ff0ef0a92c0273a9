package io.streamlearn.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter2;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The launchers' log format, a global option of every command: {@code --log-format text} (the
 * default; {@code logback.xml}) or {@code json} (JSON lines, {@link JsonLinesEncoder}), or the
 * environment's {@value #ENV}. Both go to standard error, at the same levels.
 *
 * <p>{@link Main} takes the option off the command line and applies it before the command, or
 * anything else, logs: Logback configures itself with the text format when a logger is first asked
 * for, and that logs nothing; {@link #apply} then swaps in the JSON configuration before the first
 * line. A {@code -Dlogback.configurationFile} given to the JVM is the user's own choice and wins.
 */
public enum LogFormat {
  /** Plain lines, as a terminal shows them. */
  TEXT,
  /** One JSON object per line, for a log shipper. */
  JSON;

  /** The option. */
  public static final String FLAG = "--log-format";
  /** The environment variable, for every command at once. */
  public static final String ENV = "STREAMLEARN_LOG_FORMAT";
  /** One line for the usage texts. */
  static final String HELP = "Every command also takes " + FLAG + " text|json (or " + ENV + "): its log lines on"
      + " standard error as text (the default) or as JSON lines.";
  private static final String JSON_CONFIG = "logback-json.xml";

  /** What this JVM's Logback runs with now; its own auto-configuration is text. */
  private static LogFormat applied = TEXT;

  /** The format and the command line without the option. */
  record Choice(LogFormat format, List<String> rest) {
    Choice {
      if (format == null || rest == null) {
        throw new IllegalArgumentException("format and rest must not be null, found " + format + " and " + rest);
      }
      rest = List.copyOf(rest);
    }
  }

  /**
   * Takes {@code --log-format F} or {@code --log-format=F} off the command line, wherever it
   * stands, else reads {@value #ENV}; text when neither is given.
   *
   * @throws UsageException naming the option for a missing or unknown format
   */
  static Choice take(List<String> args, Map<String, String> env) {
    LogFormat format = null;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals(FLAG)) {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
          throw new UsageException(FLAG + " needs a value: text or json");
        }
        format = parse(FLAG, args.get(++i));
      } else if (arg.startsWith(FLAG + "=")) {
        format = parse(FLAG, arg.substring(FLAG.length() + 1));
      } else {
        rest.add(arg);
      }
    }
    if (format == null) {
      String fromEnv = env.get(ENV);
      format = fromEnv == null || fromEnv.isBlank() ? TEXT : parse(ENV, fromEnv);
    }
    return new Choice(format, rest);
  }

  private static LogFormat parse(String where, String value) {
    try {
      return valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException(where + " takes text or json, found '" + value + "'");
    }
  }

  /**
   * Makes this JVM's Logback log in this format, lines that no package or MDC places attributed to
   * {@code component} (the command's: {@code trainer} for {@code train}); a no-op when it does
   * already, when SLF4J is bound to another backend, or when the JVM was given a Logback
   * configuration file.
   */
  void apply(String component) {
    configure(this, component);
  }

  private static synchronized void configure(LogFormat format, String component) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return;
    }
    boolean userConfig = System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null;
    if (!userConfig && applied != format) {
      long since = System.currentTimeMillis();
      context.reset();
      try {
        if (format == JSON) {
          URL url = LogFormat.class.getResource(JSON_CONFIG);
          JoranConfigurator configurator = new JoranConfigurator();
          configurator.setContext(context);
          configurator.doConfigure(url);
        } else {
          new ContextInitializer(context).autoConfig(); // logback-test.xml in tests, else logback.xml
        }
      } catch (JoranException e) {
        throw new IllegalStateException("the " + format.name().toLowerCase(Locale.ROOT)
            + " log configuration fails: " + e.getMessage(), e);
      }
      // our own configuration files, so an error here is a bug to report, not a user's to fix
      if (new StatusUtil(context).getHighestLevel(since) >= Status.ERROR) {
        throw new IllegalStateException("the " + format.name().toLowerCase(Locale.ROOT)
            + " log configuration fails:\n" + statuses(context, since));
      }
      applied = format;
    }
    context.putProperty(JsonLinesEncoder.PROCESS_COMPONENT, component);
  }

  private static String statuses(LoggerContext context, long since) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    StatusPrinter2 printer = new StatusPrinter2();
    printer.setPrintStream(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    printer.print(context, since);
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
