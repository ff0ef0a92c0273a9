package io.streamlearn.schema.user;

import org.apache.avro.generic.GenericRecord;

/**
 * Turns one Kafka record value of a user's topic into a generic Avro record: the seam behind
 * {@code --input-format avro} and {@code --input-format confluent-avro}.
 *
 * <p>Contract: a value that is not in the decoder's encoding, names a writer schema the decoder
 * cannot find, or holds a truncated or corrupt body raises {@link UserRecordException} (the
 * record is bad; dead letter it with {@link UserRecordException#reason()}). Any other exception
 * (for instance {@link SchemaRegistryException} when the registry is down or refuses the
 * credentials) is about the environment, not the record, and must not dead letter it.
 * Implementations are thread-safe.
 */
public interface UserRecordDecoder {
  /**
   * Decodes one value.
   *
   * @throws UserRecordException when the value is bad, with the reason
   */
  GenericRecord decode(byte[] value);
}
