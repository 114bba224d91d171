package io.promroute.plan;

import io.promroute.api.QueryResult;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardedQuery;
import java.util.ArrayList;
import java.util.List;

/**
 * Routes, plans and evaluates deep and long queries, one line of outcome per query: run by {@link
 * ColdJvmDeepQueryTest} in a fresh JVM without JIT ({@code -Xint}) and with a small stack, where
 * every frame is as large as it gets.
 */
public final class DeepQueries {

  private DeepQueries() {}

  static List<String> queries() {
    return List.of(
        "abs(".repeat(600) + "x" + ")".repeat(600),
        "abs(".repeat(600),
        "x" + " or x".repeat(2_000),
        "sum(x)" + " + sum(x)".repeat(1_000));
  }

  public static void main(String[] args) {
    ShardRewriter rewriter =
        ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b", "c")).build();
    for (String query : queries()) {
      System.out.println(outcome(rewriter, query));
    }
  }

  static String outcome(ShardRewriter rewriter, String query) {
    try {
      ShardedQuery routed = rewriter.rewrite(query);
      QueryPlan plan = QueryPlanner.plan(routed);
      List<List<QueryResult>> answers = new ArrayList<>();
      for (int q = 0; q < plan.shardQueries().size(); q++) {
        List<QueryResult> perShard = new ArrayList<>();
        for (int s = 0; s < plan.shards().size(); s++) {
          perShard.add(new QueryResult(QueryResult.Type.VECTOR, List.of(), List.of()));
        }
        answers.add(perShard);
      }
      QueryResult result = plan.evaluateInstant(1_000, answers);
      return "answer "
          + plan.shardQueries().size()
          + " shard queries, "
          + result.series().size()
          + " series";
    } catch (RuntimeException e) {
      return "error " + e.getMessage();
    } catch (StackOverflowError e) {
      return "StackOverflowError";
    }
  }
}
