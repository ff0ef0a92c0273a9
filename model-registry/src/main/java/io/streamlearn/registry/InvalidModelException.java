package io.streamlearn.registry;

/**
 * A model version that must not be served or trained from: undecodable, of an unknown format
 * version, with a wrong checksum, non-finite weights or a signature that does not fit. The caller
 * keeps what it has and reports the reason.
 */
public class InvalidModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a reason. */
  public InvalidModelException(String message) {
    super(message);
  }

  /** With a reason and its cause. */
  public InvalidModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
