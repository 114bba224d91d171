package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.FaultyShard.Fault;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What one sick shard must not do to the router: hold up requests to healthy shards, leave a client
 * with an answer that looks whole, or keep shard connections open after the client left. In Jetty
 * 12 and Tomcat 11, with the filter on the JDK's upstream client.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class IsolationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(6);
  private static final String SICK =
      "/api/v1/query?query=" + URLEncoder.encode("up{cluster=\"b\"}", StandardCharsets.UTF_8);

  /**
   * A range query whose answer (about 300 KB) streams, so that it is copied on the filter's copy
   * pool.
   */
  private static final String HEALTHY =
      "/api/v1/query_range?query="
          + URLEncoder.encode("up{cluster=\"a\"}", StandardCharsets.UTF_8)
          + "&start=0&end=600000&step=60";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private FaultyShard sick;
  private FaultyShard healthy;
  private Map<String, String> targets;

  @BeforeEach
  void start() throws IOException {
    sick = new FaultyShard("b");
    healthy = new FaultyShard("a");
    targets = new LinkedHashMap<>();
    targets.put("a", healthy.hostPort());
    targets.put("b", sick.hostPort());
  }

  @AfterEach
  void stop() {
    sick.close();
    healthy.close();
  }

  private jakarta.servlet.Filter filter() {
    // The dialect pinned: the router asks the shards nothing of its own (a build info request
    // hanging on the sick shard would count as the request measured).
    return TestRouters.filter(
        targets,
        builder ->
            builder
                .upstreamTimeout(TIMEOUT)
                .promqlDialect(io.promroute.router.PromqlDialect.PROMETHEUS_2));
  }

  private HttpResponse<String> get(URI router, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(router.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aShardBreakingOffAfterCommitBreaksTheClientsConnectionInJetty() throws Exception {
    try (JettyRouter router = JettyRouter.start(filter())) {
      assertBrokenOff(router.baseUri());
    }
  }

  @Test
  void aShardBreakingOffAfterCommitBreaksTheClientsConnectionInTomcat() throws Exception {
    try (TomcatRouter router = TomcatRouter.start(filter())) {
      assertBrokenOff(router.baseUri());
    }
  }

  private void assertBrokenOff(URI router) throws Exception {
    assertThat(get(router, SICK).statusCode()).isEqualTo(200); // healthy first: the path works
    sick.fault(Fault.RESET_AFTER_MEGABYTES);

    CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(
            HttpRequest.newBuilder(router.resolve(SICK)).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(answer)
        .failsWithin(Duration.ofSeconds(30))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(IOException.class);
  }

  /**
   * Forty requests wait on a shard whose answers stall mid-body (each holds a copy in progress
   * until the deadline); requests to the healthy shard are answered meanwhile in their usual time.
   */
  @Test
  void requestsStalledOnOneShardDoNotDelayAnotherShardsAnswers() throws Exception {
    try (JettyRouter router = JettyRouter.start(filter())) {
      Duration before = medianLatency(router.baseUri(), 20);
      sick.fault(Fault.HANG_MID_CHUNKED);
      List<CompletableFuture<HttpResponse<String>>> stalled = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        stalled.add(
            http.sendAsync(
                HttpRequest.newBuilder(router.baseUri().resolve(SICK + "&n=" + i)).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (sick.requests() < 40 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(sick.requests())
          .as("requests stalled on the sick shard")
          .isGreaterThanOrEqualTo(40);

      Duration during = medianLatency(router.baseUri(), 20);

      System.out.printf(
          "healthy-shard query, median of 20: %.2f ms alone, %.2f ms while 40 requests stall on another shard%n",
          before.toNanos() / 1e6, during.toNanos() / 1e6);
      assertThat(during).isLessThan(Duration.ofMillis(500));
      for (CompletableFuture<HttpResponse<String>> request : stalled) {
        HttpResponse<String> response = request.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
      }
    }
  }

  private Duration medianLatency(URI router, int count) throws Exception {
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = get(router, HEALTHY);
      latencies.add(System.nanoTime() - start);
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).contains("a-1");
    }
    latencies.sort(null);
    return Duration.ofNanos(latencies.get(count / 2));
  }
}
