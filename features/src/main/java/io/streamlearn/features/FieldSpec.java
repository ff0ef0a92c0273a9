package io.streamlearn.features;

import java.util.Objects;

/**
 * One input field of a {@link FeatureSpec}: where it is in a record and what to do with it.
 *
 * <p>A field is required unless its path ends in {@code ?} in the spec ({@code note?:tokens(hash=1024)}).
 * A record without a required field (absent or JSON null) is a bad record; an optional one is
 * imputed as its transform says (numeric: running mean plus indicator; bool: indicator; category,
 * hash, tokens: no slot; time, array: zeros).
 *
 * @param path dotted path into nested objects, e.g. {@code user.country}
 * @param optional whether the field may be missing
 * @param transform what to compute from it
 */
public record FieldSpec(String path, boolean optional, Transform transform) {

  /** Validates the path. */
  public FieldSpec {
    Objects.requireNonNull(transform, "transform");
    if (path == null || !validPath(path)) {
      throw new IllegalArgumentException(
          "field path must be dot-separated names of letters, digits, '_' or '-', got " + path);
    }
  }

  /** The field as the spec syntax writes it, e.g. {@code origin:category(500)}. */
  public String text() {
    return path + (optional ? "?" : "") + ":" + transform.text();
  }

  static boolean validPath(String path) {
    if (path.isEmpty() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.' || c == '$')) {
        return false;
      }
    }
    return true;
  }
}
