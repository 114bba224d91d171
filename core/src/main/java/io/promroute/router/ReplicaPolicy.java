package io.promroute.router;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How requests to a shard with several replicas ({@link ShardTarget#baseUrls()}) choose one and
 * fail over. Shards with one URL ignore it.
 *
 * <p>Each request goes to the first replica in configuration order that is in rotation. A replica
 * that refuses the connection, answers a 5xx, a redirect or something that is not JSON is taken out
 * of rotation for {@code backoff} (doubled for each further failure in a row, up to 16 times) and
 * the request goes on to the next replica; a replica that has sent no response headers after {@code
 * firstByteTimeout} gets company: the next replica is asked too and the first answer wins. All of
 * it within the request's own timeout. An answer whose body has started is retried on the next
 * replica only where the router reads it whole before writing anything (merges, cross-shard
 * evaluation, build info): then a body that breaks off, or sends no byte for {@code
 * firstByteTimeout}, is a failure of its replica too; an answer streamed through is never retried.
 *
 * @param firstByteTimeout how long a replica may take to send its response headers before the next
 *     replica is asked too
 * @param backoff how long a failed replica stays out of rotation after its first failure
 * @param probeInterval how often every replica's {@code /-/ready} is asked, or {@link
 *     Duration#ZERO} for never; with probes, a replica out of rotation returns only after a probe
 *     passes, so that no request pays for finding out it is still down
 */
public record ReplicaPolicy(Duration firstByteTimeout, Duration backoff, Duration probeInterval) {

  // Before DEFAULT, which the constructor checks against it.
  private static final Duration MAX = Duration.ofDays(1);

  /** 10 seconds to first byte, 10 seconds of back-off, no probes. */
  public static final ReplicaPolicy DEFAULT =
      new ReplicaPolicy(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ZERO);

  /**
   * Checks the durations.
   *
   * @param firstByteTimeout how long a replica may take to send its response headers, positive
   * @param backoff how long a failed replica stays out of rotation, positive
   * @param probeInterval how often replicas are probed, or {@link Duration#ZERO} for never
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code firstByteTimeout} or {@code backoff} is not
   *     positive, {@code probeInterval} is negative, or any is longer than 24 hours
   */
  public ReplicaPolicy {
    requireNonNull(firstByteTimeout, "firstByteTimeout is null");
    requireNonNull(backoff, "backoff is null");
    requireNonNull(probeInterval, "probeInterval is null");
    if (firstByteTimeout.isNegative() || firstByteTimeout.isZero()) {
      throw new IllegalArgumentException("firstByteTimeout must be positive: " + firstByteTimeout);
    }
    if (backoff.isNegative() || backoff.isZero()) {
      throw new IllegalArgumentException("backoff must be positive: " + backoff);
    }
    if (probeInterval.isNegative()) {
      throw new IllegalArgumentException("probeInterval must not be negative: " + probeInterval);
    }
    // Longer makes no sense, and keeps every computation in nanoseconds far from overflowing.
    for (Duration duration : new Duration[] {firstByteTimeout, backoff, probeInterval}) {
      if (duration.compareTo(MAX) > 0) {
        throw new IllegalArgumentException(
            "replica timeouts, back-off and probe interval are at most 24h: " + duration);
      }
    }
  }

  /**
   * Whether replicas are probed.
   *
   * @return {@code true} unless {@code probeInterval} is zero
   */
  public boolean probes() {
    return !probeInterval.isZero();
  }
}
