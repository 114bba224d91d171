package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 20,000-term operator chains and 1,000-deep nestings sent through the whole engine in a freshly
 * started JVM with the default thread stack, each on a new thread: every one gets its answer or its
 * positioned parse error, never a StackOverflowError.
 */
class ColdJvmDeepRequestTest {

  @Test
  void longChainsAndDeepNestingsGetTheirAnswerOrTheirPositionedErrorOnAColdJvm()
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                java.toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                DeepRequests.class.getName())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();

    List<String> lines = output.lines().toList();
    int requests = 0;
    for (Map.Entry<String, Map.Entry<String, List<String>>> query :
        DeepRequests.queries().entrySet()) {
      for (String endpoint : query.getValue().getValue()) {
        String prefix = query.getKey() + " " + endpoint + " ";
        assertThat(lines).as(output).element(requests).asString().startsWith(prefix);
        String outcome = lines.get(requests).substring(prefix.length());
        if (query.getKey().equals("too-deep")) {
          assertThat(outcome)
              .startsWith(
                  "400 {\"status\":\"error\",\"errorType\":\"bad_data\","
                      + "\"error\":\"invalid parameter \\\"query\\\": 1:4004: parse error: query is nested too deeply");
        } else {
          assertThat(outcome).as(prefix).startsWith("200 {\"status\":\"success\",\"data\":");
        }
        requests++;
      }
    }
    assertThat(lines).as(output).hasSize(requests);
    assertThat(process.exitValue()).isZero();
  }
}
