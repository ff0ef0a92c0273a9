package io.streamlearn.app;

import java.util.Map;
import org.slf4j.MDC;

/**
 * The names under which a log line says what it is about, declared once: the apps put them in the
 * SLF4J MDC (per thread: {@link #MODEL} on every thread that works for one model) or pass them as
 * key-value pairs of one statement ({@link #VERSION}, with SLF4J's fluent API), and the launchers'
 * JSON log format writes them as fields of their own. The text format shows the message only, whose
 * words already name the model and version.
 */
public final class LogContext {
  /** The model a thread works for (MDC) or a line is about. */
  public static final String MODEL = "model";
  /** The model version a line is about: published, swapped in, refused. */
  public static final String VERSION = "version";
  /**
   * The part of streamlearn a line comes from (trainer, inference, registry, ...), when the logger's
   * package does not tell (MDC).
   */
  public static final String COMPONENT = "component";

  private LogContext() {}

  /** Tags every later line of the calling thread with the model it works for. */
  public static void model(String model) {
    MDC.put(MODEL, model);
  }

  /**
   * The task, run with the calling thread's MDC (its model) on whatever thread runs it: for the
   * threads an app starts for its work (a poller, a committer).
   */
  public static Runnable carrying(Runnable task) {
    Map<String, String> context = MDC.getCopyOfContextMap();
    return () -> {
      if (context != null) {
        MDC.setContextMap(context);
      }
      task.run();
    };
  }
}
