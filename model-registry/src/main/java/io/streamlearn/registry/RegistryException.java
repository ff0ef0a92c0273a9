package io.streamlearn.registry;

import java.util.Objects;

/**
 * A registry operation that cannot be done as asked; {@link #kind()} says why, so a caller (the
 * REST API) can answer with the right status.
 */
public class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why an operation failed. */
  public enum Kind {
    /** The model, version or alias does not exist. */
    NOT_FOUND,
    /** The request contradicts the registry's state (a version not newer, nothing to roll back to). */
    CONFLICT,
    /** The request itself is malformed. */
    INVALID,
    /** Kafka could not be read or written in time. */
    UNAVAILABLE
  }

  private final Kind kind;

  /** With a kind and a message for the user. */
  public RegistryException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** With a kind, a message and a cause. */
  public RegistryException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** Why it failed. */
  public Kind kind() {
    return kind;
  }
}
