package io.promroute.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.promroute.router.ShardTarget;
import io.promroute.servlet.RouterConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's data generator and config writer (bin/promroute-demo runs them, then starts real
 * servers; the script as a whole is exercised by hand).
 */
class DemoDataTest {

  private static final Instant NOW = Instant.parse("2026-01-01T12:00:07Z");

  @TempDir Path directory;

  @Test
  void samplesRunFromSixHoursBeforeNowToThreeHoursAfterEveryFifteenSeconds() throws Exception {
    Path file = directory.resolve("a.om");

    long samples = DemoData.writeOpenMetrics(file, "a", NOW);

    List<String> lines = Files.readAllLines(file);
    List<Long> upTimestamps =
        lines.stream()
            .filter(line -> line.startsWith("up{instance=\"node-1:9100\""))
            .map(line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)))
            .toList();
    long end = NOW.getEpochSecond() + 3 * 3600;
    end -= end % 15;
    assertThat(upTimestamps.get(upTimestamps.size() - 1)).isEqualTo(end);
    assertThat(upTimestamps.get(0)).isEqualTo(end - 9 * 3600);
    assertThat(upTimestamps).hasSize(9 * 3600 / 15 + 1);
    assertThat(lines.get(lines.size() - 1)).isEqualTo("# EOF");
    assertThat(lines.stream().filter(line -> !line.startsWith("#")).count()).isEqualTo(samples);
    // 3 up + 18 cpu + 3 memory + 12 http series
    assertThat(samples).isEqualTo(36L * upTimestamps.size());
  }

  @Test
  void shardsCarryNoShardLabelAndTheRouterPutsItBack() throws Exception {
    Path file = directory.resolve("b.om");
    DemoData.writeOpenMetrics(file, "b", NOW);

    assertThat(Files.readString(file)).doesNotContain("cluster");
  }

  @Test
  void theSameShardAndTimeGiveTheSameData() throws Exception {
    DemoData.writeOpenMetrics(directory.resolve("one.om"), "c", NOW);
    DemoData.writeOpenMetrics(directory.resolve("two.om"), "c", NOW);
    DemoData.writeOpenMetrics(directory.resolve("other.om"), "a", NOW);

    assertThat(Files.readString(directory.resolve("one.om")))
        .isEqualTo(Files.readString(directory.resolve("two.om")));
    assertThat(Files.readString(directory.resolve("one.om")))
        .isNotEqualTo(Files.readString(directory.resolve("other.om")));
  }

  @Test
  void countersNeverDecrease() throws Exception {
    Path file = directory.resolve("a.om");
    DemoData.writeOpenMetrics(file, "a", NOW);

    Map<String, Double> last = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("node_cpu_seconds_total") || line.startsWith("http_requests_total")) {
        String[] parts = line.split(" ");
        double value = Double.parseDouble(parts[1]);
        Double previous = last.put(parts[0], value);
        if (previous != null) {
          assertThat(value).as(line).isGreaterThanOrEqualTo(previous);
        }
      }
    }
    assertThat(last).hasSize(18 + 12);
  }

  @Test
  void writesARouterConfigInPromeRouteFormatForTheDemoPorts() throws Exception {
    DemoData.main(
        new String[] {
          "--out",
          directory.toString(),
          "--shards",
          "a,b,c",
          "--first-port",
          "9191",
          "--router-port",
          "9097"
        });

    RouterConfig config = RouterConfig.load(directory.resolve("promroute.yml"));

    assertThat(config.shardLabel()).isEqualTo("cluster");
    assertThat(config.shards())
        .containsExactly(
            Map.entry("a", ShardTarget.of("127.0.0.1:9191")),
            Map.entry("b", ShardTarget.of("127.0.0.1:9192")),
            Map.entry("c", ShardTarget.of("127.0.0.1:9193")));
    assertThat(config.listenAddress()).isEqualTo("127.0.0.1:9097");
    assertThat(directory.resolve("a.om")).exists();
    assertThat(directory.resolve("c.om")).exists();
    assertThat(Files.readString(directory.resolve("prometheus.yml")))
        .contains("scrape_interval: 1m");
  }

  @Test
  void promtoolLoadsTheGeneratedData() throws Exception {
    assumeTrue(
        onPath("promtool"), "promtool is not installed (Debian: apt-get install prometheus)");
    Path file = directory.resolve("a.om");
    DemoData.writeOpenMetrics(file, "a", Instant.now());

    Process promtool =
        new ProcessBuilder(
                "promtool",
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                file.toString(),
                directory.resolve("data").toString())
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("promtool.log").toFile())
            .start();

    assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(promtool.exitValue())
        .as(Files.readString(directory.resolve("promtool.log")))
        .isZero();
    try (var blocks = Files.list(directory.resolve("data"))) {
      assertThat(blocks.filter(Files::isDirectory).count()).isGreaterThanOrEqualTo(5);
    }
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
