package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.router.ShardTarget;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import io.promroute.servlet.RouterConfig;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class MeteredUpstreamClientTest {

  private static final UpstreamRequest REQUEST =
      new UpstreamRequest(
          "b",
          ShardTarget.of("127.0.0.1:9192"),
          "GET",
          URI.create("http://127.0.0.1:9192/api/v1/query?query=up"),
          Map.of(),
          new byte[0],
          Duration.ofSeconds(5));

  /** Shard b has two replicas; {@link #REQUEST} goes to the second. */
  private static final Supplier<RouterConfig> CONFIG =
      () ->
          RouterConfig.parse(
              "prome_servers: {a: '127.0.0.1:9191', b: ['127.0.0.1:9191', '127.0.0.1:9192']}",
              "test");

  private final RouterMetrics metrics = new RouterMetrics(false);

  private long count(String shard, String outcome) {
    return metrics.upstreamDuration.collect().getDataPoints().stream()
        .filter(
            point ->
                shard.equals(point.getLabels().get("shard"))
                    && outcome.equals(point.getLabels().get("outcome")))
        .mapToLong(point -> point.getCount())
        .sum();
  }

  @Test
  void timesEachShardRequestByOutcome() {
    MeteredUpstreamClient ok =
        new MeteredUpstreamClient(new FakeShards.OkClient(), metrics, CONFIG);
    MeteredUpstreamClient slow =
        new MeteredUpstreamClient(
            request ->
                CompletableFuture.failedFuture(new HttpTimeoutException("request timed out")),
            metrics,
            CONFIG);

    ok.send(REQUEST).join().close();
    ok.send(REQUEST).join().close();
    CompletableFuture<UpstreamResponse> timedOut = slow.send(REQUEST);

    assertThat(count("b", "200")).isEqualTo(2);
    assertThat(count("b", "timeout")).isEqualTo(1);
    // The failure reaches the caller as the delegate reported it.
    assertThat(timedOut).isCompletedExceptionally();
    assertThat(timedOut.handle((response, failure) -> failure).join())
        .isInstanceOf(HttpTimeoutException.class);
  }

  @Test
  void labelsEachRequestWithTheReplicaAskedByItsPosition() {
    MeteredUpstreamClient ok =
        new MeteredUpstreamClient(new FakeShards.OkClient(), metrics, CONFIG);

    ok.send(REQUEST).join().close();
    UpstreamRequest toA =
        new UpstreamRequest(
            "a",
            ShardTarget.of("127.0.0.1:9191"),
            "GET",
            URI.create("http://127.0.0.1:9191/api/v1/query?query=up"),
            Map.of(),
            new byte[0],
            Duration.ofSeconds(5));
    ok.send(toA).join().close();

    assertThat(metrics.upstreamDuration.collect().getDataPoints())
        .extracting(
            point -> point.getLabels().get("shard") + "/" + point.getLabels().get("replica"))
        .containsExactlyInAnyOrder("b/1", "a/0");
  }

  @Test
  void cancellingTheAnswerCancelsTheShardRequest() {
    AtomicReference<CompletableFuture<UpstreamResponse>> upstream = new AtomicReference<>();
    MeteredUpstreamClient client =
        new MeteredUpstreamClient(
            request -> {
              upstream.set(new CompletableFuture<>());
              return upstream.get();
            },
            metrics,
            CONFIG);

    client.send(REQUEST).cancel(true);

    assertThat(upstream.get()).isCancelled();
    assertThat(count("b", "canceled")).isEqualTo(1);
  }
}
