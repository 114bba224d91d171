package io.promroute.examples;

import io.promroute.plan.QueryPlanner;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardRoutingException;
import io.promroute.shard.ShardedQuery;
import io.promroute.shard.UnknownShardPolicy;
import java.util.List;

/**
 * The library without a servlet container: route a PromQL query to its shard and get the query to
 * send there. Run it with {@code java -cp promroute-standalone.jar
 * io.promroute.examples.ProgrammaticApiExample}.
 */
public final class ProgrammaticApiExample {

  private ProgrammaticApiExample() {}

  public static void main(String[] args) {
    // Build once, share everywhere: a ShardRewriter is immutable and thread-safe.
    ShardRewriter rewriter =
        ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b", "c")).build();

    ShardedQuery routed =
        rewriter.rewrite(
            "sum by (instance) (rate(node_cpu_seconds_total{cluster=\"b\", mode!=\"idle\"}[5m]))");
    System.out.println("shards: " + routed.shards());
    System.out.println("send:   " + routed.query());
    System.out.println(
        "put " + routed.shardLabel() + " back on the answer: " + routed.addShardLabel());

    // Without a shard matcher a query asks every shard. Summing across shards needs a merge of
    // their answers: the servlet filter plans it with io.promroute.plan.QueryPlanner (each shard
    // sums its own series, the router adds the partial sums), as one Prometheus would answer.
    ShardedQuery everywhere = rewriter.rewrite("sum(up)");
    System.out.println(
        "sum(up): "
            + everywhere.execution()
            + " over "
            + everywhere.shards()
            + ": "
            + everywhere.crossShardReason());

    // Each selector reads the shards its own shard matchers select, as in one Prometheus holding
    // every shard: the share of shard b in the total is two merged sums divided by the router.
    ShardedQuery share =
        rewriter.rewrite(
            "sum(rate(http_requests_total{cluster=\"b\"}[5m])) / sum(rate(http_requests_total[5m]))");
    System.out.println(
        "share of b: "
            + share.execution()
            + " over "
            + share.shards()
            + ": "
            + QueryPlanner.plan(share));

    // What a policy forbids is refused, with a reason.
    ShardRewriter strict =
        ShardRewriter.builder()
            .shardLabel("cluster")
            .shards(List.of("a", "b", "c"))
            .unknownShard(UnknownShardPolicy.REJECT)
            .build();
    try {
      strict.rewrite("up{cluster=\"zzz\"}");
    } catch (ShardRoutingException e) {
      System.out.println("refused (" + e.reason() + "): " + e.getMessage());
    }
  }
}
