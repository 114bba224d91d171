package io.promroute.standalone;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.promroute.router.ReplicaStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The router's own metrics, served at {@code /metrics} with the official Prometheus Java client.
 * They live here, in the standalone router, so that the library itself stays free of a metrics
 * dependency.
 */
final class RouterMetrics {

  private static final double[] LATENCY_BUCKETS = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
  };
  private static final Pattern LABEL_VALUES = Pattern.compile("/api/v1/label/[^/]+/values");

  final PrometheusRegistry registry;
  final Counter requests;
  final Histogram requestDuration;
  final Histogram upstreamDuration;
  final Counter reloads;
  final Gauge lastReloadSuccessful;
  // What an operator alerts on besides errors and latency: see operationMetrics().
  Gauge inFlight;
  Counter partialAnswers;
  Counter plans;
  Histogram crossShardEvaluation;

  /**
   * Metrics in a registry of their own, with the JVM's; {@code jvm} is off in tests that run many
   * routers.
   */
  RouterMetrics(boolean jvm) {
    registry = new PrometheusRegistry();
    requests =
        Counter.builder()
            .name("promroute_requests_total")
            .help(
                "Requests served, by endpoint and HTTP status; per shard, see promroute_upstream_request_duration_seconds")
            .labelNames("endpoint", "status")
            .register(registry);
    requestDuration =
        Histogram.builder()
            .name("promroute_request_duration_seconds")
            .help("Time from receiving a request to finishing its response, by endpoint")
            .unit(Unit.SECONDS)
            .classicUpperBounds(LATENCY_BUCKETS)
            .labelNames("endpoint")
            .register(registry);
    upstreamDuration =
        Histogram.builder()
            .name("promroute_upstream_request_duration_seconds")
            .help(
                "Time from sending a request to a shard to receiving its response headers, by shard, replica (its position in the shard's list, 0 for a shard with one URL) and outcome (HTTP status, \"timeout\", \"error\" or \"canceled\"); a fan-out counts once on each shard it asks")
            .unit(Unit.SECONDS)
            .classicUpperBounds(LATENCY_BUCKETS)
            .labelNames("shard", "replica", "outcome")
            .register(registry);
    reloads =
        Counter.builder()
            .name("promroute_config_reloads_total")
            .help("Configuration reloads, by result (success or failure)")
            .labelNames("result")
            .register(registry);
    lastReloadSuccessful =
        Gauge.builder()
            .name("promroute_config_last_reload_successful")
            .help(
                "1 if the last configuration (re)load succeeded, 0 if the router still serves an older configuration")
            .register(registry);
    lastReloadSuccessful.set(1);
    operationMetrics();
    if (jvm) {
      JvmMetrics.builder().register(registry);
    }
  }

  private void operationMetrics() {
    inFlight =
        Gauge.builder()
            .name("promroute_requests_in_flight")
            .help("Requests being served now")
            .register(registry);
    partialAnswers =
        Counter.builder()
            .name("promroute_partial_answers_total")
            .help(
                "Successful answers that lack a failed shard's data (upstream.partial_response), by endpoint")
            .labelNames("endpoint")
            .register(registry);
    plans =
        Counter.builder()
            .name("promroute_plans_total")
            .help(
                "API requests routed, by how they were answered: local, single, pass_through, merge, shard_keys or cross_shard")
            .labelNames("kind")
            .register(registry);
    crossShardEvaluation =
        Histogram.builder()
            .name("promroute_cross_shard_evaluation_seconds")
            .help(
                "For queries the router computes from several shards' answers: time from the last shard's response headers to the end of the answer (reading the shards' bodies, evaluating, writing)")
            .unit(Unit.SECONDS)
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
  }

  /**
   * Exports the health of the replicas of the filter being served, read at each scrape. Called
   * once, by the router that owns these metrics.
   *
   * @param replicas the current filter's replicas
   */
  void watchReplicas(Supplier<List<ReplicaStatus>> replicas) {
    GaugeWithCallback.builder()
        .name("promroute_replica_up")
        .help(
            "1 while a replica of a shard with several is in rotation, 0 while it is skipped after failures (until its back-off ends or, with probes, a probe passes); by shard and replica (its position in the shard's list)")
        .labelNames("shard", "replica")
        .callback(
            callback -> {
              for (ReplicaStatus status : replicas.get()) {
                callback.call(
                    status.inRotation() ? 1 : 0,
                    status.shard(),
                    Integer.toString(status.replica()));
              }
            })
        .register(registry);
  }

  /**
   * Exports which shards with one address are silent ({@code upstream.silence_probe}): 1 while
   * their requests fail at once because their {@code /-/ready} got no answer, 0 otherwise; read at
   * each scrape. Called once, by the router that owns these metrics.
   *
   * @param watched the shards with one address of the current configuration, by key
   * @param silent the current engine's silent shards, by key
   */
  void watchSilentShards(Supplier<List<String>> watched, Supplier<Map<String, String>> silent) {
    GaugeWithCallback.builder()
        .name("promroute_shard_silent")
        .help(
            "1 while a shard with one address is silent: its /-/ready got no answer within upstream.silence_probe, and its requests fail at once until a probe answers; 0 otherwise; by shard")
        .labelNames("shard")
        .callback(
            callback -> {
              Map<String, String> now = silent.get();
              for (String shard : watched.get()) {
                callback.call(now.containsKey(shard) ? 1 : 0, shard);
              }
            })
        .register(registry);
  }

  /**
   * Exports the Prometheus version each shard reported (promql.dialect: auto reads them), read at
   * each scrape, as an info gauge: the shard's key and its version, never its address. Called once,
   * by the router that owns these metrics.
   *
   * @param versions the current engine's shard versions, by shard key
   */
  void watchShardVersions(Supplier<Map<String, String>> versions) {
    GaugeWithCallback.builder()
        .name("promroute_shard_prometheus_info")
        .help(
            "1 for each shard whose Prometheus version the router has read at its /api/v1/status/buildinfo (promql.dialect: auto follows these versions; none are read when the dialect is pinned), by shard and version")
        .labelNames("shard", "version")
        .callback(
            callback ->
                versions.get().forEach((shard, version) -> callback.call(1, shard, version)))
        .register(registry);
  }

  /**
   * The endpoint label of a request path (without the API prefix): the API paths as Prometheus
   * names them, so that a client sending arbitrary paths cannot grow the label's values.
   */
  static String endpoint(String path) {
    return switch (path) {
      case "/api/v1/query",
          "/api/v1/query_range",
          "/api/v1/query_exemplars",
          "/api/v1/series",
          "/api/v1/labels",
          "/api/v1/metadata",
          "/api/v1/rules",
          "/api/v1/alerts",
          "/api/v1/status/buildinfo",
          "/api/v1/format_query",
          "/api/v1/parse_query",
          "/-/healthy",
          "/-/ready",
          "/-/reload",
          "/-/quit",
          "/metrics",
          "/" ->
          path;
      default -> {
        if (LABEL_VALUES.matcher(path).matches()) {
          yield "/api/v1/label/:name/values";
        }
        yield path.startsWith("/api/") ? "/api/other" : "other";
      }
    };
  }
}
