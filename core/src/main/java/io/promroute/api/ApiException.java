package io.promroute.api;

import static java.util.Objects.requireNonNull;

/** A request that must be answered with {@link #error()} and never forwarded. */
public final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ApiError error;

  public ApiException(ApiError error) {
    super(requireNonNull(error, "error is null").message());
    this.error = error;
  }

  public ApiError error() {
    return error;
  }
}
