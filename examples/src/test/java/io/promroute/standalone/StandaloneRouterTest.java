package io.promroute.standalone;

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
    return StandaloneRouter.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void versionPrintsTheProjectVersion() throws Exception {
    assertThat(run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .matches("promroute \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
  }

  @Test
  void checkConfigRefusesABadConfigNamingFileLineAndKey() throws Exception {
    Path file = directory.resolve("prome-route.yml");
    Files.writeString(
        file, "prome_servers:\n  a: 127.0.0.1:9090\nhttp:\n  listen_address: :9097\n");

    assertThat(run("--config", file.toString(), "--check-config")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            file
                + ":4: http.listen_address: unknown key (known here: listen_addr, path_prefix)\n"
                + file
                + ": invalid\n");
  }

  @Test
  void checkConfigReportsEveryMistakeOfAFileWithoutTheNetwork() throws Exception {
    Path file = directory.resolve("prome-route.yml");
    Files.writeString(
        file,
        """
        prome_servers:
          a: 127.0.0.1:99999
          b: prom-b.example
        shards:
          c:
            url: https://prom-c.example/prometheus
            basic_auth: {username: grafana, password_file: secrets/c.password}
        http:
          listen_addr: 127.0.0.1:9097
        routing:
          default_shard: a
          missing_shard_matcher: reject
        """);

    assertThat(run("--config", file.toString(), "--check-config")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            String.join(
                "\n",
                file
                    + ":2: prome_servers.a: \"127.0.0.1:99999\": port 99999 is not between 1 and 65535",
                file
                    + ":3: prome_servers.b: \"prom-b.example\" has no port (expected host:port, or a URL such as "
                    + "http://prom-b.example to mean port 80)",
                file
                    + ":7: shards.c.basic_auth.password_file: cannot read "
                    + directory.resolve("secrets/c.password")
                    + " (NoSuchFileException)",
                file
                    + ":11: routing.default_shard: only used with missing_shard_matcher: default_shard, but "
                    + "missing_shard_matcher is reject",
                file + ": invalid\n"));
  }

  @Test
  void checkConfigWithProbeAsksEachShardForItsVersionAndReadiness() throws Exception {
    try (FakePrometheus up = new FakePrometheus("node-a:9100")) {
      Path file = directory.resolve("prome-route.yml");
      // Nothing listens on port 1 of the loopback.
      Files.writeString(file, "prome_servers:\n  a: " + up.address() + "\n  b: 127.0.0.1:1\n");

      assertThat(run("--config", file.toString(), "--check-config", "--probe")).isEqualTo(1);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .isEqualTo(
              file
                  + ": valid: 2 shard(s) a, b by label cluster, listening on :9097\n"
                  + "  shard a (http://"
                  + up.address()
                  + "): Prometheus "
                  + FakePrometheus.VERSION
                  + ", ready\n"
                  + "  shard b (http://127.0.0.1:1): version unknown, NOT READY: not reachable: ConnectException: Connection refused\n");
    }
  }

  @Test
  void checkConfigAcceptsAPromeRouteConfigAndSummarizesIt() throws Exception {
    Path file = directory.resolve("prome-route.yml");
    Files.writeString(
        file,
        "replace_label_name: cluster\nprome_servers:\n  a: 1.1.1.1:9090\n  b: 2.2.2.2:9090\n"
            + "http:\n  listen_addr: :9097\n");

    assertThat(run("--config", file.toString(), "--check-config")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(file + ": valid: 2 shard(s) a, b by label cluster, listening on :9097\n");
  }

  @Test
  void acceptsPromeRoutesConfigFileFlag() throws Exception {
    Path file = directory.resolve("missing.yml");

    assertThat(run("--config.file=" + file, "--check-config")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(file + ": cannot read");
  }

  @Test
  void startingWithABadConfigExitsWithItsMessage() throws Exception {
    Path file = directory.resolve("prome-route.yml");
    Files.writeString(file, "prome_servers:\n  a: ftp://127.0.0.1:9090\n");

    assertThat(run("--config", file.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "promroute: cannot start: "
                + file
                + ":2: prome_servers.a: \"ftp://127.0.0.1:9090\": only http and https URLs are supported\n");
  }

  @Test
  void unknownArgumentsPrintTheUsage() throws Exception {
    assertThat(run("--port", "9097")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("unknown argument: --port\nusage: promroute ");
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
    assertThat(RouterMetrics.endpoint("/api/v1/label/job/values"))
        .isEqualTo("/api/v1/label/:name/values");
    assertThat(RouterMetrics.endpoint("/api/v1/whatever/123")).isEqualTo("/api/other");
    assertThat(RouterMetrics.endpoint("/wp-login.php")).isEqualTo("other");
  }
}
