package io.streamlearn.cli;

/**
 * The command line is wrong in a way the user can fix: {@link Main} prints the message (which
 * usually carries the usage text) on standard error and exits with {@link Main#USAGE}.
 */
public final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** A usage error with what is wrong and, where it helps, the usage text. */
  public UsageException(String message) {
    super(message);
  }
}
