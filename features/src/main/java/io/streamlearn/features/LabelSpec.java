package io.streamlearn.features;

import java.util.List;
import java.util.Objects;

/**
 * Where a record's label comes from ({@code --label-field}), in a text form:
 *
 * <ul>
 *   <li>{@code path}: classification. A label of any JSON type becomes a string key (see
 *       {@link #classKey}) and a class index through a vocabulary learned online, in order of first
 *       sight, up to the model's class count; a further new label is a bad record.
 *   <li>{@code path:numeric}: regression on a numeric field.
 *   <li>{@code path>15} (also {@code >=}, {@code <}, {@code <=}, {@code ==}): a derived binary label
 *       with the fixed classes {@code ["false", "true"]}, e.g. {@code delay>15} for "delayed".
 * </ul>
 *
 * <p>A record without its label (absent or null) is a bad record when a label is needed, i.e. for
 * training.
 */
public sealed interface LabelSpec {

  /** The label's field path. */
  String path();

  /** The text form, which {@link #parse} reads back. */
  String text();

  /** Fixed class names, or null when the classes are learned (classification) or there are none (regression). */
  default List<String> fixedClasses() {
    return null;
  }

  /** Parses {@code path}, {@code path:numeric} or {@code path<op>number}. */
  static LabelSpec parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("label spec must not be blank");
    }
    String t = text.strip();
    for (Comparison op : new Comparison[] {Comparison.GE, Comparison.LE, Comparison.EQ, Comparison.GT, Comparison.LT}) {
      int at = t.indexOf(op.symbol());
      if (at > 0) {
        String number = t.substring(at + op.symbol().length()).strip();
        try {
          return new Threshold(t.substring(0, at).strip(), op, Double.parseDouble(number));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("label spec " + text + ": expected a number after " + op.symbol()
              + ", found '" + number + "'");
        }
      }
    }
    if (t.endsWith(":numeric")) {
      return new Regression(t.substring(0, t.length() - ":numeric".length()).strip());
    }
    return new Classification(t);
  }

  /** The class key of a label value: strings as they are, booleans true/false, whole numbers without a fraction. */
  static String classKey(Object value, String path) {
    return Values.key(value, path);
  }

  /**
   * Classification on a field of any scalar type.
   *
   * @param path the field path
   */
  record Classification(String path) implements LabelSpec {
    /** Validates the path. */
    public Classification {
      checkPath(path);
    }

    @Override
    public String text() {
      return path;
    }
  }

  /**
   * Regression on a numeric field.
   *
   * @param path the field path
   */
  record Regression(String path) implements LabelSpec {
    /** Validates the path. */
    public Regression {
      checkPath(path);
    }

    @Override
    public String text() {
      return path + ":numeric";
    }
  }

  /**
   * A binary label from a numeric field compared with a threshold: class 1 ({@code "true"}) when
   * {@code value op threshold} holds.
   *
   * @param path the numeric field
   * @param op the comparison
   * @param threshold the number compared with, finite
   */
  record Threshold(String path, Comparison op, double threshold) implements LabelSpec {
    /** Validates the fields. */
    public Threshold {
      checkPath(path);
      Objects.requireNonNull(op, "op");
      if (!Double.isFinite(threshold)) {
        throw new IllegalArgumentException("label threshold must be finite, got " + threshold);
      }
    }

    @Override
    public String text() {
      return path + op.symbol() + Values.numberKey(threshold);
    }

    @Override
    public List<String> fixedClasses() {
      return List.of("false", "true");
    }

    /** Whether {@code value} is in the "true" class. */
    public boolean test(double value) {
      return switch (op) {
        case GT -> value > threshold;
        case GE -> value >= threshold;
        case LT -> value < threshold;
        case LE -> value <= threshold;
        case EQ -> value == threshold;
      };
    }
  }

  /** A comparison of a derived binary label. */
  enum Comparison {
    /** {@code >}. */
    GT(">"),
    /** {@code >=}. */
    GE(">="),
    /** {@code <}. */
    LT("<"),
    /** {@code <=}. */
    LE("<="),
    /** {@code ==}. */
    EQ("==");

    private final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }

    /** The operator as written. */
    public String symbol() {
      return symbol;
    }
  }

  private static void checkPath(String path) {
    if (path == null || !FieldSpec.validPath(path)) {
      throw new IllegalArgumentException("label field path must be dot-separated names, got " + path);
    }
  }
}
