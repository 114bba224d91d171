package io.promroute.api;

/**
 * Prometheus's {@code --query.max-samples} for the router: how many samples one query may hold in
 * the router's memory at once (the shards' answers it merges, what it computes from them). With a
 * {@link MemoryBudget.Lease}, what is counted is also reserved from the router's memory budget. One
 * instance per query; not thread-safe (a query is read and evaluated on one thread).
 */
public final class SampleLimit {

  /** Prometheus's default {@code --query.max-samples}. */
  public static final long DEFAULT_MAX_SAMPLES = 50_000_000L;

  /** Prometheus's message; 422 {@code execution}. */
  static final String TOO_MANY_SAMPLES =
      "query processing would load too many samples into memory in query execution";

  private final long max;
  private final MemoryBudget.Lease memory;
  private long held;

  private SampleLimit(long max, MemoryBudget.Lease memory) {
    this.max = max;
    this.memory = memory;
  }

  /**
   * A fresh count for one query.
   *
   * @param maxSamples the most samples held at once, positive
   */
  public static SampleLimit of(long maxSamples) {
    return of(maxSamples, null);
  }

  /**
   * A fresh count for one query that also reserves what it counts from {@code memory}.
   *
   * @param maxSamples the most samples held at once, positive
   * @param memory the query's share of the router's memory budget; null for none
   */
  public static SampleLimit of(long maxSamples, MemoryBudget.Lease memory) {
    if (maxSamples <= 0) {
      throw new IllegalArgumentException("maxSamples must be positive, got " + maxSamples);
    }
    return new SampleLimit(maxSamples, memory);
  }

  /** No limit (for callers that bound memory otherwise). */
  public static SampleLimit unlimited() {
    return new SampleLimit(Long.MAX_VALUE, null);
  }

  /**
   * Counts {@code samples} more held.
   *
   * @throws ApiException 422 {@code execution} with Prometheus's message when the total exceeds the
   *     limit; 422 or 503 from {@link MemoryBudget.Lease#reserve} when the memory budget has no
   *     room
   */
  public void add(long samples) {
    held += samples;
    if (held > max) {
      throw new ApiException(new ApiError(422, "execution", TOO_MANY_SAMPLES));
    }
    if (memory != null) {
      memory.reserve(samples * MemoryBudget.SAMPLE_BYTES);
    }
  }

  /**
   * Counts a series' label set held with its samples: it takes memory, not samples.
   *
   * @throws ApiException from {@link MemoryBudget.Lease#reserve}
   */
  void addLabels(java.util.List<String> labels) {
    if (memory != null) {
      // Held as read, and copied as the evaluation's label set.
      memory.reserve(MemoryBudget.labelsBytes(labels) + MemoryBudget.labelsCopyBytes(labels));
    }
  }

  /**
   * Counts the buckets of a native histogram held with its sample: memory, not samples (Prometheus
   * counts a histogram as one sample).
   *
   * @throws ApiException from {@link MemoryBudget.Lease#reserve}
   */
  void addHistogramBuckets(int buckets) {
    if (memory != null) {
      // As read (bounds and count) and as held (index and count).
      memory.reserve(buckets * 48L);
    }
  }

  /** Counts {@code samples} no longer held (a step's intermediate values, once used). */
  public void release(long samples) {
    held -= samples;
    if (memory != null) {
      memory.release(samples * MemoryBudget.SAMPLE_BYTES);
    }
  }

  /** The samples held now. */
  public long held() {
    return held;
  }
}
