package io.streamlearn.schema.user;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;

/** The recorded fixtures under {@code src/test/resources/user-avro} (made by make_fixtures.py). */
final class Fixtures {
  private Fixtures() {}

  static Path file(String name) {
    try {
      return Path.of(Objects.requireNonNull(Fixtures.class.getResource("/user-avro/" + name), name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String text(String name) {
    try (InputStream in = Objects.requireNonNull(Fixtures.class.getResourceAsStream("/user-avro/" + name), name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The values of a {@code .hex} fixture by label ("v1-0"), in file order. */
  static Map<String, byte[]> values(String name) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (String line : text(name).split("\n")) {
      if (!line.isBlank()) {
        String[] parts = line.strip().split(" ");
        out.put(parts[0], HexFormat.of().parseHex(parts[1]));
      }
    }
    return out;
  }

  static JsonNode expected() {
    try {
      return new ObjectMapper().readTree(text("expected.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The record the Python script wrote under {@code label}, as JSON. */
  static JsonNode expectedRecord(String label) {
    for (JsonNode r : expected().get("records")) {
      if (r.get("label").asText().equals(label)) {
        return r.get("record");
      }
    }
    throw new IllegalArgumentException("no expected record " + label);
  }

  static Schema schema(String name) {
    return new Schema.Parser().parse(text(name));
  }
}
