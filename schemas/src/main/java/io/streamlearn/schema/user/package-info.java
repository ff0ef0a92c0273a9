/**
 * Users' own Avro records, read as {@link org.apache.avro.generic.GenericRecord}s with no
 * generated classes: the records a Kafka shop already publishes, so streamlearn learns from them
 * without a conversion job.
 *
 * <p>Two encodings, one seam ({@link io.streamlearn.schema.user.UserRecordDecoder}):
 * <ul>
 *   <li>{@link io.streamlearn.schema.user.SingleObjectDecoder}: Avro's single-object encoding
 *       ({@code C3 01}, the writer schema's CRC-64-AVRO fingerprint, the body), with the writer
 *       schemas given as {@code .avsc} files ({@code --input-format avro --avro-schema a.avsc});
 *   <li>{@link io.streamlearn.schema.user.ConfluentAvroDecoder}: Confluent's wire format (magic
 *       byte 0, a 4-byte big-endian schema id, the body), the writer schemas fetched by id from a
 *       schema registry's REST API by {@link io.streamlearn.schema.user.SchemaRegistryClient}
 *       ({@code --input-format confluent-avro --schema-registry-url URL}).
 * </ul>
 * A value that cannot be decoded raises {@link io.streamlearn.schema.user.UserRecordException}
 * with a {@link io.streamlearn.schema.user.UserRecordException.Reason}, so the caller can dead
 * letter the record with that reason; a registry that cannot answer raises
 * {@link io.streamlearn.schema.user.SchemaRegistryException}, which is not the record's fault.
 * {@link io.streamlearn.schema.user.GenericPath} reads a dotted field path out of a decoded
 * record as plain Java values for the feature pipeline.
 *
 * <p>Depends on Avro, Jackson (registry responses) and the JDK's {@code java.net.http} only.
 */
package io.streamlearn.schema.user;
