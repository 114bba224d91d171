package io.promroute.router;

/**
 * Which Prometheus's PromQL the router accepts, where the versions differ (Prometheus 3 removed
 * {@code holt_winters}).
 */
public enum PromqlDialect {
  /**
   * What the shards accept, from the version each one reports at {@code /api/v1/status/buildinfo}
   * (asked at start-up, and again while a shard has not answered): Prometheus 2's functions unless
   * a shard runs Prometheus 3 or later.
   */
  AUTO,
  /** Prometheus 2's functions accepted, whatever the shards run. */
  PROMETHEUS_2,
  /** The parser options as given ({@code holt_winters} refused unless they enable it). */
  PROMETHEUS_3
}
