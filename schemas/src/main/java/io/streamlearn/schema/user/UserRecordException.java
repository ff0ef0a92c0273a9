package io.streamlearn.schema.user;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that cannot be decoded into a user's record, with the reason a dead letter
 * carries. A {@link SerializationException}, so Kafka's deserialization handlers treat it as the
 * bad record it is.
 */
public final class UserRecordException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /** Why a value could not be decoded; stable names for dead-letter headers and metrics. */
  public enum Reason {
    /** A null (tombstone) or empty value. */
    EMPTY_VALUE,
    /** The value does not start with the single-object header {@code C3 01}. */
    NOT_SINGLE_OBJECT,
    /** The header's fingerprint matches none of the configured writer schemas. */
    UNKNOWN_FINGERPRINT,
    /** The value does not start with Confluent's magic byte 0 and a 4-byte schema id. */
    NOT_CONFLUENT_WIRE_FORMAT,
    /** The registry has no schema under the value's schema id. */
    UNKNOWN_SCHEMA_ID,
    /** The writer schema is not an Avro record schema this decoder can read. */
    UNSUPPORTED_SCHEMA,
    /** The writer schema cannot be resolved into the configured reader schema. */
    INCOMPATIBLE_WRITER_SCHEMA,
    /** The body is truncated or not valid for its writer schema. */
    CORRUPT_BODY,
    /** The body decoded but bytes were left over. */
    TRAILING_BYTES
  }

  private final Reason reason;

  /** A decoding failure for {@code reason}, with a message a user can act on. */
  public UserRecordException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** A decoding failure for {@code reason} with no underlying exception. */
  public UserRecordException(Reason reason, String message) {
    this(reason, message, null);
  }

  /** Why the value could not be decoded. */
  public Reason reason() {
    return reason;
  }
}
