package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The filter in Jetty 12 counts POST bodies against its memory budget ({@code limits.max_memory})
 * while it reads and keeps them, and gives the bytes back when the request ends (the container's
 * {@code AsyncListener.onComplete}): clients holding half-sent bodies fill part of a 4 MiB budget,
 * so that another large body (three bytes a byte at its peak: its bytes, their unescaped copy, the
 * text) gets the budget's 503 while a GET answers, and once they are done it passes.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FilterBodyMemoryTest {

  private static final String T = "1767268800";

  /** The query {@code up} padded by a comment to about {@code bytes} bytes of form body. */
  private static String paddedQuery(int bytes) {
    return "up # " + "x".repeat(bytes);
  }

  @Test
  void postBodiesCountAgainstTheBudgetUntilTheirRequestEnds() throws Exception {
    Map<String, String> targets = new LinkedHashMap<>();
    try (FakeShards.Counting shards = new FakeShards.Counting();
        JettyRouter router =
            JettyRouter.start(
                TestRouters.filter(
                    shardsAt(targets, shards.hostPort()),
                    builder -> builder.maxMemoryBytes(4L << 20)))) {
      URI base = router.baseUri();
      Params large = Params.of("query", paddedQuery(1_000_000), "time", T);
      assertThat(PromApi.post(base, "/api/v1/query", large).status())
          .as("a large body alone")
          .isEqualTo(200);

      // Two clients stop near the end of their bodies: one byte a byte read, in 256 KiB chunks,
      // holds 1.5 MiB of the 4, so that the 3 MiB the large body needs are not there.
      byte[] held =
          Params.of("query", paddedQuery(750_000), "time", T)
              .encoded()
              .getBytes(StandardCharsets.US_ASCII);
      int sent = 700_000;
      List<HalfSentPost> holders = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        holders.add(HalfSentPost.start(base, "/api/v1/query", held, sent));
      }
      Thread.sleep(1000); // the filter reads what they sent

      Answer refused = PromApi.post(base, "/api/v1/query", large);
      Answer small = PromApi.get(base, "/api/v1/query", Params.of("query", "up", "time", T));
      // One after the other, each has room for its 2.25 MiB beside the other's 0.75.
      List<String> holderAnswers = new ArrayList<>();
      for (HalfSentPost holder : holders) {
        holderAnswers.add(holder.finish());
      }
      Answer later = PromApi.post(base, "/api/v1/query", large);

      assertThat(refused.status()).as(refused.summary()).isEqualTo(503);
      assertThat(refused.errorType()).isEqualTo("unavailable");
      assertThat(refused.error()).contains("limits.max_memory");
      assertThat(small.status()).as("a GET meanwhile: %s", small.summary()).isEqualTo(200);
      assertThat(holderAnswers).allSatisfy(answer -> assertThat(answer).startsWith("HTTP/1.1 200"));
      assertThat(later.status()).as("once they are done: %s", later.summary()).isEqualTo(200);
    }
  }

  private static Map<String, String> shardsAt(Map<String, String> targets, String hostPort) {
    targets.put("a", hostPort);
    targets.put("b", hostPort);
    return targets;
  }
}
