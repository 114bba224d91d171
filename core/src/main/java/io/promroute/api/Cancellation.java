package io.promroute.api;

import static java.util.Objects.requireNonNull;

import java.util.function.BooleanSupplier;

/**
 * When the router must stop computing an answer: its deadline passed (503 {@code timeout}), or the
 * client is gone (499 {@code canceled}), with Prometheus's errors. The engine makes one per request
 * and passes it to the evaluation, which calls {@link #check()} at every step and in every long
 * loop, so that a cancelled evaluation stops burning CPU within milliseconds. Thread-safe; {@link
 * #check()} is cheap (a clock read and one call).
 */
public final class Cancellation {

  private static final Cancellation NONE = new Cancellation(Long.MAX_VALUE, () -> false, false);

  private final long deadlineNanos;
  private final BooleanSupplier canceled;
  private final boolean bounded;

  private Cancellation(long deadlineNanos, BooleanSupplier canceled, boolean bounded) {
    this.deadlineNanos = deadlineNanos;
    this.canceled = canceled;
    this.bounded = bounded;
  }

  /** Never cancels: for callers without a deadline or a client. */
  public static Cancellation none() {
    return NONE;
  }

  /**
   * Cancels when {@code System.nanoTime()} reaches {@code deadlineNanos} or when {@code canceled}
   * says so (the client left).
   *
   * @param deadlineNanos a {@link System#nanoTime()} value
   * @param canceled asked at each check: true once the answer is no longer wanted
   */
  public static Cancellation until(long deadlineNanos, BooleanSupplier canceled) {
    return new Cancellation(deadlineNanos, requireNonNull(canceled, "canceled is null"), true);
  }

  /**
   * Throws if the evaluation must stop.
   *
   * @throws ApiException 503 {@code timeout} "query timed out in expression evaluation" after the
   *     deadline, 499 {@code canceled} "query was canceled in expression evaluation" once the
   *     client is gone (Prometheus's words)
   */
  public void check() {
    if (!bounded) {
      return;
    }
    if (canceled.getAsBoolean()) {
      throw new ApiException(
          new ApiError(499, "canceled", "query was canceled in expression evaluation"));
    }
    if (System.nanoTime() - deadlineNanos >= 0) {
      throw new ApiException(
          new ApiError(503, "timeout", "query timed out in expression evaluation"));
    }
  }
}
