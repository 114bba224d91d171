package io.promroute.router;

import static java.util.Objects.requireNonNull;

import io.promroute.api.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * What to do for one API request: answer locally, or ask some shards and combine their answers.
 *
 * @param endpoint the endpoint asked
 * @param apiPath the path to request from each shard, under its base URL
 * @param calls the shards to ask, in configuration order; empty for a local answer
 * @param combine how the shards' answers make the answer
 * @param warnings warnings to add to the answer
 * @param local the answer when no shard is asked (200, JSON), else {@code null}
 * @param crossShard for {@link Combine#CROSS_SHARD}: the plan the router evaluates, else {@code
 *     null}
 * @param fallbacks for a plan whose one call any shard can answer the same (build info, {@code
 *     1+1}): the shards to ask next, in order, while a shard cannot be reached or fails with a 5xx;
 *     else empty
 * @param evaluationErrors how a shard's own error from evaluating the query (a 4xx) reads in the
 *     global view
 * @param guarded whether a shard query is guarded ({@link io.promroute.shard.EmptySideGuard}): a
 *     shard's one-side duplicate error then calls for {@link Router#routeWithRouterMatching}, not
 *     for answering it
 */
record Route(
    Endpoint endpoint,
    String apiPath,
    List<Call> calls,
    Combine combine,
    List<String> warnings,
    Local local,
    CrossShard crossShard,
    List<String> fallbacks,
    EvaluationErrors evaluationErrors,
    boolean guarded) {

  Route(
      Endpoint endpoint,
      String apiPath,
      List<Call> calls,
      Combine combine,
      List<String> warnings,
      Local local) {
    this(endpoint, apiPath, calls, combine, warnings, local, null);
  }

  Route(
      Endpoint endpoint,
      String apiPath,
      List<Call> calls,
      Combine combine,
      List<String> warnings,
      Local local,
      CrossShard crossShard) {
    this(
        endpoint,
        apiPath,
        calls,
        combine,
        warnings,
        local,
        crossShard,
        List.of(),
        EvaluationErrors.AS_ANSWERED,
        false);
  }

  /**
   * Rewords the message of a shard's own error from evaluating its query as one Prometheus holding
   * every shard's series words it (see {@link Routing#evaluationError}).
   */
  interface EvaluationErrors {
    /** The shards' messages as they are: the shards see the series as the global view does. */
    EvaluationErrors AS_ANSWERED = (shard, message) -> message;

    String reword(String shard, String message);
  }

  /**
   * A query the router computes from the shards' answers to {@code plan}'s shard queries: the calls
   * are every shard request (one per shard query, or chunks of a long subquery grid) for every
   * shard, request-major, and every call carries the same evaluation times.
   *
   * @param plan the cross-shard plan
   * @param range a range query (else instant, at {@code start})
   * @param start the evaluation time of an instant query, the start of a range query, in ms
   * @param end the end of a range query, in ms
   * @param step the step of a range query, in ms
   */
  record CrossShard(
      io.promroute.plan.QueryPlan plan, boolean range, long start, long end, long step) {}

  /**
   * One request to one shard.
   *
   * @param apiPath the path to request instead of the plan's, or {@code null} (a cross-shard plan's
   *     subquery asks {@code /api/v1/query_range} for an instant query)
   */
  record Call(String shard, Params params, boolean addShardLabel, String apiPath) {
    Call(String shard, Params params, boolean addShardLabel) {
      this(shard, params, addShardLabel, null);
    }
  }

  enum Combine {
    /** One shard; its answer streams through, with the shard label added where the call says. */
    SINGLE,
    /** One shard; its answer is copied unchanged (build info, parse_query). */
    PASS_THROUGH,
    /** Several shards: {@link io.promroute.api.ResponseTransformer#merge}. */
    MERGE,
    /** {@code label/<shard label>/values}: the keys of the shards whose answer has data. */
    SHARD_KEYS,
    /** The router computes the answer from the shards' answers: see {@link CrossShard}. */
    CROSS_SHARD
  }

  /** A locally computed 200 answer. */
  interface Local {
    void write(OutputStream out) throws IOException;
  }

  Route {
    requireNonNull(endpoint, "endpoint is null");
    calls = List.copyOf(calls);
    warnings = List.copyOf(warnings);
    fallbacks = List.copyOf(fallbacks);
    requireNonNull(evaluationErrors, "evaluationErrors is null");
  }

  Route withWarnings(List<String> newWarnings) {
    return copy(newWarnings, fallbacks, evaluationErrors, guarded);
  }

  Route withEvaluationErrors(EvaluationErrors reworded) {
    return copy(warnings, fallbacks, reworded, guarded);
  }

  /** This plan, its one call answerable by any shard: the others are asked in turn if it fails. */
  Route answerableByAnyShard(List<String> shards) {
    List<String> others = new java.util.ArrayList<>(shards);
    others.remove(calls.get(0).shard());
    return copy(warnings, others, evaluationErrors, guarded);
  }

  /** This plan, its shard queries guarded ({@link io.promroute.shard.EmptySideGuard}). */
  Route asGuarded() {
    return copy(warnings, fallbacks, evaluationErrors, true);
  }

  /**
   * This plan with the components the methods above change: the one place a copy names every
   * component, so that a new one is carried over by all of them.
   */
  private Route copy(
      List<String> newWarnings,
      List<String> newFallbacks,
      EvaluationErrors newEvaluationErrors,
      boolean newGuarded) {
    return new Route(
        endpoint,
        apiPath,
        calls,
        combine,
        newWarnings,
        local,
        crossShard,
        newFallbacks,
        newEvaluationErrors,
        newGuarded);
  }

  static Route local(Endpoint endpoint, Local local) {
    return new Route(endpoint, endpoint.path(), List.of(), Combine.SINGLE, List.of(), local);
  }
}
