package io.streamlearn.app;

/**
 * Why an input record is refused: a reason and, when the reason is about one field of the user's
 * record, that field's path. What {@link DeadLetters#headers(String, Refusal, String, int, long)}
 * writes as {@link DeadLetters#REASON} and {@link DeadLetters#FIELD}.
 *
 * @param field the dotted path of the field (e.g. {@code origin}, {@code user.country}), or
 *     {@code null} for a refusal of the whole record
 * @param reason what is wrong, without the field's name (e.g. {@code missing}, {@code expected a
 *     number, found "abc"})
 */
public record Refusal(String field, String reason) {
  /** Validates. */
  public Refusal {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("a refusal needs a reason, found '" + reason + "'");
    }
    if (field != null && field.isBlank()) {
      throw new IllegalArgumentException("field must be null or a path, found a blank one");
    }
  }

  /** A refusal of the whole record. */
  public static Refusal of(String reason) {
    return new Refusal(null, reason);
  }

  /** A refusal because of one field. */
  public static Refusal ofField(String field, String reason) {
    if (field == null) {
      throw new IllegalArgumentException("ofField needs a field; use of(reason) for the whole record");
    }
    return new Refusal(field, reason);
  }

  /** The reason header's text: {@code field origin: missing}, or the reason alone. */
  public String text() {
    return field == null ? reason : "field " + field + ": " + reason;
  }
}
