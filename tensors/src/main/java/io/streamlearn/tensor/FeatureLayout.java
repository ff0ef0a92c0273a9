package io.streamlearn.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The shape of one featurized example, shared by the feature pipeline that writes it and the engine
 * that reads it: a dense block of {@code denseWidth} floats, then sparse fields, each an index space
 * of its own ({@code size} one-hot or hashed slots). The logical width of an example is
 * {@link #totalWidth()}: dense columns first, then each sparse field's slots in order, which is how
 * the first dense layer's weight rows are laid out and how an exported model's one-hot input reads.
 *
 * <p>A layout with no sparse field is an ordinary dense input of {@code denseWidth} features, which
 * is what every model trained on {@code LabeledEvent} records has.
 *
 * @param denseWidth number of dense columns, at least 0 (at least 1 when there is no sparse field)
 * @param sparseFields the sparse fields in order, names unique
 */
public record FeatureLayout(int denseWidth, List<SparseField> sparseFields) {

  /**
   * One sparse field: an index space of {@code size} slots (vocabulary plus "other", or hash buckets).
   *
   * @param name the input field it comes from, e.g. {@code origin}
   * @param size number of slots, at least 1
   */
  public record SparseField(String name, int size) {
    /** Validates the fields. */
    public SparseField {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("sparse field name must not be blank, got " + name);
      }
      if (size < 1) {
        throw new IllegalArgumentException("sparse field " + name + " size must be >= 1, got " + size);
      }
    }
  }

  /** Validates and copies. */
  public FeatureLayout {
    if (denseWidth < 0) {
      throw new IllegalArgumentException("denseWidth must be >= 0, got " + denseWidth);
    }
    Objects.requireNonNull(sparseFields, "sparseFields");
    sparseFields = List.copyOf(sparseFields);
    if (denseWidth == 0 && sparseFields.isEmpty()) {
      throw new IllegalArgumentException("a feature layout needs at least one dense column or sparse field");
    }
    long total = denseWidth;
    List<String> names = new ArrayList<>();
    for (SparseField field : sparseFields) {
      if (names.contains(field.name())) {
        throw new IllegalArgumentException("sparse field names must be unique, found " + field.name() + " twice");
      }
      names.add(field.name());
      total += field.size();
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("feature layout too wide: " + total + " columns");
    }
  }

  /** A dense-only layout of {@code width} columns. */
  public static FeatureLayout dense(int width) {
    if (width < 1) {
      throw new IllegalArgumentException("width must be >= 1, got " + width);
    }
    return new FeatureLayout(width, List.of());
  }

  /** Whether there is any sparse field. */
  public boolean hasSparse() {
    return !sparseFields.isEmpty();
  }

  /** Sum of the sparse fields' sizes. */
  public int sparseWidth() {
    int width = 0;
    for (SparseField field : sparseFields) {
      width += field.size();
    }
    return width;
  }

  /** Dense columns plus every sparse slot: the logical (one-hot) width of an example. */
  public int totalWidth() {
    return denseWidth + sparseWidth();
  }

  /** Offset of sparse field {@code field}'s first slot within the sparse block (not counting dense columns). */
  public int sparseOffset(int field) {
    Objects.checkIndex(field, sparseFields.size());
    int offset = 0;
    for (int f = 0; f < field; f++) {
      offset += sparseFields.get(f).size();
    }
    return offset;
  }

  /** Index of the sparse field that holds sparse-block slot {@code slot}. */
  public int fieldOfSlot(int slot) {
    int end = 0;
    for (int f = 0; f < sparseFields.size(); f++) {
      end += sparseFields.get(f).size();
      if (slot < end) {
        return f;
      }
    }
    throw new IndexOutOfBoundsException("slot " + slot + " is outside the sparse block of width " + end);
  }
}
