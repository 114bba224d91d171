package io.promroute.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneRouterTest {

  @TempDir Path directory;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return StandaloneRouter.run(args,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void versionPrintsTheProjectVersion() throws Exception {
    assertThat(run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).matches("promroute \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
  }

  @Test
  void checkConfigRefusesABadConfigNamingFileLineAndKey() throws Exception {
    Path file = directory.resolve("prome-route.yml");
    Files.writeString(file, "prome_servers:\n  a: 127.0.0.1:9090\nhttp:\n  listen_address: :9097\n");

    assertThat(run("--config", file.toString(), "--check-config")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(file + ": invalid: " + file
        + ":4: http.listen_address: unknown key (known here: listen_addr, path_prefix)\n");
  }

  @Test
  void checkConfigAcceptsAPromeRouteConfigAndSummarizesIt() throws Exception {
    Path file = directory.resolve("prome-route.yml");
    Files.writeString(file, "replace_label_name: cluster\nprome_servers:\n  a: 1.1.1.1:9090\n  b: 2.2.2.2:9090\n"
        + "http:\n  listen_addr: :9097\n");

    assertThat(run("--config", file.toString(), "--check-config")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(file + ": valid: 2 shard(s) a, b by label cluster, listening on :9097\n");
  }

  @Test
  void acceptsPromeRoutesConfigFileFlag() throws Exception {
    Path file = directory.resolve("missing.yml");

    assertThat(run("--config.file=" + file, "--check-config")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(file + ": invalid: " + file + ": cannot read");
  }

  @Test
  void startingWithABadConfigExitsWithItsMessage() throws Exception {
    Path file = directory.resolve("prome-route.yml");
    Files.writeString(file, "prome_servers:\n  a: ftp://127.0.0.1:9090\n");

    assertThat(run("--config", file.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo("promroute: cannot start: " + file + ":2: prome_servers.a: \"ftp://127.0.0.1:9090\": only http and https URLs are supported\n");
  }

  @Test
  void unknownArgumentsPrintTheUsage() throws Exception {
    assertThat(run("--port", "9097")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("unknown argument: --port\nusage: promroute ");
    assertThat(run("--config")).isEqualTo(2);
  }

  @Test
  void listenAddressesInGoFormParse() {
    assertThat(ListenAddress.parse(":9097")).isEqualTo(new ListenAddress(null, 9097));
    assertThat(ListenAddress.parse("127.0.0.1:0")).isEqualTo(new ListenAddress("127.0.0.1", 0));
    assertThat(ListenAddress.parse("[::1]:9097")).isEqualTo(new ListenAddress("::1", 9097));
  }

  @Test
  void endpointLabelsAreBoundedToKnownPaths() {
    assertThat(RouterMetrics.endpoint("/api/v1/query_range")).isEqualTo("/api/v1/query_range");
    assertThat(RouterMetrics.endpoint("/api/v1/label/job/values")).isEqualTo("/api/v1/label/:name/values");
    assertThat(RouterMetrics.endpoint("/api/v1/whatever/123")).isEqualTo("/api/other");
    assertThat(RouterMetrics.endpoint("/wp-login.php")).isEqualTo("other");
  }
}
