package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.it.FaultyShard;
import io.promroute.servlet.it.PromApi;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The standalone router reads the parameters of a {@code multipart/form-data} POST body, as
 * Prometheus's handlers and the servlet filter do (ApiSurfaceVsGlobalTest checks the filter against
 * the global Prometheus): the answer is the one of the same parameters sent as a URL-encoded form.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class StandaloneMultipartFormTest {

  private static final String BOUNDARY = "xYzZY-promroute";

  private static byte[] multipart(Map<String, String> values) {
    StringBuilder body = new StringBuilder();
    values.forEach(
        (name, value) ->
            body.append("--")
                .append(BOUNDARY)
                .append("\r\nContent-Disposition: form-data; name=\"")
                .append(name)
                .append("\"\r\n\r\n")
                .append(value)
                .append("\r\n"));
    body.append("--").append(BOUNDARY).append("--\r\n");
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aMultipartFormPostIsReadAsAUrlEncodedOne() throws Exception {
    try (FaultyShard a = new FaultyShard("a");
        FaultyShard b = new FaultyShard("b")) {
      Map<String, String> targets = new LinkedHashMap<>();
      targets.put("a", a.hostPort());
      targets.put("b", b.hostPort());
      try (StandaloneTestRouter router =
          new StandaloneTestRouter(targets, Duration.ofSeconds(10), hostPort -> hostPort, "")) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("query", "up{cluster=\"b\"}");
        values.put("time", "100");

        Answer form =
            PromApi.post(
                router.baseUri(),
                "/api/v1/query",
                Params.of("query", "up{cluster=\"b\"}", "time", "100"));
        Answer parts =
            PromApi.raw(
                router.baseUri(),
                "/api/v1/query",
                null,
                "multipart/form-data; boundary=" + BOUNDARY,
                multipart(values));

        assertThat(form.status()).as(form.summary()).isEqualTo(200);
        assertThat(form.data().toString()).contains("b-1");
        assertThat(parts.status()).as(parts.summary()).isEqualTo(200);
        assertThat(parts.json()).isEqualTo(form.json());
      }
    }
  }
}
