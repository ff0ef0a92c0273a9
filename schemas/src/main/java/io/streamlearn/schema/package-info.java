/**
 * The published wire contract of streamlearn: the Avro records generated from
 * {@code src/main/avro/*.avsc}, their Kafka serdes and the default topic names.
 *
 * <p>Every value is Avro in the specification's single-object encoding ({@code C3 01}, the
 * writer schema's 8-byte little-endian CRC-64-AVRO fingerprint, then the binary body), so any
 * Avro library reads and writes it without a schema registry. Readers also accept Avro's JSON
 * encoding of the same record, recognised by a leading {@code '{'}, so a person can produce by
 * hand with a console producer. Keys are UTF-8 strings.
 *
 * <p>Users' own records (their Avro schemas, their schema registry) are read by
 * {@link io.streamlearn.schema.user}. This module depends on Avro, the Kafka client API and
 * Jackson only; it knows nothing of ND4J or Kafka Streams.
 */
package io.streamlearn.schema;
