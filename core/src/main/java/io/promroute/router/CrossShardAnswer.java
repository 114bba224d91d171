package io.promroute.router;

import io.promroute.api.ApiError;
import io.promroute.api.ApiException;
import io.promroute.api.Cancellation;
import io.promroute.api.QueryResult;
import io.promroute.api.SampleLimit;
import io.promroute.plan.QueryPlan;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;

/**
 * The answer to a {@link Route.Combine#CROSS_SHARD} plan: reads every shard's answer to every shard
 * query into memory, lets the plan compute the global answer, writes it. A failed shard fails the
 * query (Prometheus has no partial answers), unless partial responses are on: then that shard
 * counts as having no series, and a warning says so.
 */
final class CrossShardAnswer {

  private final Route plan;
  private final List<CompletableFuture<UpstreamResponse>> futures;
  private final AsyncResponse response;
  private final boolean partialResponse;
  private final BiFunction<String, Throwable, ApiError> classify;
  private final Cancellation cancellation;
  private final long maxSamples;
  private final int maxSeries;
  private final java.time.Duration timeout;
  private final io.promroute.api.MemoryBudget.Lease memory;

  /**
   * @param cancellation when to stop evaluating (the request's deadline, the client gone)
   * @param maxSamples the most samples the query may hold (shard answers read, values computed)
   * @param maxSeries the most series in the answer
   * @param memory the request's share of the router's memory budget: the samples counted are
   *     reserved from it too
   */
  CrossShardAnswer(
      Route plan,
      List<CompletableFuture<UpstreamResponse>> futures,
      AsyncResponse response,
      boolean partialResponse,
      BiFunction<String, Throwable, ApiError> classify,
      Cancellation cancellation,
      long maxSamples,
      int maxSeries,
      java.time.Duration timeout,
      io.promroute.api.MemoryBudget.Lease memory) {
    this.plan = plan;
    this.futures = futures;
    this.response = response;
    this.partialResponse = partialResponse;
    this.classify = classify;
    this.cancellation = cancellation;
    this.maxSamples = maxSamples;
    this.maxSeries = maxSeries;
    this.timeout = timeout;
    this.memory = memory;
  }

  /**
   * Without partial responses one failure decides the answer: cancel the requests still running as
   * soon as one fails, so the error is answered without waiting for the slowest shard. Not on a 422
   * of a guarded route: another shard's one-side duplicate may decide the answer (see {@link
   * Exchange#answerShardError}).
   */
  static void cancelRestOnFailure(
      List<CompletableFuture<UpstreamResponse>> futures, boolean guarded) {
    for (CompletableFuture<UpstreamResponse> future : futures) {
      future.whenComplete(
          (upstream, failure) -> {
            if (failure != null
                || upstream.status() / 100 != 2 && !(guarded && upstream.status() == 422)) {
              for (CompletableFuture<UpstreamResponse> other : futures) {
                if (other != future && !other.isDone()) {
                  other.cancel(true);
                }
              }
            }
          });
    }
  }

  void answer() throws IOException {
    QueryPlan queryPlan = plan.crossShard().plan();
    List<String> shards = queryPlan.shards();
    int shardCount = shards.size();
    List<String> warnings = new ArrayList<>(plan.warnings());
    Set<String> failedShards = new LinkedHashSet<>();
    ApiError failure = null;
    ApiError cancellation = null;
    List<UpstreamResponse> upstreams = new ArrayList<>();
    for (int i = 0; i < plan.calls().size(); i++) {
      String shard = plan.calls().get(i).shard();
      UpstreamResponse upstream = null;
      try {
        upstream = futures.get(i).join();
      } catch (CancellationException e) {
        // Canceled because another request failed: that failure is the answer.
        cancellation = cancellation == null ? classify.apply(shard, e) : cancellation;
      } catch (CompletionException e) {
        if (e.getCause() instanceof CancellationException) {
          cancellation = cancellation == null ? classify.apply(shard, e) : cancellation;
          upstreams.add(null);
          continue;
        }
        ApiError error = classify.apply(shard, e);
        failure = failure == null ? error : failure;
        if (failedShards.add(shard)) {
          warnings.add(error.message());
        }
      }
      if (upstream != null) {
        ApiError error;
        try {
          upstream = ShardAnswers.decoded(upstream);
          error =
              ShardAnswers.problem(endpointOf(i), shard, upstream, true, plan.evaluationErrors());
        } catch (IOException e) {
          error = ShardAnswers.malformed(shard, "answered a body that does not inflate as gzip");
        }
        if (error != null) {
          upstream.close();
          if (ShardAnswers.isQueryError(error.status())) {
            // The shard's own 400 or 422: an error of the query, which the global view gives too;
            // not a
            // sick shard.
            Exchange.answerShardError(plan, response, error, futures, i);
            return;
          }
          failure = failure == null ? error : failure;
          if (failedShards.add(shard)) {
            warnings.add(error.message());
          }
          upstream = null;
        }
      }
      upstreams.add(upstream);
    }
    if (failure == null && cancellation != null) {
      failure = cancellation;
    }
    if (failure != null
        && (!partialResponse || failedShards.size() == shardCount || cancellation != null)) {
      Engine.writeError(response, failure);
      return;
    }
    // Counted as the answers are read: an answer too large stops being read at the limit.
    SampleLimit samples = SampleLimit.of(maxSamples, memory);
    List<List<QueryResult>> answers;
    QueryResult result;
    try {
      answers = read(queryPlan, upstreams, failedShards, warnings, samples);
      if (answers == null) {
        return;
      }
      Route.CrossShard times = plan.crossShard();
      result =
          times.range()
              ? queryPlan.evaluateRange(
                  times.start(), times.end(), times.step(), answers, this.cancellation, samples)
              : queryPlan.evaluateInstant(times.start(), answers, this.cancellation, samples);
    } catch (ApiException e) {
      Engine.writeError(response, e.error()); // the exchange closes the shard answers not read
      return;
    }
    if (result.series().size() > maxSeries) {
      Engine.writeError(
          response,
          new ApiError(
              422,
              "execution",
              "query result has "
                  + result.series().size()
                  + " series, more than the router's limit of "
                  + maxSeries
                  + " (limits.max_series)"));
      return;
    }
    response.setStatus(200);
    response.setContentType("application/json");
    OutputStream out = response.getOutputStream();
    result.write(out, warnings);
    out.flush();
  }

  /** The shards' answers by request and shard, or {@code null} when an error was answered. */
  private List<List<QueryResult>> read(
      QueryPlan queryPlan,
      List<UpstreamResponse> upstreams,
      Set<String> failedShards,
      List<String> warnings,
      SampleLimit samples)
      throws IOException {
    List<String> shards = queryPlan.shards();
    int shardCount = shards.size();
    List<List<QueryResult>> answers = new ArrayList<>();
    QueryResult.Type emptyType =
        plan.crossShard().range() ? QueryResult.Type.MATRIX : QueryResult.Type.VECTOR;
    // One request per shard query, or more for a long subquery grid: the calls, request-major.
    for (int q = 0; q < plan.calls().size() / shardCount; q++) {
      List<QueryResult> perShard = new ArrayList<>(shardCount);
      for (int s = 0; s < shardCount; s++) {
        int call = q * shardCount + s;
        UpstreamResponse upstream = upstreams.get(call);
        if (upstream == null || failedShards.contains(shards.get(s))) {
          perShard.add(new QueryResult(emptyType, List.of(), List.of()));
          continue;
        }
        QueryResult answer;
        ApiError error;
        boolean sick;
        try {
          answer = readWithFailover(call, upstream, samples);
          error = null;
          sick = false;
        } catch (NextReplicaProblem e) {
          answer = null;
          error = e.error;
          sick = e.error.status() / 100 != 4;
        } catch (IOException e) {
          answer = null;
          error =
              e instanceof ShardBody.ReadException
                  ? ShardAnswers.readFailure(shards.get(s), e, timeout)
                  : ShardAnswers.malformed(
                      shards.get(s),
                      e instanceof com.fasterxml.jackson.core.JsonProcessingException json
                          ? "answered invalid JSON: " + json.getOriginalMessage()
                          : e.getMessage());
          sick =
              e instanceof ShardBody.ReadException
                  || e instanceof io.promroute.api.MalformedAnswerException
                  || e instanceof com.fasterxml.jackson.core.JsonProcessingException;
        }
        if (answer != null) {
          perShard.add(answer);
        } else {
          if (!partialResponse || !sick || failedShards.size() + 1 == shardCount) {
            // (what is not the shard's fault, such as a native histogram whose bucket bounds fit no
            // schema, fails the query)
            Engine.writeError(response, error);
            return null;
          }
          // Partial: this shard counts as having no series, in every shard query.
          failedShards.add(shards.get(s));
          warnings.add(error.message());
          perShard.add(new QueryResult(emptyType, List.of(), List.of()));
        }
      }
      answers.add(perShard);
      cancellation.check();
    }
    for (List<QueryResult> perShard : answers) {
      for (int s = 0; s < shardCount; s++) {
        if (failedShards.contains(shards.get(s))) {
          perShard.set(
              s, new QueryResult(emptyType, List.of(), List.of())); // failed in a later shard query
        }
      }
    }
    return answers;
  }

  /**
   * The answer of {@code call}, read; when its body breaks off (or stalls) before its end, the same
   * shard query's answer from the shard's next replica, if it has one, within the deadline: nothing
   * of the answer is written before every shard answer is read. The samples of the broken answer
   * read so far no longer count.
   *
   * @throws NextReplicaProblem when the next replica answered, but not a usable answer
   */
  private QueryResult readWithFailover(int call, UpstreamResponse upstream, SampleLimit samples)
      throws IOException {
    String shard = plan.calls().get(call).shard();
    ShardAnswers.consuming(upstream);
    long held = samples.held();
    try (ShardBody body = new ShardBody(shard, upstream.body())) {
      return QueryResult.read(body, samples);
    } catch (ShardBody.ReadException e) {
      UpstreamResponse next = ShardAnswers.nextReplica(upstream, e);
      if (next == null) {
        throw e;
      }
      samples.release(samples.held() - held);
      ApiError problem =
          ShardAnswers.problem(endpointOf(call), shard, next, true, plan.evaluationErrors());
      if (problem != null) {
        next.close();
        throw new NextReplicaProblem(problem);
      }
      return readWithFailover(call, next, samples);
    }
  }

  private io.promroute.api.Endpoint endpointOf(int call) {
    return Exchange.endpointOf(plan, plan.calls().get(call));
  }

  /** The answer of a shard's next replica, asked after the first one's broke off, is an error. */
  private static final class NextReplicaProblem extends IOException {
    private static final long serialVersionUID = 1L;
    final transient ApiError error;

    NextReplicaProblem(ApiError error) {
      super(error.message());
      this.error = error;
    }
  }
}
