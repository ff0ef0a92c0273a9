package io.streamlearn.schema;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonDecoder;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/** Avro JSON encoding of generated records (the text form of the wire format). */
final class SpecificJson {
  private SpecificJson() {}

  static <T> T read(Schema schema, SpecificData model, InputStream in) throws IOException {
    JsonDecoder decoder = DecoderFactory.get().jsonDecoder(schema, in);
    SpecificDatumReader<T> reader = new SpecificDatumReader<>(schema, schema, model);
    return reader.read(null, decoder);
  }

  static <T> String write(Schema schema, SpecificData model, T value) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, out);
      new SpecificDatumWriter<T>(schema, model).write(value, encoder);
      encoder.flush();
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory JSON encoding failed", e);
    }
  }
}
