package io.streamlearn.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The input fields a model learns from and how each becomes features, in a one-line syntax:
 *
 * <pre>
 * distance:numeric, origin:category(500), destination:hash(4096),
 * date:time("yyyy/MM/dd HH:mm", hour, weekday), note?:tokens(hash=65536), flag:bool, pixels:array(784)
 * </pre>
 *
 * <p>Each field is {@code path[?]:transform}; the path is dotted into nested objects
 * ({@code user.country}), {@code ?} makes the field optional (see {@link FieldSpec}). Transforms:
 * {@code numeric}, {@code bool}, {@code category(n)}, {@code hash(n)}, {@code tokens(hash=n)},
 * {@code time[("pattern",] part, ...)]} with parts {@code hour}, {@code weekday}, {@code month},
 * {@code dayofyear} (plain {@code time} is ISO-8601 or epoch milliseconds, hour and weekday) and
 * optionally {@code keys=[hour, date*origin, ...], hash=n} (time parts as categories, crossed with
 * other fields, see {@link Transform.TimeKey}), and {@code array(n)}. Whitespace between tokens is free, and {@code #} starts a comment to the end of
 * the line (for a spec in a file, {@link #fromArgument}). {@link #parse} errors name the 1-based
 * position and the token found; {@link #text()} writes the canonical form, which parses back to an
 * equal spec.
 *
 * @param fields the fields in order (which is the order of their columns), paths unique
 */
public record FeatureSpec(List<FieldSpec> fields) {

  /** Validates and copies. */
  public FeatureSpec {
    Objects.requireNonNull(fields, "fields");
    fields = List.copyOf(fields);
    if (fields.isEmpty()) {
      throw new IllegalArgumentException("a feature spec needs at least one field");
    }
    Set<String> paths = new HashSet<>();
    for (FieldSpec field : fields) {
      if (!paths.add(field.path())) {
        throw new IllegalArgumentException("field " + field.path() + " appears twice in the feature spec");
      }
    }
  }

  /**
   * Parses the spec syntax.
   *
   * @throws IllegalArgumentException naming the position and the token where the text goes wrong
   */
  public static FeatureSpec parse(String text) {
    return new SpecParser(text).parse();
  }

  /**
   * The spec of a {@code --feature-spec} argument: the contents of the file it names when it names
   * one, else the argument itself as spec text.
   *
   * @throws IllegalArgumentException if the text does not parse (naming the file when there is one)
   * @throws UncheckedIOException if the file cannot be read
   */
  public static FeatureSpec fromArgument(String argument) {
    if (argument == null || argument.isBlank()) {
      throw new IllegalArgumentException("feature spec must not be blank");
    }
    Path file;
    try {
      file = Path.of(argument.strip());
    } catch (InvalidPathException e) {
      return parse(argument);
    }
    if (!Files.isRegularFile(file)) {
      return parse(argument);
    }
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the feature spec file " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** The canonical text, e.g. {@code distance:numeric, origin:category(500)}. */
  public String text() {
    StringBuilder text = new StringBuilder();
    for (FieldSpec field : fields) {
      text.append(text.length() == 0 ? "" : ", ").append(field.text());
    }
    return text.toString();
  }

  /** The fields' paths in order. */
  public List<String> paths() {
    List<String> paths = new ArrayList<>(fields.size());
    for (FieldSpec field : fields) {
      paths.add(field.path());
    }
    return paths;
  }

  /**
   * The paths a record is read at: the fields' paths in order, then the paths that time keys cross
   * with ({@code keys=[date*origin]}) and that are no field of their own.
   */
  public List<String> inputPaths() {
    List<String> paths = paths();
    for (FieldSpec field : fields) {
      if (field.transform() instanceof Transform.Time time) {
        for (String path : time.crossedPaths()) {
          if (!paths.contains(path)) {
            paths.add(path);
          }
        }
      }
    }
    return paths;
  }

  @Override
  public String toString() {
    return text();
  }
}
