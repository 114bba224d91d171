package io.promroute.standalone;

import static java.util.Objects.requireNonNull;

import io.promroute.router.ShardTarget;
import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import io.promroute.servlet.RouterConfig;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Wraps the upstream client to time every shard request and to note, for the access log, which
 * shards the request being handled on this thread went to. It sits below the engine's replica
 * layer, so it sees each replica asked, and labels it with the replica's position in the current
 * configuration.
 */
final class MeteredUpstreamClient implements UpstreamClient {

  private final UpstreamClient delegate;
  private final RouterMetrics metrics;
  private final Supplier<RouterConfig> config;

  /**
   * @param config the configuration being served, for the replica numbers
   */
  MeteredUpstreamClient(
      UpstreamClient delegate, RouterMetrics metrics, Supplier<RouterConfig> config) {
    this.delegate = requireNonNull(delegate, "delegate is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.config = requireNonNull(config, "config is null");
  }

  @Override
  public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
    ObservingHandler.ShardCalls calls = ObservingHandler.current();
    if (calls != null) {
      calls.shards.add(request.shard());
    }
    String replica = replica(request);
    long start = System.nanoTime();
    CompletableFuture<UpstreamResponse> upstream = delegate.send(request);
    CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
    upstream.whenComplete(
        (response, failure) -> {
          String outcome = failure == null ? Integer.toString(response.status()) : outcome(failure);
          if (calls != null) {
            calls.answered(failure == null && response.status() / 100 == 2);
          }
          metrics
              .upstreamDuration
              .labelValues(request.shard(), replica, outcome)
              .observe((System.nanoTime() - start) / 1e9);
          if (failure != null) {
            result.completeExceptionally(failure);
          } else if (!result.complete(response)) {
            response.close(); // the caller cancelled meanwhile: release the connection
          }
        });
    // The contract says cancelling the returned future aborts the exchange: pass it on.
    result.whenComplete(
        (response, failure) -> {
          if (result.isCancelled()) {
            upstream.cancel(true);
          }
        });
    return result;
  }

  /**
   * The replica's position among its shard's URLs ({@code 0} for a shard with one), as a label:
   * bounded by the configuration, and free of credentials, which URLs never hold.
   */
  private String replica(UpstreamRequest request) {
    ShardTarget target = config.get().shards().get(request.shard());
    int index = target == null ? -1 : target.baseUrls().indexOf(request.target().baseUrl());
    return index < 0
        ? "unknown"
        : Integer.toString(index); // unknown: a request of a configuration just replaced
  }

  private static String outcome(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return "timeout";
    }
    return cause instanceof CancellationException ? "canceled" : "error";
  }
}
