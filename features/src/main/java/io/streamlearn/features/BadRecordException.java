package io.streamlearn.features;

/**
 * A record the pipeline cannot featurize or label: not JSON or not an object, a missing required
 * field, a wrong type, an unparsable timestamp, a label beyond the model's classes. The caller
 * dead-letters the record with {@link #field()} and {@link #reason()}; the pipeline's state is
 * untouched by the record that raised it.
 */
public final class BadRecordException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String field;
  private final String reason;

  /**
   * A bad record.
   *
   * @param field the field's path, or null when the record as a whole is bad
   * @param reason what is wrong, for a person
   */
  public BadRecordException(String field, String reason) {
    super(field == null ? reason : "field " + field + ": " + reason, null, false, false);
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("a bad record needs a reason");
    }
    this.field = field;
    this.reason = reason;
  }

  /** The path of the field at fault, or null when the whole record is (not JSON, not an object). */
  public String field() {
    return field;
  }

  /** What is wrong, e.g. {@code missing required field} or {@code expected a number, found true}. */
  public String reason() {
    return reason;
  }
}
