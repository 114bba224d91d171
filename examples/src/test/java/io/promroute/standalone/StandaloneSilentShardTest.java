package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.FaultyShard;
import io.promroute.servlet.it.FaultyShard.Fault;
import io.promroute.servlet.it.PromApi;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The standalone router, on Jetty's upstream client, finds a shard that stops answering by its
 * {@code upstream.silence_probe} as the filter does (SilentShardTest): a fan-out answers the
 * healthy shard's data with a warning long before the deadline, and {@code /metrics} says which
 * shard is silent until it answers again.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StandaloneSilentShardTest {

  @Test
  void aFrozenShardIsFoundSilentInSecondsAndComesBackWhenItAnswers() throws Exception {
    try (FaultyShard healthy = new FaultyShard("a");
        FaultyShard sick = new FaultyShard("b")) {
      Map<String, String> targets = new LinkedHashMap<>();
      targets.put("a", healthy.hostPort());
      targets.put("b", sick.hostPort());
      try (StandaloneTestRouter router =
          new StandaloneTestRouter(
              targets, Duration.ofSeconds(45), hostPort -> hostPort, "  silence_probe: 300ms\n")) {
        sick.fault(Fault.HANG_BEFORE_HEADERS);

        long start = System.nanoTime();
        Answer answer =
            PromApi.get(router.baseUri(), "/api/v1/query", Params.of("query", "up", "time", "100"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofSeconds(10));
        assertThat(answer.status()).as(answer.summary()).isEqualTo(200);
        assertThat(answer.data().toString()).contains("a-1").doesNotContain("b-1");
        assertThat(answer.json().path("warnings").toString())
            .contains("shard \\\"b\\\" is not answering: its /-/ready got no answer within 300ms");
        assertThat(metrics(router))
            .contains("promroute_shard_silent{shard=\"a\"} 0.0")
            .contains("promroute_shard_silent{shard=\"b\"} 1.0");

        sick.fault(Fault.NONE);
        io.promroute.servlet.it.Eventually.eventually(
            () -> assertThat(metrics(router)).contains("promroute_shard_silent{shard=\"b\"} 0.0"));
        Answer again =
            PromApi.get(router.baseUri(), "/api/v1/query", Params.of("query", "up", "time", "100"));
        assertThat(again.data().toString()).contains("a-1", "b-1");
      }
    }
  }

  private static String metrics(StandaloneTestRouter router) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(router.baseUri().resolve("/metrics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
