package io.streamlearn.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each published schema must stay backward compatible with the previous release's file: a reader
 * on the current schema decodes everything written with the released one.
 */
class SchemaCompatibilityTest {
  static final String PREVIOUS_RELEASE = "0.1.0";
  /** Named types other schema files refer to; parsed first. */
  static final String SHARED_TYPES = "Tensor.avsc";

  static Stream<String> publishedSchemas() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/avro"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".avsc")).sorted()
          .toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("publishedSchemas")
  void currentSchemaReadsWhatThePreviousReleaseWrote(String file) throws IOException {
    Schema released = parse(new Schema.Parser(), file, true);
    Schema current = parse(new Schema.Parser(), file, false);
    var result = SchemaCompatibility.checkReaderWriterCompatibility(current, released);
    assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
        file + " is not backward compatible with release " + PREVIOUS_RELEASE + ": "
            + result.getResult().getIncompatibilities());
  }

  @ParameterizedTest
  @MethodSource("publishedSchemas")
  void everyReleasedSchemaIsStillPublished(String file) {
    assertTrue(getClass().getResource("/released/" + PREVIOUS_RELEASE + "/" + file) != null,
        file + " is new: copy it to src/test/resources/released/" + PREVIOUS_RELEASE
            + " only when it is released; until then add it to the fixture with this release");
  }

  @org.junit.jupiter.api.Test
  void userFacingRecordsHaveTheContractedFields() {
    assertEquals(List.of("id", "eventTime", "features", "label"),
        LabeledEvent.getClassSchema().getFields().stream().map(Schema.Field::name).toList());
    assertEquals(List.of("id", "eventTime", "features"),
        FeatureEvent.getClassSchema().getFields().stream().map(Schema.Field::name).toList());
    assertEquals(List.of("id", "eventTime", "model", "modelVersion", "predictedClass", "scores",
            "label", "latencyMicros", "predictedLabel", "alias", "sourceTopic", "sourcePartition", "sourceOffset"),
        Prediction.getClassSchema().getFields().stream().map(Schema.Field::name).toList());
  }

  /** Parses {@code file} with its shared named types (Tensor.avsc) defined first. */
  private Schema parse(Schema.Parser parser, String file, boolean released) throws IOException {
    if (!file.equals(SHARED_TYPES)) {
      open(parser, SHARED_TYPES, released);
    }
    return open(parser, file, released);
  }

  private Schema open(Schema.Parser parser, String file, boolean released) throws IOException {
    if (!released) {
      return parser.parse(Path.of("src/main/avro", file).toFile());
    }
    String resource = "/released/" + PREVIOUS_RELEASE + "/" + file;
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing fixture " + resource);
      }
      return parser.parse(in);
    }
  }
}
