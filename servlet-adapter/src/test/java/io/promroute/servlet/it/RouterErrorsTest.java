package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.router.PromqlDialect;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import io.promroute.shard.UnlabeledSelectorPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The router's errors, in Jetty 12: bad requests (compared with the global Prometheus's answer, and
 * never forwarded), a shard that is down, a shard that hangs, a client that goes away.
 *
 * <p>Shards of the "faulty" router: {@code a}, {@code b}, {@code c} answer empty results and count
 * requests; {@code dead} refuses connections; {@code stuck} accepts connections and never answers.
 */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouterErrorsTest {

  private static final String T = Long.toString(FixtureData.MID.getEpochSecond());
  private static final String START = Long.toString(FixtureData.START.getEpochSecond());
  private static final String END = Long.toString(FixtureData.END.getEpochSecond());
  private static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(1);

  private PrometheusFixture prometheus;
  private FakeShards.Counting counting;
  private FakeShards.Hanging hanging;
  private FakeShards.Down down;
  private JettyRouter faultyRouter;
  private JettyRouter realRouter;

  @BeforeAll
  void start(PrometheusFixture prometheus) throws Exception {
    this.prometheus = prometheus;
    counting = new FakeShards.Counting();
    hanging = new FakeShards.Hanging();
    down = new FakeShards.Down();
    Map<String, String> targets = new LinkedHashMap<>();
    for (String shard : PrometheusFixture.SHARDS) {
      targets.put(shard, counting.hostPort());
    }
    targets.put("dead", down.hostPort());
    targets.put("stuck", hanging.hostPort());
    faultyRouter =
        JettyRouter.start(
            TestRouters.filter(
                targets,
                builder -> builder.upstreamTimeout(UPSTREAM_TIMEOUT).partialResponse(false)));
    realRouter = JettyRouter.start(TestRouters.filter(prometheus.shardHostPorts(), builder -> {}));
  }

  @AfterAll
  void stop() throws Exception {
    for (AutoCloseable closeable :
        new AutoCloseable[] {faultyRouter, realRouter, counting, hanging, down}) {
      if (closeable != null) {
        closeable.close();
      }
    }
  }

  /** Requests Prometheus rejects while parsing them: the router must too, without forwarding. */
  static Stream<Arguments> malformedRequests() {
    return Stream.of(
        Arguments.of(
            "invalid PromQL",
            "/api/v1/query",
            Params.of("query", "sum(up{cluster=\"a\"}", "time", T)),
        Arguments.of(
            "invalid PromQL",
            "/api/v1/query",
            Params.of("query", "rate(up{cluster=\"a\"}[5m]) +", "time", T)),
        Arguments.of(
            "invalid PromQL",
            "/api/v1/query",
            Params.of("query", "up{cluster=\"a\"} offset", "time", T)),
        Arguments.of(
            "invalid PromQL",
            "/api/v1/query_range",
            Params.of("query", "up{cluster=\"a\"", "start", START, "end", END, "step", "60")),
        Arguments.of("missing query", "/api/v1/query", Params.of("time", T)),
        Arguments.of("empty query", "/api/v1/query", Params.of("query", "", "time", T)),
        Arguments.of(
            "bad time",
            "/api/v1/query",
            Params.of("query", "up{cluster=\"a\"}", "time", "yesterday")),
        Arguments.of(
            "bad start",
            "/api/v1/query_range",
            Params.of("query", "up{cluster=\"a\"}", "start", "soon", "end", END, "step", "60")),
        Arguments.of(
            "bad end",
            "/api/v1/query_range",
            Params.of(
                "query",
                "up{cluster=\"a\"}",
                "start",
                START,
                "end",
                "2026-13-01T00:00:00Z",
                "step",
                "60")),
        Arguments.of(
            "missing step",
            "/api/v1/query_range",
            Params.of("query", "up{cluster=\"a\"}", "start", START, "end", END)),
        Arguments.of(
            "bad step",
            "/api/v1/query_range",
            Params.of("query", "up{cluster=\"a\"}", "start", START, "end", END, "step", "often")),
        Arguments.of("no match[]", "/api/v1/series", Params.of("start", START, "end", END)),
        Arguments.of(
            "invalid match[]",
            "/api/v1/series",
            Params.of("match[]", "up{cluster=\"a\"", "start", START, "end", END)),
        Arguments.of("invalid match[]", "/api/v1/labels", Params.of("match[]", "{cluster=}")));
  }

  @ParameterizedTest(name = "{0}: {1} {2}")
  @MethodSource("malformedRequests")
  void malformedRequestsAre400BeforeAnyShardIsContacted(String what, String path, Params params) {
    for (String method : List.of("GET", "POST")) {
      Answer expected = PromApi.send(method, prometheus.global().baseUri(), path, params);
      assertThat(expected.status()).as("global Prometheus: %s", expected.summary()).isEqualTo(400);

      int forwardedBefore = counting.requests();
      Answer actual = PromApi.send(method, faultyRouter.baseUri(), path, params);
      assertThat(actual.status()).as("%s %s: %s", method, what, actual.summary()).isEqualTo(400);
      assertThat(actual.json()).as("JSON error envelope: %s", actual.summary()).isNotNull();
      assertThat(actual.json().path("status").asText()).isEqualTo("error");
      assertThat(actual.errorType()).as(actual.summary()).isEqualTo(expected.errorType());
      assertThat(actual.error()).as(actual.summary()).isNotBlank();
      if (what.equals("invalid PromQL")) {
        assertThat(actual.error())
            .as("a positioned parse error")
            .containsPattern("\\d+:\\d+: parse error");
      }
      assertThat(counting.requests())
          .as("requests forwarded to a shard")
          .isEqualTo(forwardedBefore);
    }
  }

  /**
   * Requests that are well-formed but that Prometheus refuses (when parsing or when running them):
   * the router, in front of the real shards, answers with the same status and error type.
   */
  static Stream<Arguments> refusedRequests() {
    return Stream.of(
        Arguments.of(
            "/api/v1/query_range",
            Params.of("query", "up{cluster=\"a\"}", "start", END, "end", START, "step", "60")),
        Arguments.of(
            "/api/v1/query_range",
            Params.of("query", "up{cluster=\"a\"}", "start", START, "end", END, "step", "0")),
        Arguments.of(
            "/api/v1/query_range",
            Params.of("query", "up{cluster=\"a\"}", "start", START, "end", END, "step", "0.1")),
        Arguments.of(
            "/api/v1/query",
            Params.of("query", "up{cluster=\"a\"} + on () up{cluster=\"a\"}", "time", T)),
        Arguments.of("/api/v1/query", Params.of("query", "sum(up{cluster=\"a\"}", "time", T)),
        Arguments.of("/api/v1/query", Params.of("query", "up{cluster=\"b\"}", "time", "x")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("refusedRequests")
  void refusedRequestsGetPrometheusStatusAndErrorType(String path, Params params) {
    for (String method : List.of("GET", "POST")) {
      Answer expected = PromApi.send(method, prometheus.global().baseUri(), path, params);
      assertThat(expected.status())
          .as("global Prometheus: %s", expected.summary())
          .isBetween(400, 499);
      Answer actual = PromApi.send(method, realRouter.baseUri(), path, params);
      assertThat(actual.status())
          .as("%s: %s", method, actual.summary())
          .isEqualTo(expected.status());
      assertThat(actual.errorType()).as(actual.summary()).isEqualTo(expected.errorType());
      assertThat(actual.error()).as(actual.summary()).isNotBlank();
    }
  }

  /**
   * Selectors naming disjoint shards, under the compatibility policy {@code inherit}: 400 bad_data
   * naming both matchers, nothing forwarded. (The default global view answers them.)
   */
  @Test
  void disjointShardsUnderTheInheritPolicyAre400NamingBothMatchers() throws Exception {
    Map<String, String> targets = new LinkedHashMap<>();
    for (String shard : PrometheusFixture.SHARDS) {
      targets.put(shard, counting.hostPort());
    }
    try (JettyRouter inherit =
        JettyRouter.start(
            TestRouters.filter(
                targets,
                routing -> routing.unlabeledSelectors(UnlabeledSelectorPolicy.INHERIT),
                // A pinned dialect: no version requests at start-up to count as forwarded.
                builder -> builder.promqlDialect(PromqlDialect.PROMETHEUS_2)))) {
      int forwardedBefore = counting.requests();
      Answer answer =
          PromApi.get(
              inherit.baseUri(),
              "/api/v1/query",
              Params.of(
                  "query", "up{cluster=\"a\"} / on (job, instance) up{cluster=\"b\"}", "time", T));
      assertThat(answer.status()).as(answer.summary()).isEqualTo(400);
      assertThat(answer.errorType()).as(answer.summary()).isEqualTo("bad_data");
      assertThat(answer.error())
          .as(answer.summary())
          .contains("cluster=\"a\"")
          .contains("cluster=\"b\"");
      assertThat(counting.requests())
          .as("requests forwarded to a shard")
          .isEqualTo(forwardedBefore);
    }
  }

  @Test
  void shardThatIsDownIsA502Or503NamingIt() {
    for (String query : List.of("up{cluster=\"dead\"}", "up{cluster=~\"a|dead\"}")) {
      long begin = System.nanoTime();
      Answer answer =
          PromApi.get(
              faultyRouter.baseUri(), "/api/v1/query", Params.of("query", query, "time", T));
      assertThat(answer.status()).as("%s: %s", query, answer.summary()).isIn(502, 503);
      assertThat(answer.json()).as(answer.summary()).isNotNull();
      assertThat(answer.json().path("status").asText()).isEqualTo("error");
      assertThat(answer.error()).as("names the shard: %s", answer.summary()).contains("dead");
      assertThat(Duration.ofNanos(System.nanoTime() - begin))
          .as("time to answer")
          .isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void shardThatHangsTimesOut() {
    int acceptedBefore = hanging.accepted();
    long begin = System.nanoTime();
    Answer answer =
        PromApi.get(
            faultyRouter.baseUri(),
            "/api/v1/query",
            Params.of("query", "up{cluster=\"stuck\"}", "time", T));
    Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);

    assertThat(hanging.accepted())
        .as("the router connected to the shard")
        .isGreaterThan(acceptedBefore);
    assertThat(answer.status()).as(answer.summary()).isIn(503, 504);
    assertThat(answer.json()).as(answer.summary()).isNotNull();
    assertThat(answer.json().path("status").asText()).isEqualTo("error");
    assertThat(answer.errorType() + " " + answer.error())
        .as("a timeout: %s", answer.summary())
        .containsIgnoringCase("timeout");
    assertThat(answer.error()).as("names the shard: %s", answer.summary()).contains("stuck");
    assertThat(elapsed)
        .as("waited for the upstream timeout")
        .isGreaterThanOrEqualTo(UPSTREAM_TIMEOUT.minusMillis(100));
    assertThat(elapsed)
        .as("not much longer than the upstream timeout")
        .isLessThan(UPSTREAM_TIMEOUT.plusSeconds(9));
  }

  @Test
  void clientThatDisconnectsWhileTheShardHangsLeavesTheRouterHealthy() throws Exception {
    int acceptedBefore = hanging.accepted();
    int closedBefore = hanging.closedByPeer();
    Socket client =
        rawGet(
            faultyRouter.baseUri(),
            "/api/v1/query",
            Params.of("query", "up{cluster=\"stuck\"}", "time", T));
    try {
      await(
          Duration.ofSeconds(10),
          () -> hanging.accepted() > acceptedBefore,
          "the router connects to the hanging shard");
    } finally {
      client.close();
    }
    // Cancelled with the client, or at the latest after the upstream timeout.
    await(
        UPSTREAM_TIMEOUT.plusSeconds(9),
        () -> hanging.closedByPeer() > closedBefore,
        "the router closes its connection to the shard");

    Answer next =
        PromApi.get(
            faultyRouter.baseUri(),
            "/api/v1/query",
            Params.of("query", "up{cluster=\"a\"}", "time", T));
    assertThat(next.status()).as(next.summary()).isEqualTo(200);
  }

  /** A body larger than the limit (1 MiB by default): 400, nothing forwarded. */
  @Test
  void bodyLargerThanTheLimitIs400AndNotForwarded() {
    int forwardedBefore = counting.requests();
    String padding = "x".repeat(2 << 20);
    Answer answer =
        PromApi.post(
            faultyRouter.baseUri(),
            "/api/v1/query",
            Params.of("query", "up{cluster=\"a\"}", "time", T, "padding", padding));
    assertThat(answer.status()).as(answer.summary()).isEqualTo(400);
    assertThat(answer.errorType()).as(answer.summary()).isEqualTo("bad_data");
    assertThat(counting.requests()).as("requests forwarded to a shard").isEqualTo(forwardedBefore);
  }

  /**
   * With partial responses allowed, a fan-out with a dead shard answers the others' data and a
   * warning.
   */
  @Test
  void partialResponseAnswersTheOtherShardsWithAWarning() throws Exception {
    Map<String, String> targets = new LinkedHashMap<>(prometheus.shardHostPorts());
    targets.put("dead", down.hostPort());
    try (JettyRouter partial =
        JettyRouter.start(TestRouters.filter(targets, builder -> builder.partialResponse(true)))) {
      Answer expected =
          PromApi.get(
              prometheus.global().baseUri(),
              "/api/v1/query",
              Params.of("query", "up{cluster=~\"a|b\"}", "time", T));
      Answer actual =
          PromApi.get(
              partial.baseUri(),
              "/api/v1/query",
              Params.of("query", "up{cluster=~\"a|b|dead\"}", "time", T));
      assertThat(actual.status()).as(actual.summary()).isEqualTo(200);
      assertThat(
              PromApi.firstDifference(
                  PromApi.comparable(expected.json(), false).get("data"),
                  PromApi.comparable(actual.json(), false).get("data")))
          .as("data of the live shards")
          .isNull();
      assertThat(actual.json().path("warnings").toString())
          .as("a warning naming the dead shard: %s", actual.summary())
          .contains("dead");
    }
  }

  /**
   * With a long upstream timeout, only the client's going away can end the shard request early.
   * Neither Jetty 12 nor Tomcat 11 tells the filter that a client closed its connection while the
   * request waits for a shard without reading or writing; the filter's watch of the connection
   * does. A client gone mid-response is noticed by the write that fails: {@link
   * #clientThatDisconnectsMidResponseLeavesTheRouterHealthy()}.
   */
  @Test
  void clientThatDisconnectsCancelsTheUpstreamRequest() throws Exception {
    try (FakeShards.Hanging stuck = new FakeShards.Hanging();
        JettyRouter patient =
            JettyRouter.start(
                TestRouters.filter(
                    Map.of("a", stuck.hostPort()),
                    builder -> builder.upstreamTimeout(Duration.ofMinutes(2))))) {
      Socket client =
          rawGet(
              patient.baseUri(),
              "/api/v1/query",
              Params.of("query", "up{cluster=\"a\"}", "time", T));
      try {
        await(
            Duration.ofSeconds(10),
            () -> stuck.accepted() > 0,
            "the router connects to the hanging shard");
      } finally {
        client.close();
      }
      await(
          Duration.ofSeconds(10),
          () -> stuck.closedByPeer() > 0,
          "the router closes its connection to the shard once the client is gone");
    }
  }

  @Test
  void clientThatDisconnectsMidResponseLeavesTheRouterHealthy() throws Exception {
    Params large =
        Params.of(
            "query",
            "container_memory_working_set_bytes{cluster=\"b\"}",
            "start",
            START,
            "end",
            END,
            "step",
            "1");
    for (int i = 0; i < 3; i++) {
      try (Socket client = rawGet(realRouter.baseUri(), "/api/v1/query_range", large)) {
        InputStream in = client.getInputStream();
        byte[] head = in.readNBytes(64 * 1024);
        assertThat(new String(head, 0, 12, StandardCharsets.US_ASCII))
            .as("the response starts")
            .startsWith("HTTP/1.1 200");
      }
    }
    Params small = Params.of("query", "rate(http_requests_total{cluster=\"b\"}[5m])", "time", T);
    Answer expected = PromApi.get(prometheus.global().baseUri(), "/api/v1/query", small);
    Answer actual = PromApi.get(realRouter.baseUri(), "/api/v1/query", small);
    assertThat(actual.status()).as(actual.summary()).isEqualTo(200);
    assertThat(
            PromApi.firstDifference(
                PromApi.comparable(expected.json(), false),
                PromApi.comparable(actual.json(), false)))
        .isNull();
  }

  private static Socket rawGet(URI base, String path, Params params) throws IOException {
    Socket socket = new Socket(base.getHost(), base.getPort());
    socket.setSoTimeout(30_000);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET "
                + path
                + "?"
                + params.encoded()
                + " HTTP/1.1\r\nHost: "
                + base.getHost()
                + ":"
                + base.getPort()
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  private static void await(Duration timeout, BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      Thread.sleep(20);
    }
  }
}
