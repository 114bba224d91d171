package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every fault of {@link FaultyShard} on shard {@code b}, for every kind of request Grafana sends,
 * with partial answers on (the default) and off ({@code partial_response=false}): the answer is
 * always a whole Prometheus JSON answer (never a cut-off 200), names the sick shard (never its
 * address), comes within the deadline plus a margin, and the healthy shard {@code a}'s data is
 * answered wherever partial answers allow it. Shards are configured {@code b} first, so that build
 * info is asked of the sick one first. Each router (the filter on the JDK client, the standalone
 * router on Jetty's client) extends this with {@link #startRouter}.
 *
 * <p>With {@link #sickReplicaFirst()}, shard {@code b} is an HA pair, its sick replica listed first
 * and a healthy one second: then every fault the replica layer sees before it hands an answer up
 * ({@link #FAILS_OVER}), and a break mid-body of an answer the router reads whole ({@link
 * #BREAKS_MID_BODY}, {@link #readWhole}), is answered by the healthy replica, whole and within the
 * deadline, as if nothing were wrong.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FaultMatrix {

  /** The routers' upstream timeout. */
  protected static final Duration TIMEOUT = Duration.ofMillis(2000);

  /** How much later than the deadline an answer may come (a loaded CI machine). */
  private static final Duration MARGIN = Duration.ofMillis(3000);

  private static final Set<Fault> HEALTHY_ANYWAY =
      Set.of(Fault.NONE, Fault.GZIP_UNASKED, Fault.CLOSE_REUSED);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The faults a shard's second replica makes good for every kind of request: everything but a
   * break in a streamed (chunked) body, which is handed up at its headers and retried only where
   * the router reads the answer whole ({@link #BREAKS_MID_BODY}).
   */
  static final Set<Fault> FAILS_OVER =
      java.util.EnumSet.complementOf(
          java.util.EnumSet.of(
              Fault.HANG_MID_CHUNKED,
              Fault.RESET_MID_CHUNKED,
              Fault.TRUNCATED_CHUNKED,
              Fault.HUGE_BODY,
              Fault.RESET_AFTER_MEGABYTES));

  /**
   * A streamed body that breaks off or stalls after its headers: the second replica makes it good
   * where the router reads the whole answer before writing anything ({@link #readWhole}).
   */
  static final Set<Fault> BREAKS_MID_BODY =
      Set.of(Fault.HANG_MID_CHUNKED, Fault.RESET_MID_CHUNKED, Fault.TRUNCATED_CHUNKED);

  /**
   * Whether the router reads every shard answer of {@code kind} whole before it writes anything: a
   * cross-shard evaluation, a union, build info, and a fan-out with partial answers (read whole
   * first so a shard breaking off can be left out); a fan-out in strict mode and a single shard's
   * answer stream through.
   */
  static boolean readWhole(Kind kind, boolean partial) {
    return switch (kind) {
      case AGGREGATION, SERIES, LABELS, LABEL_VALUES, BUILD_INFO -> true;
      case FAN_OUT -> partial;
      case SINGLE_INSTANT, SINGLE_RANGE -> false;
    };
  }

  /** The first-byte timeout of the routers with replicas: well within {@link #TIMEOUT}. */
  protected static final Duration FIRST_BYTE_TIMEOUT = Duration.ofMillis(500);

  /** The kinds of request of the matrix. */
  enum Kind {
    SINGLE_INSTANT("/api/v1/query?query=" + encode("up{cluster=\"b\"}") + "&time=1000"),
    SINGLE_RANGE(
        "/api/v1/query_range?query="
            + encode("up{cluster=\"b\"}")
            + "&start=1000&end=1600&step=60"),
    FAN_OUT("/api/v1/query?query=up&time=1000"),
    AGGREGATION("/api/v1/query?query=" + encode("sum by (job) (up)") + "&time=1000"),
    SERIES("/api/v1/series?match[]=up"),
    LABELS("/api/v1/labels"),
    LABEL_VALUES("/api/v1/label/instance/values"),
    BUILD_INFO("/api/v1/status/buildinfo");

    final String path;

    Kind(String path) {
      this.path = path;
    }

    boolean single() {
      return this == SINGLE_INSTANT || this == SINGLE_RANGE;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private FaultyShard sick;
  private FaultyShard healthy;
  private FaultyShard healthyReplica;
  private URI router;

  /**
   * Whether shard {@code b} is an HA pair, its sick replica first; the router then fails over after
   * {@link #FIRST_BYTE_TIMEOUT}.
   */
  protected boolean sickReplicaFirst() {
    return false;
  }

  /**
   * Starts the router under test over {@code targets} (shard key to {@code host:port}, or to the
   * replicas' {@code host:port}s separated by commas; in this order), with {@code timeout} as its
   * upstream timeout and default settings otherwise.
   */
  protected abstract URI startRouter(Map<String, String> targets, Duration timeout)
      throws Exception;

  protected abstract void stopRouter() throws Exception;

  @BeforeAll
  void start() throws Exception {
    sick = new FaultyShard("b");
    healthy = new FaultyShard("a");
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("b", sick.hostPort());
    if (sickReplicaFirst()) {
      healthyReplica = new FaultyShard("b");
      targets.put("b", sick.hostPort() + "," + healthyReplica.hostPort());
    }
    targets.put("a", healthy.hostPort());
    router = startRouter(targets, TIMEOUT);
    // The first requests of a JVM load and compile the whole path; the matrix measures a warm
    // router.
    for (Kind kind : Kind.values()) {
      ask(kind, true).get(60, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  void stop() throws Exception {
    stopRouter();
    sick.close();
    healthy.close();
    if (healthyReplica != null) {
      healthyReplica.close();
    }
  }

  private record Reply(
      Kind kind, boolean partial, int status, String body, Duration took, Throwable failure) {
    @Override
    public String toString() {
      return kind
          + (partial ? " partial" : " strict")
          + ": "
          + (failure != null
              ? failure.toString()
              : status + " " + (body.length() > 400 ? body.substring(0, 400) + "..." : body))
          + " in "
          + took.toMillis()
          + " ms";
    }
  }

  private CompletableFuture<Reply> ask(Kind kind, boolean partial) {
    String path =
        kind.path
            + (partial ? "" : (kind.path.contains("?") ? "&" : "?") + "partial_response=false");
    long start = System.nanoTime();
    return http.sendAsync(
            HttpRequest.newBuilder(router.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString())
        .handle(
            (response, failure) ->
                new Reply(
                    kind,
                    partial,
                    response == null ? 0 : response.statusCode(),
                    response == null ? "" : response.body(),
                    Duration.ofNanos(System.nanoTime() - start),
                    failure));
  }

  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      // HANG_QUERIES and FREEZE_MID_BODY: SilentShardTest
      names = {"HUGE_BODY", "RESET_AFTER_MEGABYTES", "HANG_QUERIES", "FREEZE_MID_BODY"},
      mode = EnumSource.Mode.EXCLUDE)
  void oneSickShardLeavesTheOthersAnswersWholeAndNamesIt(Fault fault) throws Exception {
    sick.fault(fault);
    List<CompletableFuture<Reply>> replies = new ArrayList<>();
    for (boolean partial : new boolean[] {true, false}) {
      for (Kind kind : Kind.values()) {
        replies.add(ask(kind, partial));
      }
    }
    SoftAssertions softly = new SoftAssertions();
    for (CompletableFuture<Reply> future : replies) {
      check(softly, fault, future.get(60, TimeUnit.SECONDS));
    }
    softly.assertAll();
  }

  private void check(SoftAssertions softly, Fault fault, Reply reply) throws IOException {
    softly.assertThat(reply.failure()).as("%s: a whole answer", reply).isNull();
    if (reply.failure() != null) {
      return;
    }
    softly
        .assertThat(reply.took())
        .as("%s: time to answer", reply)
        .isLessThan(TIMEOUT.plus(MARGIN));
    softly.assertThat(reply.body()).as("%s: no address", reply).doesNotContain("127.0.0.1");
    JsonNode json;
    try {
      json = JSON.readTree(reply.body()); // a cut-off 200 fails here
    } catch (IOException e) {
      softly.fail("%s: not JSON: %s", reply, e.getMessage());
      return;
    }
    // A fault that does not fail over (a streamed body breaking after its headers) still meets the
    // healthy replica first when earlier failures took the sick one out of rotation for its growing
    // back-off: then the answer must be b's whole answer, with no warning.
    Kind kind = reply.kind();
    boolean outOfRotation =
        sickReplicaFirst()
            && !FAILS_OVER.contains(fault)
            && reply.status() == 200
            && !json.path("warnings").toString().contains("shard \\\"b\\\"");
    boolean failsOver =
        FAILS_OVER.contains(fault)
            || BREAKS_MID_BODY.contains(fault) && readWhole(kind, reply.partial());
    boolean answeredByHealthyReplica = sickReplicaFirst() && (failsOver || outOfRotation);
    boolean healthyAnyway = HEALTHY_ANYWAY.contains(fault) || answeredByHealthyReplica;
    if (kind == Kind.BUILD_INFO || healthyAnyway || (reply.partial() && !kind.single())) {
      softly.assertThat(reply.status()).as("%s", reply).isEqualTo(200);
      softly.assertThat(json.path("status").asText()).as("%s", reply).isEqualTo("success");
      String data = json.path("data").toString();
      if (kind == Kind.BUILD_INFO) {
        if (answeredByHealthyReplica) {
          // b's share of the deadline is half of it, and its fail-over after a hang takes the
          // first-byte timeout of that: on a loaded machine the fall-back to a may come first.
          softly
              .assertThat(json.path("data").path("revision").asText())
              .as("%s", reply)
              .isIn("a", "b");
        } else {
          softly
              .assertThat(json.path("data").path("revision").asText())
              .as("%s", reply)
              .isEqualTo(healthyAnyway ? "b" : "a");
        }
      } else if (kind == Kind.FAN_OUT || kind == Kind.SERIES || kind == Kind.LABEL_VALUES) {
        softly.assertThat(data).as("%s: the healthy shard's data", reply).contains("a-1");
        if (healthyAnyway) {
          softly.assertThat(data).as("%s: the shard's data", reply).contains("b-1");
        } else {
          softly.assertThat(data).as("%s: nothing of the sick shard", reply).doesNotContain("b-1");
        }
      } else if (kind.single()) {
        softly.assertThat(data).as("%s: the shard's data", reply).contains("b-1");
      }
      if (answeredByHealthyReplica) {
        softly
            .assertThat(json.path("warnings").toString())
            .as("%s: the healthy replica answered", reply)
            .doesNotContain("shard \\\"b\\\"");
      }
      if (!healthyAnyway && kind != Kind.BUILD_INFO) {
        softly
            .assertThat(json.path("warnings").toString())
            .as("%s: a warning naming the shard", reply)
            .contains("shard \\\"b\\\"");
      }
      return;
    }
    softly.assertThat(reply.status()).as("%s", reply).isIn(502, 504);
    softly.assertThat(json.path("status").asText()).as("%s", reply).isEqualTo("error");
    softly
        .assertThat(json.path("error").asText())
        .as("%s: names the shard", reply)
        .contains("shard \"b\"");
    if (FaultyShard.HANGING.contains(fault)) {
      softly.assertThat(reply.status()).as("%s", reply).isEqualTo(504);
    }
  }

  /**
   * A shard answer the router reads whole before writing (a cross-shard sum, a union, build info, a
   * fan-out with partial answers) whose first replica breaks off mid-body (reset, truncated,
   * stalled) is asked of the second replica within the deadline: the answer is whole and correct,
   * with no warning, as if the first replica had failed before its headers. Run by the matrices
   * whose shard b is an HA pair ({@link #sickReplicaFirst()}), for the mid-body faults.
   */
  protected void assertAnAnswerReadWholeComesWholeFromTheSecondReplica(Fault fault)
      throws Exception {
    assertThat(sickReplicaFirst()).as("shard b is an HA pair").isTrue();
    sick.fault(fault);
    List<CompletableFuture<Reply>> replies = new ArrayList<>();
    for (boolean partial : new boolean[] {true, false}) {
      for (Kind kind : Kind.values()) {
        if (readWhole(kind, partial)) {
          replies.add(ask(kind, partial));
        }
      }
    }
    SoftAssertions softly = new SoftAssertions();
    for (CompletableFuture<Reply> future : replies) {
      Reply reply = future.get(60, TimeUnit.SECONDS);
      softly.assertThat(reply.failure()).as("%s: a whole answer", reply).isNull();
      if (reply.failure() != null) {
        continue;
      }
      // A stall is noticed after the first-byte timeout; the second replica then answers at once.
      softly
          .assertThat(reply.took())
          .as("%s: time to answer", reply)
          .isLessThan(TIMEOUT.plus(MARGIN));
      softly.assertThat(reply.status()).as("%s", reply).isEqualTo(200);
      JsonNode json = JSON.readTree(reply.body());
      softly.assertThat(json.path("status").asText()).as("%s", reply).isEqualTo("success");
      softly
          .assertThat(json.path("warnings").toString())
          .as("%s: no warning", reply)
          .doesNotContain("shard \\\"b\\\"");
      String data = json.path("data").toString();
      switch (reply.kind()) {
        case BUILD_INFO ->
            softly
                .assertThat(json.path("data").path("revision").asText())
                .as("%s", reply)
                .isIn("a", "b");
        case LABELS -> softly.assertThat(data).as("%s", reply).contains("instance");
        // Each shard has two series of job "node", each 1: both shards' are summed.
        case AGGREGATION ->
            softly
                .assertThat(json.path("data").path("result").path(0).path("value").path(1).asText())
                .as("%s: the sum over both shards", reply)
                .isEqualTo("4");
        default -> {
          softly.assertThat(data).as("%s: the healthy shard's data", reply).contains("a-1");
          softly.assertThat(data).as("%s: the second replica's data", reply).contains("b-1");
        }
      }
    }
    softly.assertAll();
  }

  /**
   * A huge answer streams through with its label put back; when it cannot be copied within the
   * deadline (a loaded machine), the client's connection breaks: it is never cut and ended.
   */
  @Test
  void aHugeAnswerArrivesWholeOrBrokenWithinTheDeadline() throws Exception {
    sick.fault(Fault.HUGE_BODY);
    backOffPassed();

    Reply reply = ask(Kind.SINGLE_INSTANT, true).get(60, TimeUnit.SECONDS);

    assertThat(reply.took()).as("%s", reply).isLessThan(TIMEOUT.plus(MARGIN));
    if (reply.failure() == null) {
      assertThat(reply.status()).isEqualTo(200);
      JsonNode result = JSON.readTree(reply.body()).path("data").path("result");
      assertThat(result.size()).isEqualTo(FaultyShard.HUGE_SERIES);
      assertThat(result.get(FaultyShard.HUGE_SERIES - 1).path("metric").path("cluster").asText())
          .isEqualTo("b");
    } else {
      assertThat(reply.failure()).as("%s", reply).hasCauseInstanceOf(IOException.class);
    }
  }

  /**
   * A shard that breaks off after the router committed its 200: the client sees a broken answer,
   * never a whole one.
   */
  @Test
  void aShardBreakingOffAfterTheAnswerWasCommittedBreaksTheClientsConnection() throws Exception {
    sick.fault(Fault.RESET_AFTER_MEGABYTES);
    backOffPassed();

    Reply reply = ask(Kind.SINGLE_INSTANT, true).get(60, TimeUnit.SECONDS);

    assertThat(reply.failure()).as("%s", reply).hasCauseInstanceOf(IOException.class);
  }

  /**
   * Waits out the sick replica's back-off from the earlier tests' failures (at most 16 times the
   * millisecond configured), so that it is asked first again.
   */
  private static void backOffPassed() throws InterruptedException {
    Thread.sleep(100);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
