package io.promroute.servlet;

/** A configuration that cannot be used; the message names the key and, where known, the line. */
public final class RouterConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public RouterConfigException(String message) {
    super(message);
  }

  public RouterConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
