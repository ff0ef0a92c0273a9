package io.streamlearn.cli;

/**
 * The command line is wrong in a way the user can fix: {@link Main} prints the message (which
 * usually carries the usage text) on standard error, after the command it is about, and exits
 * with {@link Main#USAGE}.
 */
public final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String subcommand;

  /** A usage error with what is wrong and, where it helps, the usage text. */
  public UsageException(String message) {
    this("", message);
  }

  /** A usage error in a subcommand ({@code list} of {@code streamlearn models list}). */
  UsageException(String subcommand, String message) {
    super(message);
    this.subcommand = subcommand;
  }

  /** The subcommands below the launcher's command the error is in; empty when none. */
  public String subcommand() {
    return subcommand;
  }
}
