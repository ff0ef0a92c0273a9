package io.streamlearn.app;

import io.streamlearn.features.BadRecordException;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.JsonRecordDecoder;
import io.streamlearn.schema.user.GenericPath;
import io.streamlearn.schema.user.UserRecordDecoder;
import io.streamlearn.schema.user.UserRecordException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * The one seam from a raw record's bytes to what the feature pipeline reads, for every raw
 * {@link InputFormat}: JSON through the features module's streaming decoder, Avro (single-object or
 * Confluent) through the schemas module's decoders and {@link GenericPath}. A bad value is always a
 * {@link BadRecordException} naming the field (null for the record as a whole) and the reason, so
 * the trainer and inference dead-letter it the same way. Errors of the environment (a schema
 * registry that is down) are not bad records and propagate as they are. Every implementation here
 * is thread-safe (the trainer decodes on its poller thread).
 */
@FunctionalInterface
public interface RawRecordDecoder {

  /**
   * Decodes one record value.
   *
   * @throws BadRecordException when the value is not a record of this format
   */
  InputRecord decode(byte[] value);

  /** JSON objects; thread-safe, as the JSON decoder is. */
  static RawRecordDecoder json(JsonRecordDecoder decoder) {
    return value -> {
      if (value == null) {
        throw new BadRecordException(null, "no value (a tombstone)");
      }
      return decoder.decode(value);
    };
  }

  /** Avro generic records read at {@code paths}. */
  static RawRecordDecoder avro(UserRecordDecoder decoder, Collection<String> paths) {
    Map<String, GenericPath> compiled = new HashMap<>();
    for (String p : paths) {
      compiled.put(p, GenericPath.of(p));
    }
    return value -> {
      if (value == null) {
        throw new BadRecordException(null, "no value (a tombstone)");
      }
      GenericRecord record;
      try {
        record = decoder.decode(value);
      } catch (UserRecordException e) {
        throw new BadRecordException(null, e.getMessage());
      }
      return path -> {
        GenericPath gp = compiled.get(path);
        try {
          return (gp != null ? gp : GenericPath.of(path)).read(record);
        } catch (IllegalArgumentException e) {
          throw new BadRecordException(path, e.getMessage());
        }
      };
    };
  }
}
