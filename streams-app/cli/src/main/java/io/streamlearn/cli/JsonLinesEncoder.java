package io.streamlearn.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.streamlearn.app.LogContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * The launchers' JSON log format: one JSON object per event on one line, for a log shipper to read
 * without a grok pattern. Fields, in this order:
 *
 * <ul>
 *   <li>{@code time}: ISO-8601 in UTC with milliseconds ({@code 2026-12-02T03:20:40.123Z});
 *   <li>{@code level}, {@code logger} (the full name), {@code thread}, {@code message} (formatted);
 *   <li>{@code component}: the MDC's {@value LogContext#COMPONENT}, else what the logger's package
 *       names ({@code io.streamlearn.train} trainer, {@code .serve} inference, {@code .registry},
 *       {@code .dashboard}, {@code .demo}, {@code .bench}, {@code .learn} engine, ...), else the
 *       process's own (the command's: {@code train} runs the trainer), which Kafka's own lines get;
 *   <li>{@code model} and {@code version} where known, from the statement's key-value pairs or the
 *       thread's MDC ({@link LogContext}), then any other MDC entry and key-value pair by its name;
 *   <li>{@code stack_trace}: the exception with its causes, as Java prints it, in one string.
 * </ul>
 *
 * <p>Logback's own {@code JsonEncoder} writes epoch milliseconds, nests the MDC and spreads the
 * stack trace over an array of frames: fine for Logback's tools, not for a search box.
 */
public final class JsonLinesEncoder extends EncoderBase<ILoggingEvent> {
  /** The logger context property with the component of lines no package or MDC names. */
  public static final String PROCESS_COMPONENT = "streamlearn.component";
  private static final String FALLBACK_COMPONENT = "cli";
  private static final String PREFIX = "io.streamlearn.";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  /** Packages whose component is not their own name; {@code null}: the process's component. */
  private static final Map<String, String> RENAMED = packageComponents();
  private static final Set<String> FIXED = Set.of("time", "level", "logger", "thread", "message", "component",
      LogContext.MODEL, LogContext.VERSION, "stack_trace");

  private final JsonFactory json = new JsonFactory();

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator g = json.createGenerator(bytes)) {
      Map<String, String> mdc = event.getMDCPropertyMap();
      Map<String, Object> pairs = pairs(event.getKeyValuePairs());
      g.writeStartObject();
      g.writeStringField("time", TIME.format(event.getInstant()));
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", event.getFormattedMessage());
      g.writeStringField("component", component(event.getLoggerName(), mdc.get(LogContext.COMPONENT)));
      for (String key : List.of(LogContext.MODEL, LogContext.VERSION)) {
        Object value = pairs.containsKey(key) ? pairs.get(key) : mdc.get(key);
        if (value instanceof String s && key.equals(LogContext.VERSION) && s.matches("\\d{1,18}")) {
          value = Long.parseLong(s); // a number however it was given
        }
        if (value != null) {
          writeField(g, key, value);
        }
      }
      for (Map.Entry<String, String> e : mdc.entrySet()) {
        if (!FIXED.contains(e.getKey()) && !pairs.containsKey(e.getKey())) {
          g.writeStringField(e.getKey(), e.getValue());
        }
      }
      for (Map.Entry<String, Object> e : pairs.entrySet()) {
        if (!FIXED.contains(e.getKey())) {
          writeField(g, e.getKey(), e.getValue());
        }
      }
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        g.writeStringField("stack_trace", ThrowableProxyUtil.asString(thrown));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a log line as JSON", e); // not with a byte array
    }
    bytes.write('\n');
    return bytes.toByteArray();
  }

  /**
   * The component of a line: the MDC's, else the package's, else the process's.
   *
   * @param mdcComponent the MDC's {@value LogContext#COMPONENT}, or null
   */
  String component(String loggerName, String mdcComponent) {
    if (mdcComponent != null && !mdcComponent.isBlank()) {
      return mdcComponent;
    }
    if (loggerName != null && loggerName.startsWith(PREFIX)) {
      int end = loggerName.indexOf('.', PREFIX.length());
      String segment = end < 0 ? "" : loggerName.substring(PREFIX.length(), end);
      String named = RENAMED.containsKey(segment) ? RENAMED.get(segment) : segment;
      if (named != null && !named.isEmpty()) {
        return named;
      }
    }
    String process = getContext() == null ? null : getContext().getProperty(PROCESS_COMPONENT);
    return process == null ? FALLBACK_COMPONENT : process;
  }

  private static Map<String, String> packageComponents() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("train", "trainer");
    m.put("serve", "inference");
    m.put("learn", "engine");
    m.put("schema", "schemas");
    m.put("tools", "cli");
    // shared by every app (Kafka plumbing, ops server, settings): the process says whose line it is
    m.put("app", null);
    m.put("config", null);
    return m;
  }

  private static Map<String, Object> pairs(List<KeyValuePair> list) {
    if (list == null || list.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (KeyValuePair p : list) {
      if (p.key != null) {
        m.put(p.key, p.value);
      }
    }
    return m;
  }

  /** Numbers and booleans as JSON numbers and booleans (a version stays a number); the rest as text. */
  private static void writeField(JsonGenerator g, String key, Object value) throws IOException {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      g.writeNumberField(key, ((Number) value).longValue());
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) {
        g.writeNumberField(key, d);
      } else {
        g.writeStringField(key, String.valueOf(d));
      }
    } else if (value instanceof Boolean b) {
      g.writeBooleanField(key, b);
    } else {
      g.writeStringField(key, String.valueOf(value));
    }
  }
}
