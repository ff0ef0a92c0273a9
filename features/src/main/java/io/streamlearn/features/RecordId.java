package io.streamlearn.features;

/**
 * A record's id ({@code --id-field}): the value at a path, or the record key.
 *
 * @param path the id field's path, or null to use the record key
 */
public record RecordId(String path) {

  /** Validates the path. */
  public RecordId {
    if (path != null && !FieldSpec.validPath(path)) {
      throw new IllegalArgumentException("id field path must be dot-separated names, got " + path);
    }
  }

  /**
   * The id of {@code record}: the id field's value as a string key when the path is set and the value
   * is there, else {@code key} (the record key, possibly null). Falling back instead of failing,
   * because an id only joins predictions and labels; a record without one still gets a prediction.
   */
  public String of(InputRecord record, String key) {
    if (path == null) {
      return key;
    }
    Object value = record.value(path);
    return value == null ? key : Values.key(value, path);
  }
}
