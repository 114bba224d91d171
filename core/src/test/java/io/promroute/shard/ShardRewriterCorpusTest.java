package io.promroute.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.promroute.promql.ParserOptions;
import io.promroute.promql.PromQL;
import io.promroute.promql.PromQLParseException;
import io.promroute.promql.ast.Expr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every query of Prometheus's own evaluation tests, with {@code job} as the shard label: the
 * rewrite either routes it to a valid query without shard matchers, or refuses it with a routing
 * exception; nothing else escapes. The corpus lives beside the checkout (see core's pom).
 */
class ShardRewriterCorpusTest {

  @Test
  void everyCorpusQueryIsRoutedOrRefusedWithAReason() throws Exception {
    String directory = System.getProperty("promql.conformance.dir");
    Assumptions.assumeTrue(directory != null, "the conformance corpus is not configured");
    List<String> queries = Files.readAllLines(Path.of(directory, "eval_queries.txt"));
    ParserOptions options = ParserOptions.allFeatures();
    ShardRewriter strip =
        ShardRewriter.builder()
            .shardLabel("job")
            .shards(List.of("api-server", "app-server", "1", "2", "testjob"))
            .parserOptions(options)
            .build();
    ShardRewriter keep =
        ShardRewriter.builder()
            .shardLabel("job")
            .shards(List.of("api-server", "app-server", "1", "2", "testjob"))
            .mode(ShardLabelMode.KEEP)
            .parserOptions(options)
            .build();
    int routed = 0;
    int refused = 0;
    for (String query : queries) {
      Expr parsed;
      try {
        parsed = PromQL.parse(query, options);
        // Only queries whose printed form parses again: the rest is the printer's business.
        PromQL.parse(PromQL.print(parsed), options);
      } catch (PromQLParseException notValid) {
        continue;
      }
      for (ShardRewriter rewriter : List.of(strip, keep)) {
        try {
          ShardedQuery result = rewriter.rewrite(parsed);
          Expr reparsed = PromQL.parse(result.query(), options);
          assertThat(PromQL.print(reparsed)).as(query).isEqualTo(result.query());
          if (rewriter == strip
              && result.execution() != ShardedQuery.Execution.NONE
              && result.selectorShards() == null) {
            assertThat(ShardStripPropertyTest.shardMatcherCount(result.expr(), "job"))
                .as(query)
                .isZero();
          }
          if (result.selectorShards() != null) {
            // Selectors reading different shards: each shard's part is valid PromQL too.
            for (String shard : result.shards()) {
              String part = PromQL.print(result.selectorShards().forShard(result.expr(), shard));
              assertThat(PromQL.print(PromQL.parse(part, options))).as(query).isEqualTo(part);
            }
          }
          routed++;
        } catch (ShardRoutingException e) {
          assertThat(e.getMessage()).as(query).isNotBlank();
          refused++;
        } catch (RuntimeException | AssertionError e) {
          fail("rewrite of " + query + " failed", e);
        }
      }
    }
    assertThat(routed).as("refused: %d", refused).isGreaterThan(2000);
  }
}
