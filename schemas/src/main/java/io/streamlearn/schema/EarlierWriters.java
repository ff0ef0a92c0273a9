package io.streamlearn.schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * The released writer schemas of user-facing records that this release changed, read once from
 * the resources {@code earlier-writers/} next to this class. A new field changes a schema's
 * fingerprint, and single-object decoding is strict about fingerprints; without these, a reader
 * of this release would refuse every value an earlier release wrote to the same topic.
 */
final class EarlierWriters {
  private static final String DIR = "earlier-writers/";
  private static final Map<String, List<Schema>> BY_NAME = load();

  private EarlierWriters() {}

  /** The earlier writer schemas of the record with that full name (none for most records). */
  static List<Schema> of(String fullName) {
    return BY_NAME.getOrDefault(fullName, List.of());
  }

  private static Map<String, List<Schema>> load() {
    List<Schema> schemas = new ArrayList<>();
    try (InputStream index = EarlierWriters.class.getResourceAsStream(DIR + "index.txt")) {
      if (index == null) {
        throw new IllegalStateException("resource " + DIR + "index.txt is missing from the build");
      }
      BufferedReader lines = new BufferedReader(new InputStreamReader(index, StandardCharsets.UTF_8));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String file = line.strip();
        if (file.isEmpty() || file.startsWith("#")) {
          continue;
        }
        try (InputStream in = EarlierWriters.class.getResourceAsStream(DIR + file)) {
          if (in == null) {
            throw new IllegalStateException("earlier writer schema " + DIR + file + " is listed but missing");
          }
          // A parser per file: each file is a whole schema and may reuse the current names.
          schemas.add(new Schema.Parser().parse(in));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DIR + ": " + e.getMessage(), e);
    }
    return schemas.stream().collect(Collectors.groupingBy(Schema::getFullName));
  }
}
