package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Deep and long queries in a freshly started JVM that only interprets ({@code -Xint}) with a 256
 * KiB stack: each gets its answer or its positioned error, never a StackOverflowError.
 */
class ColdJvmDeepQueryTest {

  @Test
  void deepAndLongQueriesGetTheirAnswerOrTheirErrorOnAColdJvm()
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process process =
        new ProcessBuilder(
                java.toString(),
                "-Xint",
                "-Xss256k",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                DeepQueries.class.getName())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();

    List<String> lines = output.lines().toList();
    assertThat(lines)
        .as(output)
        .containsExactly(
            "answer 1 shard queries, 0 series",
            "error 1:2401: parse error: unclosed left parenthesis",
            "answer 1 shard queries, 0 series",
            "answer 1 shard queries, 0 series");
    assertThat(process.exitValue()).isZero();
  }
}
