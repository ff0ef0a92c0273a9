package io.streamlearn.features;

/**
 * One input field of a model version's signature, for {@code models show} and the dashboard.
 *
 * @param name the field's path, e.g. {@code origin}
 * @param type its transform in the spec syntax, e.g. {@code category(500)}
 * @param optional whether a record may omit it
 */
public record InputField(String name, String type, boolean optional) {

  /** Validates the fields. */
  public InputField {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("input field name must not be blank, got " + name);
    }
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("input field " + name + " type must not be blank");
    }
  }
}
