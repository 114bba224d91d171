package io.promroute.standalone;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promroute.servlet.RouterConfig;
import io.promroute.servlet.it.Eventually;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterServerTest {

  // The dialect is pinned so that the router asks the shards nothing of its own (with "auto" it
  // asks each shard's build info at start-up), and the counts below are the tests' requests only.
  private static final String PINNED_DIALECT = "promql:\n  dialect: prometheus2\n";
  private static final String TWO_SHARDS =
      """
      prome_servers:
        a: 127.0.0.1:9191
        b: 127.0.0.1:9192
      promql:
        dialect: prometheus2
      http:
        listen_addr: 127.0.0.1:0
      """;

  @TempDir Path directory;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> accessLog = new CopyOnWriteArrayList<>();
  private RouterServer router;

  @AfterEach
  void stop() throws Exception {
    if (router != null) {
      router.close();
    }
  }

  private Path start(String yaml) throws Exception {
    return start(yaml, RouterOptions.forTests());
  }

  private Path start(String yaml, RouterOptions options) throws Exception {
    Path file = directory.resolve("router.yml");
    Files.writeString(file, yaml);
    router =
        new RouterServer(
            file,
            RouterConfig.load(file),
            FakeShards::create,
            new FakeShards.OkClient(),
            new RouterMetrics(true),
            accessLog::add,
            options);
    router.start();
    return file;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(router.baseUri().resolve(path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(router.baseUri().resolve(path))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The real engine and the JDK client in front of shards a and b. */
  private void startOver(FakePrometheus a, FakePrometheus b) throws Exception {
    startReal(
        "prome_servers:\n  a: "
            + a.address()
            + "\n  b: "
            + b.address()
            + "\nhttp:\n  listen_addr: 127.0.0.1:0\n"
            + PINNED_DIALECT,
        RouterOptions.forTests());
  }

  /** The real engine and the JDK client, configured by {@code yaml}. */
  private void startReal(String yaml, RouterOptions options) throws Exception {
    Path file = directory.resolve("router.yml");
    Files.writeString(file, yaml);
    router =
        new RouterServer(
            file,
            RouterConfig.load(file),
            RouterEngines::create,
            io.promroute.router.UpstreamClient.jdk(),
            new RouterMetrics(false),
            accessLog::add,
            options);
    router.start();
  }

  @Test
  void aShardWithADeadReplicaIsAnsweredByTheOtherAndTheMetricsShowIt() throws Exception {
    int dead;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = socket.getLocalPort(); // nothing listens there once closed
    }
    try (FakePrometheus a = new FakePrometheus("node-a:9100");
        FakePrometheus b = new FakePrometheus("node-b:9100")) {
      Path file = directory.resolve("router.yml");
      Files.writeString(
          file,
          "prome_servers:\n  a: [127.0.0.1:"
              + dead
              + ", "
              + a.address()
              + "]\n  b: "
              + b.address()
              + "\nhttp:\n  listen_addr: 127.0.0.1:0\n"
              + PINNED_DIALECT);
      router =
          new RouterServer(
              file,
              RouterConfig.load(file),
              RouterEngines::create,
              new JettyUpstreamClient(java.time.Duration.ofSeconds(5)),
              new RouterMetrics(false),
              accessLog::add,
              RouterOptions.forTests());
      router.start();

      for (int i = 0; i < 3; i++) {
        HttpResponse<String> answer = get("/api/v1/query?query=up%7Bcluster%3D%22a%22%7D");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("\"cluster\":\"a\"").contains("node-a:9100");
      }
      assertThat(a.queries).containsExactly("up", "up", "up");
      Eventually.eventually(
          () ->
              assertThat(get("/metrics").body())
                  .contains("promroute_replica_up{replica=\"0\",shard=\"a\"} 0.0")
                  .contains("promroute_replica_up{replica=\"1\",shard=\"a\"} 1.0")
                  .doesNotContain("promroute_replica_up{replica=\"0\",shard=\"b\"}")
                  // The dead replica was asked once; the live one every time.
                  .contains(
                      "promroute_upstream_request_duration_seconds_count{outcome=\"error\",replica=\"0\",shard=\"a\"} 1")
                  .contains(
                      "promroute_upstream_request_duration_seconds_count{outcome=\"200\",replica=\"1\",shard=\"a\"} 3"));
      // The index names shards, never their addresses: the replicas' health is in the metrics.
      assertThat(get("/").body()).contains("shards: a, b").doesNotContain(a.address());
    }
  }

  @Test
  void routesThroughTheRealEngineAndRecordsTheShardItWentTo() throws Exception {
    try (FakePrometheus a = new FakePrometheus("node-a:9100");
        FakePrometheus b = new FakePrometheus("node-b:9100")) {
      startOver(a, b);

      HttpResponse<String> answer = get("/api/v1/query?query=up%7Bcluster%3D%22b%22%7D");

      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).contains("\"cluster\":\"b\"").contains("node-b:9100");
      assertThat(b.queries).containsExactly("up");
      assertThat(a.queries).isEmpty();
      Eventually.eventually(
          () -> {
            assertThat(get("/metrics").body())
                .contains("promroute_requests_total{endpoint=\"/api/v1/query\",status=\"200\"} 1")
                .contains(
                    "promroute_upstream_request_duration_seconds_count{outcome=\"200\",replica=\"0\",shard=\"b\"} 1");
            assertThat(accessLog).singleElement().asString().contains(" shards=b status=200 ");
          });
    }
  }

  @Test
  void aFanOutCountsOnEachShardItAskedAndPlansPartialAnswersAndInFlightAreCounted()
      throws Exception {
    try (FakePrometheus a = new FakePrometheus("node-a:9100");
        FakePrometheus b = new FakePrometheus("node-b:9100")) {
      // Shard c: nothing listens on port 1 of the loopback.
      startReal(
          "prome_servers:\n  a: "
              + a.address()
              + "\n  b: "
              + b.address()
              + "\n  c: 127.0.0.1:1\nhttp:\n  listen_addr: 127.0.0.1:0\nupstream:\n  partial_response: true\n"
              + PINNED_DIALECT,
          RouterOptions.forTests());

      assertThat(get("/api/v1/query?query=up%7Bcluster%3D%22a%22%7D").statusCode()).isEqualTo(200);
      assertThat(get("/api/v1/query?query=up%7Bcluster%3D~%22a%7Cb%22%7D").statusCode())
          .isEqualTo(200);
      assertThat(get("/api/v1/query?query=sum(up)").body())
          .contains("shard \\\"c\\\" is unreachable");
      assertThat(get("/api/v1/query?query=sum(").statusCode()).isEqualTo(400);

      Eventually.eventually(
          () -> {
            String metrics = get("/metrics").body();
            assertThat(metrics)
                .contains(
                    "promroute_upstream_request_duration_seconds_count{outcome=\"200\",replica=\"0\",shard=\"a\"} 3")
                .contains(
                    "promroute_upstream_request_duration_seconds_count{outcome=\"200\",replica=\"0\",shard=\"b\"} 2")
                .contains(
                    "promroute_upstream_request_duration_seconds_count{outcome=\"error\",replica=\"0\",shard=\"c\"} 1")
                .contains("promroute_plans_total{kind=\"single\"} 1")
                .contains("promroute_plans_total{kind=\"merge\"} 1")
                .contains("promroute_plans_total{kind=\"cross_shard\"} 1")
                .contains("promroute_partial_answers_total{endpoint=\"/api/v1/query\"} 1")
                .contains("promroute_cross_shard_evaluation_seconds_count 1")
                .contains("promroute_requests_total{endpoint=\"/api/v1/query\",status=\"400\"} 1")
                .contains("promroute_requests_in_flight 1.0"); // the scrape itself
            // Bounded labels: one shard per series, never a list of them.
            assertThat(
                    metrics
                        .lines()
                        .filter(
                            line ->
                                line.contains("shard=\"") && line.matches(".*shard=\"[^\"]*,.*")))
                .isEmpty();
          });
    }
  }

  @Test
  void answersAreGzippedForClientsThatAcceptItAsPrometheusDoesAboveASmallSize() throws Exception {
    String longInstance = "node-" + "x".repeat(2 * RouterServer.GZIP_MIN_BYTES);
    try (FakePrometheus a = new FakePrometheus(longInstance);
        FakePrometheus b = new FakePrometheus("node-b:9100")) {
      startOver(a, b);

      HttpResponse<byte[]> large =
          http.send(
              HttpRequest.newBuilder(
                      router.baseUri().resolve("/api/v1/query?query=up%7Bcluster%3D%22a%22%7D"))
                  .header("Accept-Encoding", "gzip")
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(large.statusCode()).isEqualTo(200);
      assertThat(large.headers().firstValue("Content-Encoding")).hasValue("gzip");
      String body =
          new String(
              new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(large.body()))
                  .readAllBytes(),
              java.nio.charset.StandardCharsets.UTF_8);
      assertThat(body).contains("\"cluster\":\"a\"", longInstance);

      HttpResponse<String> small =
          http.send(
              HttpRequest.newBuilder(
                      router.baseUri().resolve("/api/v1/query?query=up%7Bcluster%3D%22b%22%7D"))
                  .header("Accept-Encoding", "gzip")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(small.headers().firstValue("Content-Encoding")).isEmpty();
      assertThat(small.body()).contains("\"cluster\":\"b\"");

      HttpResponse<String> plain = get("/api/v1/query?query=up%7Bcluster%3D%22a%22%7D");
      assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
      assertThat(plain.body()).contains(longInstance);
    }
  }

  @Test
  void answersHealthAndReadinessAsPrometheusDoes() throws Exception {
    start(TWO_SHARDS);

    HttpResponse<String> healthy = get("/-/healthy");
    HttpResponse<String> ready = get("/-/ready");

    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(healthy.body()).isEqualTo("PromRoute is Healthy.\n");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("PromRoute is Ready.\n");
    assertThat(get("/no/such/page").statusCode()).isEqualTo(404);
    HttpResponse<String> getReload = get("/-/reload");
    assertThat(getReload.statusCode()).isEqualTo(405);
    assertThat(getReload.body()).isEqualTo("Only POST or PUT requests allowed");
  }

  @Test
  void reloadAndQuitAreForbiddenWithoutTheLifecycleFlagAsPrometheusAnswers() throws Exception {
    Path file = start(TWO_SHARDS, RouterOptions.forTests().withLifecycle(false));
    Files.writeString(file, TWO_SHARDS.replace("  b: 127.0.0.1:9192\n", ""));

    HttpResponse<String> reload = post("/-/reload");
    HttpResponse<String> quit = post("/-/quit");

    assertThat(reload.statusCode()).isEqualTo(403);
    assertThat(reload.body()).isEqualTo("Lifecycle API is not enabled.");
    assertThat(quit.statusCode()).isEqualTo(403);
    assertThat(router.config().shardKeys()).containsExactly("a", "b");
    assertThat(get("/-/ready").statusCode()).isEqualTo(200);
    assertThat(get("/").body()).doesNotContain("/-/reload");
  }

  @Test
  void quitStopsTheRouterWithTheLifecycleFlag() throws Exception {
    start(TWO_SHARDS);
    CompletableFuture<Void> stopped =
        CompletableFuture.runAsync(
            () -> {
              try {
                router.join();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });

    HttpResponse<String> quit = post("/-/quit");

    assertThat(quit.statusCode()).isEqualTo(200);
    assertThat(quit.body()).isEqualTo("Requesting termination... Goodbye!");
    stopped.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(router.isReady()).isFalse();
  }

  @Test
  void readyAnswers503DuringTheDrainPeriodWhileQueriesAreStillServedThenTheListenerCloses()
      throws Exception {
    start(TWO_SHARDS, RouterOptions.forTests().withDrainPeriod(Duration.ofSeconds(2)));
    URI base = router.baseUri();
    assertThat(get("/-/ready").statusCode()).isEqualTo(200);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(router::close);
    Eventually.eventually(() -> assertThat(get("/-/ready").statusCode()).isEqualTo(503));
    HttpResponse<String> duringDrain = get("/api/v1/query?query=a");
    closing.get(20, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(closing).isDone();
    assertThat(duringDrain.statusCode()).isEqualTo(200);
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    http.send(
                        HttpRequest.newBuilder(base.resolve("/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString())))
        .isInstanceOf(IOException.class);
    router = null;
  }

  @Test
  void theIndexPageNamesNeitherShardAddressesNorTheConfigFile() throws Exception {
    Path file = start(TWO_SHARDS);

    String index = get("/").body();

    assertThat(index)
        .contains("shards: a, b")
        .doesNotContain("127.0.0.1:919")
        .doesNotContain(file.toString())
        .doesNotContain(file.getFileName().toString());
  }

  @Test
  void readinessWithShardsAsksEveryShardWithItsCredentials() throws Exception {
    Path file = directory.resolve("router.yml");
    Files.writeString(
        file,
        """
        shards:
          a: {url: 'http://127.0.0.1:9191/prom', bearer_token: t0ken}
          b: {url: 'http://127.0.0.1:9192'}
        promql:
          dialect: prometheus2
        http:
          listen_addr: 127.0.0.1:0
        """);
    List<String> probed = new CopyOnWriteArrayList<>();
    io.promroute.router.UpstreamClient shardBIsDown =
        request -> {
          probed.add(
              request.uri() + " " + request.headers().getOrDefault("Authorization", List.of()));
          return request.shard().equals("b")
              ? CompletableFuture.failedFuture(new java.net.ConnectException("Connection refused"))
              : CompletableFuture.completedFuture(
                  new FakeShards.Response(200, "Prometheus Server is Ready.\n"));
        };
    router =
        new RouterServer(
            file,
            RouterConfig.load(file),
            FakeShards::create,
            shardBIsDown,
            new RouterMetrics(false),
            accessLog::add,
            RouterOptions.forTests());
    router.start();

    HttpResponse<String> plain = get("/-/ready");
    HttpResponse<String> withShards = get("/-/ready?shards=all");

    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(withShards.statusCode()).isEqualTo(503);
    // The dialect is pinned: no shard's version was asked.
    assertThat(withShards.body())
        .isEqualTo(
            "shards not ready: b\n"
                + "shard a: Prometheus version not read\nshard b: Prometheus version not read\n");
    assertThat(probed)
        .containsExactlyInAnyOrder(
            "http://127.0.0.1:9191/prom/-/ready [Bearer t0ken]",
            "http://127.0.0.1:9192/-/ready []");
  }

  @Test
  void countsRequestsByEndpointAndStatusAndTimesShards() throws Exception {
    start(TWO_SHARDS);

    assertThat(get("/api/v1/query?query=up%7Bcluster%3D%22b%22%7D").statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/query?query=up%7Bcluster%3D%22b%22%7D").statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/query?query=%28").statusCode())
        .isEqualTo(400); // refused before any shard is asked
    Eventually.eventually(
        () ->
            assertThat(get("/metrics").body())
                .contains("promroute_requests_total{endpoint=\"/api/v1/query\",status=\"200\"} 2")
                .contains("promroute_requests_total{endpoint=\"/api/v1/query\",status=\"400\"} 1")
                .contains(
                    "promroute_upstream_request_duration_seconds_count{outcome=\"200\",replica=\"0\",shard=\"b\"} 2")
                .contains("promroute_request_duration_seconds_count{endpoint=\"/api/v1/query\"} 3")
                .contains("jvm_memory_used_bytes"));
  }

  @Test
  void logsEachApiRequestAsOneLogfmtLineWithItsQueryShardsStatusLatencyAndBytes() throws Exception {
    start(TWO_SHARDS);

    HttpResponse<String> answer = get("/api/v1/query?query=up%7Bcluster%3D%22a%22%7D");
    get("/-/healthy"); // probes are not logged

    Eventually.eventually(() -> assertThat(accessLog).hasSize(1));
    assertThat(accessLog.get(0))
        .matches(
            "ts=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z remote=127\\.0\\.0\\.1 "
                + java.util.regex.Pattern.quote(
                    "method=GET path=\"/api/v1/query\" query=\"up{cluster=\\\"a\\\"}\" shards=a status=200 ")
                + "duration_ms=\\d+\\.\\d{3} bytes="
                + answer.body().length());
  }

  @Test
  void logsTheQueryOfAPostedFormAsGrafanaAndPromtoolSendIt() throws Exception {
    try (FakePrometheus a = new FakePrometheus("node-a:9100");
        FakePrometheus b = new FakePrometheus("node-b:9100")) {
      startOver(a, b);

      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(router.baseUri().resolve("/api/v1/query"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "time=1700000000&query=" + URLEncoder.encode("up{cluster=\"b\"}", UTF_8)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(b.queries).containsExactly("up"); // the filter still read the body it was sent
      Eventually.eventually(
          () ->
              assertThat(accessLog)
                  .singleElement()
                  .asString()
                  .contains(
                      " method=POST path=\"/api/v1/query\" query=\"up{cluster=\\\"b\\\"}\" shards=b status=200 ")
                  .endsWith(" bytes=" + answer.body().length()));
    }
  }

  @Test
  void logsTheReasonOfAnErrorAndNeverLetsTheClientStartALine() throws Exception {
    // Nothing listens on port 1 of the loopback: every request to shard a fails to connect.
    startReal(
        "prome_servers:\n  a: 127.0.0.1:1\nhttp:\n  listen_addr: 127.0.0.1:0\n",
        RouterOptions.forTests().withAccessLog(AccessLogFormat.JSON, 40));
    String query = "up{job=\"x\\\"\\nts=forged\"} or " + "x".repeat(100);

    HttpResponse<String> answer = get("/api/v1/query?query=" + URLEncoder.encode(query, UTF_8));
    HttpResponse<String> parseError =
        get("/api/v1/query?query=" + URLEncoder.encode("sum(\n", UTF_8));

    assertThat(answer.statusCode()).isEqualTo(502);
    assertThat(parseError.statusCode()).isEqualTo(400);
    Eventually.eventually(() -> assertThat(accessLog).hasSize(2));
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode failed = json.readTree(accessLog.get(0));
    assertThat(accessLog.get(0)).doesNotContain("\n");
    assertThat(failed.path("query").asText()).isEqualTo(query.substring(0, 40) + "...");
    assertThat(failed.path("status").asInt()).isEqualTo(502);
    assertThat(failed.path("shards").asText()).isEqualTo("a");
    assertThat(failed.path("error").asText())
        .startsWith("shard \"a\" is unreachable")
        .isEqualTo(json.readTree(answer.body()).path("error").asText());
    com.fasterxml.jackson.databind.JsonNode refused = json.readTree(accessLog.get(1));
    assertThat(refused.path("error").asText())
        .isEqualTo(json.readTree(parseError.body()).path("error").asText())
        .contains("parse error");
    assertThat(refused.path("query").asText()).isEqualTo("sum(\n");
    assertThat(refused.path("shards").asText()).isEmpty();
  }

  @Test
  void reloadServesTheNewConfigAndRefusesABadOneKeepingTheOld() throws Exception {
    Path file = start(TWO_SHARDS);
    assertThat(get("/api/v1/label/cluster/values").body()).contains("[\"a\",\"b\"]");

    Files.writeString(
        file,
        TWO_SHARDS.replace("  b: 127.0.0.1:9192\n", "  b: 127.0.0.1:9192\n  c: 127.0.0.1:9193\n"));
    HttpResponse<String> reloaded = post("/-/reload");

    assertThat(reloaded.statusCode()).isEqualTo(200);
    assertThat(reloaded.body())
        .contains("configuration reloaded from " + file + ": 3 shard(s) a, b, c");
    assertThat(get("/api/v1/label/cluster/values").body()).contains("[\"a\",\"b\",\"c\"]");

    Files.writeString(file, TWO_SHARDS + "routing:\n  unknown_shard: ignore\n");
    HttpResponse<String> refused = post("/-/reload");

    assertThat(refused.statusCode()).isEqualTo(500);
    assertThat(refused.body())
        .isEqualTo(
            "failed to reload config: "
                + file
                + ":9: routing.unknown_shard: "
                + "\"ignore\" is not one of empty, reject\n");
    assertThat(get("/api/v1/label/cluster/values").body()).contains("[\"a\",\"b\",\"c\"]");

    Files.writeString(
        file,
        TWO_SHARDS
            + "  refused: 127.0.0.1:1\n".replace("  refused", "shards:\n  refused:\n    url"));
    assertThat(post("/-/reload").body())
        .startsWith("failed to reload config: shard key \"refused\" is refused");
    assertThat(get("/api/v1/label/cluster/values").body()).contains("[\"a\",\"b\",\"c\"]");
    assertThat(get("/metrics").body())
        .contains("promroute_config_reloads_total{result=\"success\"} 1")
        .contains("promroute_config_reloads_total{result=\"failure\"} 2")
        .contains("promroute_config_last_reload_successful 0");
  }

  @Test
  void sighupReloadsTheConfig() throws Exception {
    Path file = start(TWO_SHARDS);
    // Without a handler, SIGHUP would end the test JVM (or be ignored, under nohup).
    assumeTrue(StandaloneRouter.onSighup(router), "SIGHUP cannot be handled in this JVM");
    Files.writeString(file, TWO_SHARDS.replace("  b: 127.0.0.1:9192\n", ""));

    new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
        .start()
        .waitFor();

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (router.config().shards().size() != 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(router.config().shardKeys()).containsExactly("a");
  }

  @Test
  void stopLetsRequestsInFlightFinish() throws Exception {
    start(TWO_SHARDS);
    URI slow =
        router.baseUri().resolve("/api/v1/query?query=up%7Bcluster%3D%22a%22%2Cslow%3D%221%22%7D");
    CompletableFuture<HttpResponse<String>> inFlight =
        http.sendAsync(HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString());
    // Until the request waits for its shard (a cold client may take longer than a fixed pause to
    // connect): in flight, with the scrape that asks.
    Eventually.eventually(
        () -> assertThat(get("/metrics").body()).contains("promroute_requests_in_flight 2.0"));

    router.close();

    HttpResponse<String> response = inFlight.get();
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"resultType\":\"vector\"");
    assertThat(router.isReady()).isFalse();
    router = null;
  }

  @Test
  void servesTheApiUnderThePathPrefixAndNamesEndpointsWithoutIt() throws Exception {
    start(TWO_SHARDS + "  path_prefix: /prometheus\n");

    assertThat(get("/prometheus/api/v1/query?query=up%7Bcluster%3D%22a%22%7D").statusCode())
        .isEqualTo(200);
    Eventually.eventually(
        () ->
            assertThat(get("/metrics").body())
                .contains("promroute_requests_total{endpoint=\"/api/v1/query\",status=\"200\"} 1"));
  }

  @Test
  void postedQueriesAreRoutedAndRecordedWithTheShardTheyWentTo() throws Exception {
    start(TWO_SHARDS);

    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(router.baseUri().resolve("/api/v1/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("query=up%7Bcluster%3D%22b%22%7D"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(200);
    // The exchange started on the thread that read the body, not the one that dispatched the
    // request.
    Eventually.eventually(
        () ->
            assertThat(accessLog)
                .singleElement()
                .asString()
                .contains(
                    " method=POST path=\"/api/v1/query\" query=\"up{cluster=\\\"b\\\"}\" shards=b status=200 "));
  }

  @Test
  void aUrlOverPrometheusLimitIsRefusedInPrometheusJsonAndCounted() throws Exception {
    start(TWO_SHARDS);

    HttpResponse<String> answer = get("/api/v1/query?query=" + "x".repeat(2 << 20));

    assertThat(answer.statusCode()).isEqualTo(414);
    assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(answer.body()).startsWith("{\"status\":\"error\",\"errorType\":\"bad_data\"");
  }
}
