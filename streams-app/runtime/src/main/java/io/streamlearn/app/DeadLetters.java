package io.streamlearn.app;

import io.streamlearn.features.BadRecordException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers of a dead-letter record: the original key and value are kept as they were, and these
 * headers say why and where it came from.
 */
public final class DeadLetters {
  /** Why the record was refused. */
  public static final String REASON = "streamlearn.error.reason";
  /** Which app refused it ({@code trainer}, {@code inference}). */
  public static final String APP = "streamlearn.error.app";
  /** Source topic. */
  public static final String TOPIC = "streamlearn.source.topic";
  /** Source partition (decimal text). */
  public static final String PARTITION = "streamlearn.source.partition";
  /** Source offset (decimal text). */
  public static final String OFFSET = "streamlearn.source.offset";
  /** The path of the field at fault in a user's raw record ({@code user.country}); absent when the record as a whole is bad. */
  public static final String FIELD = "streamlearn.error.field";

  private DeadLetters() {}

  /** The headers for a refused record. */
  public static Headers headers(String app, String reason, String topic, int partition, long offset) {
    Headers h = new RecordHeaders();
    h.add(REASON, bytes(reason));
    h.add(APP, bytes(app));
    h.add(TOPIC, bytes(topic));
    h.add(PARTITION, bytes(Integer.toString(partition)));
    h.add(OFFSET, bytes(Long.toString(offset)));
    return h;
  }

  /**
   * The headers for a refused raw record, with the field at fault ({@link #FIELD}) when there is
   * one; the reason names it too, so a reader of the reason alone still sees it.
   */
  public static Headers headers(String app, BadRecordException bad, String topic, int partition, long offset) {
    String reason = bad.field() == null ? bad.reason() : "field " + bad.field() + ": " + bad.reason();
    Headers h = headers(app, reason, topic, partition, offset);
    if (bad.field() != null) {
      h.add(FIELD, bytes(bad.field()));
    }
    return h;
  }

  /** The text of a header, or {@code null}. */
  public static String header(Headers headers, String name) {
    var h = headers.lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
