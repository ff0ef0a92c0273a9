package io.streamlearn.app;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers of a dead-letter record: the original key and value are kept as they were, and these
 * headers say why and where it came from.
 *
 * <p>A record of the user's own format (JSON, Avro) refused because of one of its fields (missing,
 * of the wrong type, an unparsable timestamp, a label beyond the model's classes) also carries
 * {@link #FIELD}, the field's path as the feature spec names it ({@code user.country}), so a
 * consumer of the dead-letter topic can group refusals by field without parsing the reason text,
 * which names the field too.
 */
public final class DeadLetters {
  /** Why the record was refused. */
  public static final String REASON = "streamlearn.error.reason";
  /**
   * The input field the refusal is about (its dotted path in the user's record); absent when the
   * refusal is about the whole record (not JSON, unknown schema) or the record is an event.
   */
  public static final String FIELD = "streamlearn.error.field";
  /** Which app refused it ({@code trainer}, {@code inference}). */
  public static final String APP = "streamlearn.error.app";
  /** Source topic. */
  public static final String TOPIC = "streamlearn.source.topic";
  /** Source partition (decimal text). */
  public static final String PARTITION = "streamlearn.source.partition";
  /** Source offset (decimal text). */
  public static final String OFFSET = "streamlearn.source.offset";

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

  /** The headers for a refused record, with {@link #FIELD} when the refusal names a field. */
  public static Headers headers(String app, Refusal refusal, String topic, int partition, long offset) {
    Headers h = headers(app, refusal.text(), topic, partition, offset);
    if (refusal.field() != null) {
      h.add(FIELD, bytes(refusal.field()));
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
