package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.FaultyShard.Fault;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A shard that stops answering altogether (a stopped process, a host gone from the network) is
 * found out by its {@code /-/ready} probe within about twice the silence probe time: the requests
 * that wait for it fail then, not at their deadline (here a minute), so a fan-out answers the
 * healthy shard's data with a warning in seconds; later requests do not wait for it at all until it
 * answers again. A shard whose queries are slow but which answers its probe is left to the
 * deadline. The filter in Jetty 12, fake shards on real sockets.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SilentShardTest {

  private static final Duration DEADLINE = Duration.ofSeconds(45);
  private static final Duration PROBE = Duration.ofMillis(300);

  /**
   * How long finding a silent shard may take: the probe time twice, with room for a loaded machine,
   * and far below {@link #DEADLINE}.
   */
  private static final Duration FOUND_OUT = Duration.ofSeconds(10);

  private static final Params FAN_OUT = Params.of("query", "up", "time", "100");
  private static final Params ONLY_B = Params.of("query", "up{cluster=\"b\"}", "time", "100");

  private FaultyShard healthy;
  private FaultyShard sick;
  private JettyRouter router;

  @BeforeEach
  void start() throws Exception {
    healthy = new FaultyShard("a");
    sick = new FaultyShard("b");
  }

  @AfterEach
  void stop() {
    if (router != null) {
      router.close();
    }
    sick.close();
    healthy.close();
  }

  private void startRouter(
      Duration deadline, Consumer<io.promroute.servlet.PromRouteFilter.Builder> more)
      throws Exception {
    Map<String, String> targets = new LinkedHashMap<>();
    targets.put("a", healthy.hostPort());
    targets.put("b", sick.hostPort());
    router =
        JettyRouter.start(
            TestRouters.filter(
                targets,
                builder -> {
                  builder.upstreamTimeout(deadline).silenceProbe(PROBE);
                  more.accept(builder);
                }));
  }

  private Answer timed(Params params, Duration within) {
    long start = System.nanoTime();
    Answer answer = PromApi.get(router.baseUri(), "/api/v1/query", params);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("time to answer %s", answer.summary()).isLessThan(within);
    return answer;
  }

  private static void assertTheHealthyShardsAnswerWithAWarning(Answer answer) {
    assertThat(answer.status()).as(answer.summary()).isEqualTo(200);
    assertThat(answer.data().toString()).contains("a-1").doesNotContain("b-1");
    assertThat(answer.json().path("warnings").toString())
        .contains("shard \\\"b\\\" is not answering: its /-/ready got no answer within 300ms");
  }

  @Test
  void aFanOutAnswersTheHealthyShardSoonAfterAnotherFallsSilent() throws Exception {
    startRouter(DEADLINE, builder -> {});
    sick.fault(Fault.HANG_BEFORE_HEADERS);

    assertTheHealthyShardsAnswerWithAWarning(timed(FAN_OUT, FOUND_OUT));
  }

  @Test
  void aShardThatFreezesMidAnswerIsLeftOutSoon() throws Exception {
    startRouter(DEADLINE, builder -> {});
    sick.fault(Fault.FREEZE_MID_BODY);

    assertTheHealthyShardsAnswerWithAWarning(timed(FAN_OUT, FOUND_OUT));
  }

  @Test
  void aSilentShardIsNotAskedAgainUntilItsProbeAnswers() throws Exception {
    startRouter(DEADLINE, builder -> {});
    sick.fault(Fault.HANG_BEFORE_HEADERS);
    timed(FAN_OUT, FOUND_OUT);
    int asked = sick.apiRequests();

    for (int i = 0; i < 5; i++) {
      Answer answer = timed(FAN_OUT, FOUND_OUT);
      assertThat(answer.status()).as(answer.summary()).isEqualTo(200);
      assertThat(answer.json().path("warnings").toString()).contains("is not answering");
    }
    assertThat(sick.apiRequests()).as("queries sent to the silent shard").isEqualTo(asked);

    sick.fault(Fault.NONE);
    Eventually.eventually(
        () -> {
          Answer answer = PromApi.get(router.baseUri(), "/api/v1/query", FAN_OUT);
          assertThat(answer.status()).as(answer.summary()).isEqualTo(200);
          assertThat(answer.data().toString())
              .as("the shard answers again once its probe does")
              .contains("a-1", "b-1");
          assertThat(answer.json().path("warnings").isMissingNode()).isTrue();
        });
  }

  @Test
  void aQueryForTheSilentShardAloneFailsSoonWithATimeout() throws Exception {
    startRouter(DEADLINE, builder -> {});
    sick.fault(Fault.HANG_BEFORE_HEADERS);

    Answer answer = timed(ONLY_B, FOUND_OUT);

    assertThat(answer.status()).as(answer.summary()).isEqualTo(504);
    assertThat(answer.errorType()).isEqualTo("timeout");
    assertThat(answer.error())
        .isEqualTo("shard \"b\" is not answering: its /-/ready got no answer within 300ms");
  }

  @Test
  void withoutPartialAnswersTheFanOutFailsSoonWithTheSilentShardsError() throws Exception {
    startRouter(DEADLINE, builder -> builder.partialResponse(false));
    sick.fault(Fault.HANG_BEFORE_HEADERS);

    Answer answer = timed(FAN_OUT, FOUND_OUT);

    assertThat(answer.status()).as(answer.summary()).isEqualTo(504);
    assertThat(answer.error()).contains("shard \"b\" is not answering");
  }

  @Test
  void slowQueriesOfAShardThatAnswersItsProbeWaitForTheDeadline() throws Exception {
    Duration deadline = Duration.ofSeconds(3);
    startRouter(deadline, builder -> {});
    sick.fault(Fault.HANG_QUERIES);

    long start = System.nanoTime();
    Answer answer = PromApi.get(router.baseUri(), "/api/v1/query", FAN_OUT);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took).isGreaterThanOrEqualTo(deadline.minusMillis(100));
    assertThat(answer.status()).as(answer.summary()).isEqualTo(200);
    assertThat(answer.json().path("warnings").toString())
        .contains("shard \\\"b\\\" did not answer within 3s")
        .doesNotContain("is not answering");
  }

  @Test
  void withoutAProbeTimeAStoppedShardIsWaitedForUntilTheDeadline() throws Exception {
    Duration deadline = Duration.ofSeconds(2);
    startRouter(deadline, builder -> builder.silenceProbe(Duration.ZERO));
    sick.fault(Fault.HANG_BEFORE_HEADERS);

    Answer answer = PromApi.get(router.baseUri(), "/api/v1/query", ONLY_B);

    assertThat(answer.status()).as(answer.summary()).isEqualTo(504);
    assertThat(answer.error()).isEqualTo("shard \"b\" did not answer within 2s");
  }
}
