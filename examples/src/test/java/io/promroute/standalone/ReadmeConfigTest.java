package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.RouterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration examples in the README load, so that the documentation cannot drift from the
 * code.
 */
class ReadmeConfigTest {

  private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyYamlExampleInTheReadmeLoads(@TempDir Path directory) throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    List<String> blocks = new ArrayList<>();
    Matcher matcher = YAML_BLOCK.matcher(readme);
    while (matcher.find()) {
      blocks.add(matcher.group(1));
    }
    // The files the complete example names, relative to the configuration file.
    Files.createDirectories(directory.resolve("secrets"));
    Files.createDirectories(directory.resolve("certs"));
    Files.writeString(directory.resolve("secrets/b.password"), "pw\n");
    Files.writeString(directory.resolve("secrets/c.token"), "token\n");
    Files.writeString(directory.resolve("certs/internal-ca.pem"), "-----BEGIN CERTIFICATE-----\n");

    assertThat(blocks).hasSizeGreaterThanOrEqualTo(2);
    List<RouterConfig> configs = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      Path file = directory.resolve("readme-" + i + ".yml");
      Files.writeString(file, blocks.get(i));
      configs.add(RouterConfig.load(file));
    }
    assertThat(configs.get(0).shardKeys()).containsExactly("a", "b");
    // The complete example is the longest block.
    int longest = 0;
    for (int i = 1; i < blocks.size(); i++) {
      if (blocks.get(i).length() > blocks.get(longest).length()) {
        longest = i;
      }
    }
    RouterConfig complete = configs.get(longest);
    assertThat(complete.shardKeys()).containsExactly("a", "b", "c");
    assertThat(complete.shards().get("a").baseUrls()).hasSize(2);
    assertThat(complete.replicaPolicy().probes()).isTrue();
    assertThat(complete.shards().get("b").basicAuthPassword()).isEqualTo("pw");
    assertThat(complete.shards().get("c").bearerToken()).isEqualTo("token");
  }

  private static final Pattern LOGFMT_FIELD =
      Pattern.compile("(\\w+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S*)");

  @Test
  void theReadmesAccessLogLinesAreWhatTheRouterWrites() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    List<String> samples =
        readme.lines().map(String::strip).filter(line -> line.startsWith("ts=")).toList();

    assertThat(samples).hasSizeGreaterThanOrEqualTo(2);
    for (String sample : samples) {
      java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
      Matcher field = LOGFMT_FIELD.matcher(sample);
      while (field.find()) {
        String value = field.group(2);
        fields.put(
            field.group(1),
            value.startsWith("\"")
                ? new com.fasterxml.jackson.databind.ObjectMapper().readValue(value, String.class)
                : value);
      }
      String shards = fields.get("shards");
      AccessLogFormat.Entry entry =
          new AccessLogFormat.Entry(
              java.time.Instant.parse(fields.get("ts")),
              fields.get("remote"),
              fields.get("method"),
              fields.get("path"),
              fields.get("query"),
              shards.isEmpty() ? List.of() : List.of(shards.split(",")),
              Integer.parseInt(fields.get("status")),
              Double.parseDouble(fields.get("duration_ms")) / 1000,
              Long.parseLong(fields.get("bytes")),
              fields.get("error"));

      assertThat(AccessLogFormat.LOGFMT.line(entry)).isEqualTo(sample);
    }
  }

  @Test
  void theReadmesMetricsTableNamesEveryMetricOfTheRouterAndNoOther() throws Exception {
    String readme = Files.readString(Path.of("../README.md"));
    java.util.Set<String> documented = new java.util.TreeSet<>();
    String table =
        readme.substring(readme.indexOf("| metric | labels |"), readme.indexOf("A systemd unit"));
    Matcher name = Pattern.compile("`(promroute_[a-z_]+)`").matcher(table);
    while (name.find()) {
      documented.add(name.group(1));
    }
    java.util.Set<String> registered = new java.util.TreeSet<>();
    RouterMetrics metrics = new RouterMetrics(false);
    // The router registers the replicas', the shard versions' and the silent shards' gauges when it
    // starts.
    metrics.watchReplicas(List::of);
    metrics.watchShardVersions(java.util.Map::of);
    metrics.watchSilentShards(List::of, java.util.Map::of);
    metrics
        .registry
        .scrape()
        .forEach(
            snapshot ->
                registered.add(
                    snapshot.getMetadata().getPrometheusName()
                        + (snapshot instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot
                            ? "_total"
                            : "")));

    assertThat(documented).isEqualTo(registered);
  }
}
