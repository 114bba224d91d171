package io.promroute.examples;

import static java.util.Objects.requireNonNull;

import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Wraps the upstream client to time every shard request and to note, for the access log, which
 * shards the request being handled on this thread went to.
 */
final class MeteredUpstreamClient implements UpstreamClient {

  private final UpstreamClient delegate;
  private final RouterMetrics metrics;

  MeteredUpstreamClient(UpstreamClient delegate, RouterMetrics metrics) {
    this.delegate = requireNonNull(delegate, "delegate is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
  }

  @Override
  public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
    ObservingHandler.noteShard(request.shard());
    long start = System.nanoTime();
    CompletableFuture<UpstreamResponse> upstream = delegate.send(request);
    CompletableFuture<UpstreamResponse> result = new CompletableFuture<>();
    upstream.whenComplete((response, failure) -> {
      String outcome = failure == null ? Integer.toString(response.status()) : outcome(failure);
      metrics.upstreamDuration.labelValues(request.shard(), outcome)
          .observe((System.nanoTime() - start) / 1e9);
      if (failure != null) {
        result.completeExceptionally(failure);
      } else if (!result.complete(response)) {
        response.close(); // the caller cancelled meanwhile: release the connection
      }
    });
    // The contract says cancelling the returned future aborts the exchange: pass it on.
    result.whenComplete((response, failure) -> {
      if (result.isCancelled()) {
        upstream.cancel(true);
      }
    });
    return result;
  }

  private static String outcome(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return "timeout";
    }
    return cause instanceof CancellationException ? "canceled" : "error";
  }
}
