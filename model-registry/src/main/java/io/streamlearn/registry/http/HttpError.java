package io.streamlearn.registry.http;

/** Ends a request with an HTTP status and a message, answered as {@code {"error": message}}. */
public class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  /** With the status and the message for the client. */
  public HttpError(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
