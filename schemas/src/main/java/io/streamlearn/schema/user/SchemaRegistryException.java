package io.streamlearn.schema.user;

import java.util.Objects;

/**
 * The schema registry could not give a schema: the message names the id, the URL and the cause.
 * {@link #kind()} lets a caller act: {@link Kind#NOT_FOUND} and {@link Kind#UNSUPPORTED_SCHEMA}
 * are about the record that named the id; the others are about the registry or the credentials,
 * and {@link #retriable()} says whether trying again later can help.
 */
public final class SchemaRegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, by what a caller does about it. */
  public enum Kind {
    /** The registry has no schema under that id (HTTP 404). */
    NOT_FOUND(false),
    /** The schema is not a plain Avro schema (Protobuf, JSON Schema, or with references). */
    UNSUPPORTED_SCHEMA(false),
    /** The registry refused the credentials (HTTP 401). */
    UNAUTHORIZED(false),
    /** The credentials may not read that schema (HTTP 403). */
    FORBIDDEN(false),
    /** The registry failed (HTTP 5xx). */
    SERVER_ERROR(true),
    /** No registry answered in time, or none could be reached. */
    UNREACHABLE(true),
    /** The registry answered with a status or body this client does not understand. */
    INVALID_RESPONSE(false);

    private final boolean retriable;

    Kind(boolean retriable) {
      this.retriable = retriable;
    }
  }

  private final Kind kind;

  /** A failure of {@code kind} with a message naming the id, URL and cause. */
  public SchemaRegistryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  /** Whether the same request may succeed later (a server error or an unreachable registry). */
  public boolean retriable() {
    return kind.retriable;
  }
}
