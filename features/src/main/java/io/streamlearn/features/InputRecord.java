package io.streamlearn.features;

/**
 * A raw record as the feature pipeline reads it: values by dotted path ({@code user.country}).
 *
 * <p>A value is null when the field is absent or null, else a {@link String}, a {@link Number}, a
 * {@link Boolean}, or a {@link java.util.List} of such values; anything else (a nested object at a
 * path the spec treats as a leaf) is a wrong type for every transform. Kept this small on purpose,
 * so that an adapter for another format (an Avro {@code GenericRecord}) is a few lines.
 */
public interface InputRecord {

  /** The value at {@code path}, or null when it is missing. */
  Object value(String path);
}
