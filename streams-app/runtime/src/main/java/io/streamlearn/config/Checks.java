package io.streamlearn.config;

/**
 * The checks the services' settings records make in their compact constructors, written once:
 * each throws {@link IllegalArgumentException} naming the field and the value found.
 */
public final class Checks {
  private Checks() {}

  /** A value that is not null or blank. */
  public static String text(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank, found '" + value + "'");
    }
    return value;
  }

  /** A number no smaller than {@code min}. */
  public static long atLeast(String field, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be >= " + min + ", found " + value);
    }
    return value;
  }
}
