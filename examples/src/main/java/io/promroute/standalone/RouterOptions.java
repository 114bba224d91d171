package io.promroute.standalone;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The standalone router's settings that come from its command line rather than from the
 * configuration file (which a library user shares with the servlet filter).
 *
 * @param stopAtShutdown stop gracefully when the JVM is asked to exit (SIGTERM, Ctrl-C)
 * @param enableLifecycle answer {@code POST /-/reload} and {@code /-/quit}; without it they answer
 *     403, as Prometheus's do without {@code --web.enable-lifecycle}
 * @param drainPeriod how long {@code /-/ready} answers 503 before a stop closes the listener, so
 *     that load balancers stop sending first
 * @param accessLogFormat logfmt or JSON
 * @param maxLoggedQuery the longest query written to the access log; longer ones are cut
 */
record RouterOptions(
    boolean stopAtShutdown,
    boolean enableLifecycle,
    Duration drainPeriod,
    AccessLogFormat accessLogFormat,
    int maxLoggedQuery) {

  static final Duration DEFAULT_DRAIN_PERIOD = Duration.ofSeconds(5);
  static final int DEFAULT_MAX_LOGGED_QUERY = 1000;

  RouterOptions {
    requireNonNull(drainPeriod, "drainPeriod is null");
    requireNonNull(accessLogFormat, "accessLogFormat is null");
    if (drainPeriod.isNegative()) {
      throw new IllegalArgumentException("drainPeriod is negative: " + drainPeriod);
    }
    if (maxLoggedQuery <= 0) {
      throw new IllegalArgumentException("maxLoggedQuery must be positive: " + maxLoggedQuery);
    }
  }

  /** For tests and embedding: no shutdown hook, lifecycle endpoints on, no drain, logfmt. */
  static RouterOptions forTests() {
    return new RouterOptions(
        false, true, Duration.ZERO, AccessLogFormat.LOGFMT, DEFAULT_MAX_LOGGED_QUERY);
  }

  RouterOptions withLifecycle(boolean enabled) {
    return new RouterOptions(stopAtShutdown, enabled, drainPeriod, accessLogFormat, maxLoggedQuery);
  }

  RouterOptions withDrainPeriod(Duration period) {
    return new RouterOptions(
        stopAtShutdown, enableLifecycle, period, accessLogFormat, maxLoggedQuery);
  }

  RouterOptions withAccessLog(AccessLogFormat format, int maxQuery) {
    return new RouterOptions(stopAtShutdown, enableLifecycle, drainPeriod, format, maxQuery);
  }
}
