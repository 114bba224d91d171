package io.promroute.plan;

import java.util.List;
import java.util.Map;

/**
 * The shards' answers to a plan's shard queries, by query, shard and step: what the plan's nodes
 * read. Shard series that need the shard label already carry it.
 *
 * @param answers {@code answers.get(query).get(shard)} maps a step's timestamp to that shard's
 *     samples at the step
 * @param cancellation checked at every step and in loops over a subquery's points
 * @param samples the query's sample count: transient values (a subquery's points) are counted while
 *     they are built
 * @param startMillis the request's start (an instant query's time), for {@code @ start()}
 * @param endMillis the request's end (an instant query's time), for {@code @ end()}
 * @param raw the raw samples of the shard queries that fetch them ({@link PlanNode.Fetch#raw()}),
 *     by query: every shard's series, in global label order
 */
record EvalContext(
    List<List<Map<Long, List<Sample>>>> answers,
    io.promroute.api.Cancellation cancellation,
    io.promroute.api.SampleLimit samples,
    long startMillis,
    long endMillis,
    Map<Integer, List<Value.Series>> raw) {

  List<Value.Series> raw(int query) {
    return raw.getOrDefault(query, List.of());
  }

  List<Sample> shard(int query, int shard, long time) {
    return answers.get(query).get(shard).getOrDefault(time, List.of());
  }

  int shardCount(int query) {
    return answers.get(query).size();
  }
}
