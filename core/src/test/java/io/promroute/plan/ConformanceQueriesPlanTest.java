package io.promroute.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.ParserOptions;
import io.promroute.promql.PromQLParseException;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardRoutingException;
import io.promroute.shard.ShardedQuery;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every eval query of Prometheus 2.42's engine tests, over shards a, b and c, is routed to one
 * shard, concatenated, or planned across shards: none is refused. (Whether the answers equal one
 * Prometheus's is the promqltest harness's job, which replays them against real servers.)
 */
class ConformanceQueriesPlanTest {

  @Test
  void everyEngineTestQueryIsRoutedOrPlanned() throws IOException {
    String property = System.getProperty("promql.conformance.dir");
    Assumptions.assumeTrue(property != null, "system property promql.conformance.dir is not set");
    Path directory = Path.of(property, "promqltest", "v2.42.0");
    ShardRewriter rewriter =
        ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(List.of("a", "b", "c"))
            .parserOptions(ParserOptions.builder().prometheus2Functions(true).build())
            .build();
    List<String> refused = new ArrayList<>();
    int planned = 0;
    int queries = 0;
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(path -> path.toString().endsWith(".test")).sorted().toList();
    }
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        String trimmed = line.trim();
        if (!trimmed.startsWith("eval") || trimmed.startsWith("eval_fail")) {
          continue;
        }
        String query = trimmed.replaceFirst("^eval(_ordered)?\\s+instant\\s+at\\s+\\S+\\s+", "");
        queries++;
        try {
          ShardedQuery routed = rewriter.rewrite(query);
          if (routed.execution() == ShardedQuery.Execution.CROSS_SHARD_MERGE) {
            QueryPlanner.plan(routed);
            planned++;
          }
        } catch (ShardRoutingException e) {
          refused.add(query + ": " + e.getMessage());
        } catch (PromQLParseException e) {
          refused.add(query + ": " + e.getMessage());
        }
      }
    }
    assertThat(queries).isGreaterThan(500);
    assertThat(planned).as("queries that need the router").isGreaterThan(100);
    assertThat(refused).isEmpty();
  }
}
