package io.promroute.api;

/**
 * Prometheus's {@code --query.max-samples} for the router: how many samples one query may hold
 * in the router's memory at once (the shards' answers it merges, what it computes from them).
 * One instance per query; not thread-safe (a query is read and evaluated on one thread).
 */
public final class SampleLimit {

  /** Prometheus's default {@code --query.max-samples}. */
  public static final long DEFAULT_MAX_SAMPLES = 50_000_000L;

  /** Prometheus's message; 422 {@code execution}. */
  static final String TOO_MANY_SAMPLES =
      "query processing would load too many samples into memory in query execution";

  private final long max;
  private long held;

  private SampleLimit(long max) {
    this.max = max;
  }

  /**
   * A fresh count for one query.
   *
   * @param maxSamples the most samples held at once, positive
   */
  public static SampleLimit of(long maxSamples) {
    if (maxSamples <= 0) {
      throw new IllegalArgumentException("maxSamples must be positive, got " + maxSamples);
    }
    return new SampleLimit(maxSamples);
  }

  /** No limit (for callers that bound memory otherwise). */
  public static SampleLimit unlimited() {
    return new SampleLimit(Long.MAX_VALUE);
  }

  /**
   * Counts {@code samples} more held.
   *
   * @throws ApiException 422 {@code execution} with Prometheus's message when the total exceeds
   *     the limit
   */
  public void add(long samples) {
    held += samples;
    if (held > max) {
      throw new ApiException(new ApiError(422, "execution", TOO_MANY_SAMPLES));
    }
  }

  /** Counts {@code samples} no longer held (a step's intermediate values, once used). */
  public void release(long samples) {
    held -= samples;
  }

  /** The samples held now. */
  public long held() {
    return held;
  }
}
