package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.HalfSentPost;
import io.promroute.servlet.it.PromApi;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * POST bodies count against the router's memory budget ({@code limits.max_memory}) while they are
 * read and kept, and give it back when their request ends: on real sockets, clients that hold large
 * bodies half sent fill a small budget, so that another large body gets the budget's 503 (a body
 * larger than the whole budget its 422) while a GET still answers; once they are done, a large body
 * passes. A body is counted once, as the filter counts it: its bytes as they arrive (one byte a
 * byte), the one array they are gathered into, and the text decoded from it, at most three bytes a
 * byte at once for a form of ASCII text (it was seven: the reader's own copy, counted besides the
 * engine's).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RequestBodyMemoryTest {

  /** The budget: 4 MiB; bodies up to 8 MiB are read. */
  private static final String LIMITS =
      "limits:\n  max_memory: 4MB\n  max_request_body_bytes: 8388608\n";

  private static final String TIME = "1767268800";

  /** A form body of {@code bytes} bytes: {@code up} and a comment that pads it. */
  private static byte[] form(int bytes) {
    String start = "query=up%20%23%20";
    String time = "&time=" + TIME;
    return (start + "x".repeat(bytes - start.length() - time.length()) + time)
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static String post(URI base, byte[] body) throws IOException {
    return HalfSentPost.start(base, "/api/v1/query", body, 0).finish();
  }

  @Test
  void largeBodiesBeyondTheBudgetAreRefusedWhileAGetAnswersAndTheirBytesComeBack()
      throws Exception {
    try (FakePrometheus a = new FakePrometheus("a:9100");
        FakePrometheus b = new FakePrometheus("b:9100");
        StandaloneTestRouter router =
            new StandaloneTestRouter(
                Map.of("a", a.address(), "b", b.address()),
                Duration.ofSeconds(10),
                hostPort -> hostPort,
                LIMITS)) {
      URI base = router.baseUri();
      // About three quarters of the budget at its peak (three bytes a byte): counted at seven, as
      // before, it needed 7 MB and was refused with 422.
      byte[] large = form(1_000_000);
      String alone = post(base, large);

      // Two clients stop near the end of their bodies: what they sent holds 1.5 MiB of the budget
      // (one byte a byte sent while the body is read, taken in 256 KiB chunks), so that the 3 MiB
      // the large body needs are not there.
      byte[] held = form(750_000);
      int sent = 700_000;
      List<HalfSentPost> holders = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        holders.add(HalfSentPost.start(base, "/api/v1/query", held, sent));
      }
      Thread.sleep(1000); // the router reads what they sent

      String refused = post(base, large);
      PromApi.Answer small =
          PromApi.get(base, "/api/v1/query", PromApi.Params.of("query", "up", "time", TIME));

      // One after the other, each has room for its 2.25 MiB beside the other's 0.75.
      List<String> holderAnswers = new ArrayList<>();
      for (HalfSentPost holder : holders) {
        holderAnswers.add(holder.finish());
      }
      // Larger than the budget while it arrives: refused as it is read, the rest read and dropped.
      String whole = post(base, form(5_000_000));
      // Within the budget while it arrives, beyond it once its text is decoded (6 MB).
      String decoded = post(base, form(2_000_000));
      String later = post(base, large);

      assertThat(alone).as("a large body alone").startsWith("HTTP/1.1 200");
      assertThat(refused)
          .isEqualTo(
              "HTTP/1.1 503 Service Unavailable {\"status\":\"error\",\"errorType\":\"unavailable\","
                  + "\"error\":\"the router's memory budget (limits.max_memory) is held by other"
                  + " queries; try again later\"}");
      assertThat(small.status()).as("a GET while the budget is held").isEqualTo(200);
      assertThat(holderAnswers).allSatisfy(answer -> assertThat(answer).startsWith("HTTP/1.1 200"));
      assertThat(List.of(whole, decoded))
          .as("bodies that alone need more than the budget")
          .allSatisfy(
              answer ->
                  assertThat(answer)
                      .startsWith("HTTP/1.1 422")
                      .contains("\"errorType\":\"execution\"", "limits.max_memory"));
      assertThat(later).as("a large body once the others are done").startsWith("HTTP/1.1 200");
    }
  }
}
