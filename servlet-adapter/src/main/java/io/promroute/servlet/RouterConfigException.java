package io.promroute.servlet;

/** A configuration that cannot be used; the message names the key and, where known, the line. */
public final class RouterConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * A configuration problem.
   *
   * @param message what is wrong, with the source, key and line where known
   */
  public RouterConfigException(String message) {
    super(message);
  }

  /**
   * A configuration problem found by another exception (an unreadable file, a setting the filter's
   * builder refuses).
   *
   * @param message what is wrong, with the source, key and line where known
   * @param cause the exception that found it
   */
  public RouterConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
