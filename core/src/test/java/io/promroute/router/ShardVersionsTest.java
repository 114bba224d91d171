package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.promql.PromQLParseException;
import io.promroute.shard.ShardRewriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code promql.dialect: auto}: the router accepts Prometheus 2's functions unless a shard says, at
 * {@code /api/v1/status/buildinfo}, that it runs Prometheus 3. Shards here are a hand-written
 * client answering build info as Prometheus does.
 */
class ShardVersionsTest {

  /** Answers each shard's build info with its version, or fails for a shard without one (down). */
  private static final class BuildInfoShards implements UpstreamClient {
    final Map<String, String> versions = new ConcurrentHashMap<>();
    final Map<String, Integer> asked = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<UpstreamResponse> send(UpstreamRequest request) {
      asked.merge(request.shard(), 1, Integer::sum);
      assertThat(request.uri().getPath()).endsWith("/api/v1/status/buildinfo");
      String version = versions.get(request.shard());
      if (version == null) {
        return CompletableFuture.failedFuture(new IOException("connection refused"));
      }
      String body =
          "{\"status\":\"success\",\"data\":{\"branch\":\"HEAD\",\"version\":\""
              + version
              + "\",\"revision\":\"x\",\"goVersion\":\"go1.19.8\"}}";
      return CompletableFuture.completedFuture(new InMemoryResponse(200, body));
    }
  }

  private static final Map<String, ShardTarget> TARGETS =
      Map.of("a", ShardTarget.of("127.0.0.1:1"), "b", ShardTarget.of("127.0.0.1:2"));

  /** The versions of {@code shards} once {@code count} of them are read. */
  private static ShardVersions versionsRead(BuildInfoShards shards, int count)
      throws InterruptedException {
    ShardVersions versions = new ShardVersions(TARGETS, shards, Duration.ofSeconds(1));
    versions.refresh();
    awaitVersions(versions, count);
    return versions;
  }

  private static void awaitVersions(ShardVersions versions, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (versions.versions().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(versions.versions()).hasSize(count);
  }

  @Test
  void prometheus2FunctionsAreAcceptedWhileNoShardRunsPrometheus3() throws Exception {
    BuildInfoShards shards = new BuildInfoShards();
    shards.versions.put("a", "2.42.0+ds");
    shards.versions.put("b", "2.53.1");
    ShardVersions versions = versionsRead(shards, 2);

    assertThat(versions.versions()).containsEntry("a", "2.42.0+ds").containsEntry("b", "2.53.1");
    assertThat(versions.acceptPrometheus2Functions()).isTrue();
  }

  @Test
  void rangeQueryParseErrorsAreBareOnlyWhileEveryShardReadRunsAPrometheusBefore244()
      throws Exception {
    BuildInfoShards shards = new BuildInfoShards();
    shards.versions.put("a", "2.42.0+ds");
    shards.versions.put("b", "2.43.1");
    assertThat(versionsRead(shards, 2).bareRangeQueryParseErrors()).isTrue();

    shards.versions.put("b", "2.44.0");
    assertThat(versionsRead(shards, 2).bareRangeQueryParseErrors()).isFalse();

    shards.versions.put("b", "3.5.0");
    assertThat(versionsRead(shards, 2).bareRangeQueryParseErrors()).isFalse();

    assertThat(
            new ShardVersions(
                    java.util.Map.of(), UpstreamClient.jdk(), java.time.Duration.ofSeconds(1))
                .bareRangeQueryParseErrors())
        .as("no version read yet")
        .isFalse();
  }

  @Test
  void aShardOnPrometheus3MakesTheRouterRefuseHoltWintersAsPrometheus3Does() throws Exception {
    BuildInfoShards shards = new BuildInfoShards();
    shards.versions.put("a", "2.42.0");
    shards.versions.put("b", "3.5.0");
    ShardVersions versions = versionsRead(shards, 2);
    ShardRewriter rewriter =
        ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build();
    ShardRewriter prometheus2 =
        rewriter.withParserOptions(
            rewriter.parserOptions().toBuilder().prometheus2Functions(true).build());
    Routing routing =
        Routing.following(rewriter, prometheus2, versions::acceptPrometheus2Functions);

    assertThat(versions.acceptPrometheus2Functions()).isFalse();
    assertThatThrownBy(() -> routing.rewrite("holt_winters(x{cluster=\"a\"}[5m], 0.5, 0.5)"))
        .isInstanceOf(PromQLParseException.class)
        .hasMessage("1:1: parse error: unknown function with name \"holt_winters\"");

    shards.versions.put("b", "2.42.0");
    ShardVersions all2 = versionsRead(shards, 2);
    Routing following2 = Routing.following(rewriter, prometheus2, all2::acceptPrometheus2Functions);
    assertThat(following2.rewrite("holt_winters(x{cluster=\"a\"}[5m], 0.5, 0.5)").query())
        .isEqualTo("holt_winters(x[5m], 0.5, 0.5)");
  }

  @Test
  void aShardThatWasDownIsAskedAgainOnLaterRequestsButNotOnEveryOne() throws Exception {
    BuildInfoShards shards = new BuildInfoShards();
    shards.versions.put("a", "2.42.0");
    ShardVersions versions = versionsRead(shards, 1);
    for (int i = 0; i < 100; i++) {
      // b is down: not read yet, so it counts as accepting; asked at most once per 10 s.
      assertThat(versions.acceptPrometheus2Functions()).isTrue();
    }
    assertThat(shards.asked.get("b")).isEqualTo(1);
    assertThat(versions.versions()).doesNotContainKey("b");
  }

  @Test
  void majorVersionsAreReadFromPrometheusVersionStrings() throws IOException {
    assertThat(ShardVersions.major("2.42.0+ds")).isEqualTo(2);
    assertThat(ShardVersions.major("3.0.0-rc.1")).isEqualTo(3);
    assertThat(ShardVersions.major("devel")).isZero();
    assertThat(
            ShardVersions.version(
                new ByteArrayInputStream(
                    "{\"status\":\"success\",\"data\":{\"nested\":{\"version\":\"9\"},\"version\":\"2.42.0\"}}"
                        .getBytes(StandardCharsets.UTF_8))))
        .isEqualTo("2.42.0");
  }
}
