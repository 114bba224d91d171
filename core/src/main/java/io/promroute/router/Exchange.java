package io.promroute.router;

import io.promroute.api.ApiError;
import io.promroute.api.ApiParameters;
import io.promroute.api.Cancellation;
import io.promroute.api.MalformedAnswerException;
import io.promroute.api.ResponseTransformer;
import io.promroute.api.ShardAnswer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One asynchronous API request: the transport's thread returns after {@link #start()}; the client's
 * futures complete on its threads; the answer is copied on the engine's executor (blocking Jackson
 * reads and writes, one small pool, so no container thread waits for a shard), or, when every body
 * is already in memory, right on the thread that completed the last future. Exactly one party
 * answers: whoever first {@link #claim()}s. The transport reports its own events: {@link
 * #onTimeout()} after {@link Engine#answerTimeout()}, {@link #onError()} when the client is gone,
 * {@link #onComplete()} when the response has ended.
 */
public final class Exchange {

  private static final System.Logger LOG = System.getLogger(Engine.class.getName());

  private final Engine engine;
  // Written in start() before any future exists; read by the client threads after theirs completed.
  private volatile Route plan;
  // The request's parameters as routed, for routing it again (see reroute).
  private volatile Params params;
  // Whether a failing shard of several becomes a warning (the request's partial_response, else the
  // engine's).
  private volatile boolean partial;
  private final ApiRequest request;
  private final AsyncResponse response;
  private final AtomicBoolean claimed = new AtomicBoolean();
  private final long started = System.nanoTime();

  /**
   * With partial answers, each shard's answer of a merge is read whole first when it is at most
   * this long, so that one breaking off mid-answer becomes a warning; longer ones stream, and a
   * break aborts the answer.
   */
  static final int PARTIAL_BUFFER_BYTES = 16 << 20;

  // Written by the transport's thread in start(), read by its event and client threads.
  private final List<CompletableFuture<UpstreamResponse>> futures =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  // Set when the transport gives up on the request (answer timeout, client gone, completed): a
  // router-side evaluation still running stops at its next check.
  private volatile boolean abandoned;
  private volatile long deadlineNanos;

  // The request body's share of the memory budget, from its first bytes read until the request
  // ends (see BodyMemory); guarded by bodyLock, so that the end never closes it mid-reservation.
  private final Object bodyLock = new Object();
  private io.promroute.api.MemoryBudget.Lease bodyMemory;
  private boolean bodyReserving;
  private boolean ended;
  // The body a transport read before start(), if it did (see bodyBuffer).
  private volatile BodyBytes keptBody;
  private final BodyMemory bodyCounter =
      new BodyMemory() {
        @Override
        public void reserve(long bytes) {
          reserveBody(bytes);
        }

        @Override
        public void release(long bytes) {
          releaseBody(bytes);
        }
      };

  Exchange(Engine engine, ApiRequest request, AsyncResponse response) {
    this.engine = engine;
    this.request = request;
    this.response = response;
  }

  /**
   * How the request is answered, once {@link #start()} has routed it: {@code local}, {@code
   * single}, {@code pass_through}, {@code merge}, {@code shard_keys} or {@code cross_shard}; {@code
   * null} for a request refused before it was routed.
   *
   * @return the kind, for access logs and metrics, or {@code null}
   */
  public String routeKind() {
    Route route = plan;
    if (route == null) {
      return null;
    }
    return route.local() != null
        ? "local"
        : route.combine().name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Plans the request, then answers it at once (errors, local answers) or sends its shard requests.
   */
  public void start() {
    // A router-side evaluation stops 5 s before the transport's answer timeout, with a JSON 503.
    deadlineNanos = System.nanoTime() + engine.answerTimeout().minusSeconds(5).toNanos();
    try {
      Engine.Routed routed = engine.route(request, response, bodyCounter, keptBody);
      plan = routed == null ? null : routed.route();
      params = routed == null ? null : routed.params();
      partial = routed != null && routed.partial();
      if (plan != null && plan.local() != null) {
        response.setStatus(200);
        response.setContentType("application/json");
        plan.local().write(response.getOutputStream());
      }
    } catch (IOException e) {
      // The client's body could not be read or the answer not written: the client is gone.
      LOG.log(System.Logger.Level.DEBUG, "client gone", e);
      if (claim()) {
        response.abort(e);
      }
      return;
    }
    if (plan == null || plan.local() != null) {
      if (claim()) {
        completeQuietly();
      }
      return;
    }
    sendCalls(false);
  }

  /**
   * Sends the plan's calls; {@code claimed}: the exchange is claimed already (a route sent again),
   * so its answer is written by {@link #answerClaimed} on the executor.
   */
  private void sendCalls(boolean claimed) {
    Map<String, List<String>> clientHeaders = Headers.fromClient(request, engine.forwardedHeaders);
    for (Route.Call call : plan.calls()) {
      futures.add(
          plan.fallbacks().isEmpty()
              ? send(call, clientHeaders)
              : new AnyShard(call, clientHeaders).first());
    }
    if (!partial && plan.fallbacks().isEmpty()) {
      // Strict: the first failure is the answer, whatever the kind of request; nothing else is
      // awaited.
      CrossShardAnswer.cancelRestOnFailure(futures, plan.guarded());
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, failure) -> {
              if (!claimed && failure == null && smallInMemory()) {
                respond(); // nothing left to wait for: answer on this thread, without a hand-off
                return;
              }
              try {
                engine.executor.execute(claimed ? this::answerClaimed : this::respond);
              } catch (RejectedExecutionException e) {
                if (claimed || claim()) {
                  finish(ApiError.internal("PromRoute is shutting down"));
                }
              }
            });
  }

  /**
   * A guarded shard query ({@link io.promroute.shard.EmptySideGuard}) failed with a one-side
   * duplicate, which one Prometheus holding every shard's series raises only at steps where the
   * other side is not empty on every shard: only the router, matching the sides itself, can tell.
   * Thrown before anything of the answer is written.
   */
  static final class RouterMatchingNeeded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient ApiError shardError;

    RouterMatchingNeeded(ApiError shardError) {
      super(shardError.message(), null, false, false);
      this.shardError = shardError;
    }
  }

  /**
   * Answers a shard's own 400 or 422, an error of the query which one Prometheus holding every
   * shard's series answers too; except a guarded query's one-side duplicate, from this shard or a
   * later one ({@link RouterMatchingNeeded}).
   *
   * @param futures the shard answers of the route's calls
   * @param answered the call whose shard answered {@code error}
   */
  static void answerShardError(
      Route plan,
      AsyncResponse response,
      ApiError error,
      List<CompletableFuture<UpstreamResponse>> futures,
      int answered) {
    if (plan.guarded()
        && error.status() == 422
        && (io.promroute.shard.EmptySideGuard.isOneSideDuplicate(error.message())
            || laterOneSideDuplicate(plan, futures, answered))) {
      throw new RouterMatchingNeeded(error);
    }
    Engine.writeError(response, error);
  }

  /**
   * Whether a call after {@code answered} got a one-side duplicate error. Prometheus checks the one
   * side of an operation over every shard's series before it matches the other side's, so where one
   * shard's guarded query fails matching ("multiple matches for labels") and a later one's on its
   * one side, the global evaluation fails on the one side: only the router, matching the sides
   * itself, meets the errors in Prometheus's order.
   */
  private static boolean laterOneSideDuplicate(
      Route plan, List<CompletableFuture<UpstreamResponse>> futures, int answered) {
    for (int i = answered + 1; i < futures.size(); i++) {
      UpstreamResponse other;
      try {
        other = futures.get(i).join();
      } catch (CompletionException | CancellationException e) {
        continue; // failed: not an error of the query
      }
      if (other.status() != 422) {
        continue;
      }
      Route.Call call = plan.calls().get(i);
      try {
        ApiError problem =
            ShardAnswers.problem(
                endpointOf(plan, call),
                call.shard(),
                ShardAnswers.decoded(other),
                true,
                plan.evaluationErrors());
        if (problem != null
            && io.promroute.shard.EmptySideGuard.isOneSideDuplicate(problem.message())) {
          return true;
        }
      } catch (IOException e) {
        // An unreadable error is no duplicate; the answer is the first error.
      }
    }
    return false;
  }

  /**
   * Sends the query again as the router-matching route; its answer follows. {@code false} when it
   * cannot be planned so, with the shard's error answered.
   */
  private boolean reroute(RouterMatchingNeeded needed) {
    Route exact;
    try {
      exact = engine.routeWithRouterMatching(plan.endpoint(), params);
    } catch (RuntimeException e) {
      // A refusal (ApiException) is expected; anything else is a bug of the planner.
      LOG.log(
          e instanceof io.promroute.api.ApiException
              ? System.Logger.Level.DEBUG
              : System.Logger.Level.WARNING,
          "no router-matching plan",
          e);
      Engine.writeError(response, needed.shardError);
      return false;
    }
    releaseUpstream();
    futures.clear();
    plan = exact;
    sendCalls(true);
    if (abandoned) {
      releaseUpstream(); // the transport gave up meanwhile
    }
    return true;
  }

  /**
   * A buffer for the request's form body, for a transport that reads the body before {@link
   * #start()} without a thread waiting while it arrives: it keeps up to one byte more than the
   * engine's limit (so that the engine answers a larger body with its 400), each byte counted
   * against the router's memory budget ({@code limits.max_memory}) before it is kept, until the
   * request ends. {@link #start()} then parses what it kept instead of reading {@link
   * ApiRequest#body()}; the transport drops the rest of a longer body itself.
   *
   * @return the buffer; its {@link BodyBytes#add} throws the budget's 422 or 503 when it has no
   *     room
   */
  public BodyBytes bodyBuffer() {
    BodyBytes buffer =
        new BodyBytes(
            (int) Math.min(Integer.MAX_VALUE, engine.maxRequestBodyBytes + 1L), bodyCounter);
    keptBody = buffer;
    return buffer;
  }

  /**
   * Counts {@code bytes} more that the request's body holds in memory against the router's memory
   * budget, until the request ends; nothing once it has ended.
   *
   * @throws io.promroute.api.ApiException 422 {@code execution} when the body alone needs more than
   *     the whole budget, 503 {@code unavailable} when other requests hold it (after waiting up to
   *     2 s for them to give some back), as for any other reservation
   */
  private void reserveBody(long bytes) {
    io.promroute.api.MemoryBudget.Lease lease;
    synchronized (bodyLock) {
      if (ended) {
        return;
      }
      if (bodyMemory == null) {
        bodyMemory = engine.memory.lease();
      }
      lease = bodyMemory;
      bodyReserving = true;
    }
    try {
      lease.reserve(bytes);
    } finally {
      synchronized (bodyLock) {
        bodyReserving = false;
        if (ended) {
          lease.close();
        }
      }
    }
  }

  /**
   * Counts {@code bytes} the body no longer holds: the lease keeps them from the budget for the
   * body's next copies (the body's share is the most it held at once, given back at the end).
   */
  private void releaseBody(long bytes) {
    synchronized (bodyLock) {
      if (!ended && bodyMemory != null) {
        bodyMemory.release(bytes);
      }
    }
  }

  /** Gives the body's share of the memory budget back, now or as its reservation under way ends. */
  private void endBody() {
    synchronized (bodyLock) {
      ended = true;
      if (bodyMemory != null && !bodyReserving) {
        bodyMemory.close();
      }
    }
  }

  private CompletableFuture<UpstreamResponse> send(
      Route.Call call, Map<String, List<String>> clientHeaders) {
    return send(call, clientHeaders, 1);
  }

  /**
   * Sends {@code call} with its share of what is left of the request's one deadline, among {@code
   * sharing} attempts.
   */
  private CompletableFuture<UpstreamResponse> send(
      Route.Call call, Map<String, List<String>> clientHeaders, int sharing) {
    Duration left =
        engine.upstreamTimeout.minusNanos(System.nanoTime() - started).dividedBy(sharing);
    if (left.toMillis() < 1) {
      return CompletableFuture.failedFuture(
          new HttpTimeoutException("no time left for shard " + call.shard()));
    }
    try {
      return engine.client.send(
          engine.upstreamRequest(plan, call, request.method(), clientHeaders, left));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The one call of a plan any shard answers the same (build info, {@code 1+1}), sent to the plan's
   * fallbacks in turn, within the request's one deadline, while a shard fails in any way
   * (unreachable, a timeout, a 5xx, a redirect, a malformed answer, {@code "status":"error"} in a
   * 200, a 4xx of a proxy) but a Prometheus 400 or 422: Grafana's "Save & test" must not fail
   * because the first shard is down. Cancelling it cancels the attempt under way.
   */
  private final class AnyShard extends CompletableFuture<UpstreamResponse> {
    private final Route.Call call;
    private final Map<String, List<String>> clientHeaders;
    private volatile CompletableFuture<UpstreamResponse> attempt;

    AnyShard(Route.Call call, Map<String, List<String>> clientHeaders) {
      this.call = call;
      this.clientHeaders = clientHeaders;
    }

    AnyShard first() {
      send(call.shard(), 0);
      return this;
    }

    private void send(String shard, int next) {
      // Each shard gets its share of what is left of the deadline, the last one all of it: a
      // shard that hangs must leave time to ask the next.
      CompletableFuture<UpstreamResponse> sent =
          Exchange.this.send(
              new Route.Call(shard, call.params(), call.addShardLabel(), call.apiPath()),
              clientHeaders,
              plan.fallbacks().size() - next + 1);
      attempt = sent;
      sent.whenComplete(
          (response, failure) -> {
            if (isDone()) { // cancelled meanwhile
              if (response != null) {
                response.close();
              }
              return;
            }
            if (failure == null && !(response.body() instanceof ByteArrayInputStream)) {
              // A streamed answer is judged whole, which blocks: not on the client's thread.
              try {
                engine.executor.execute(() -> judge(shard, next, response, null));
                return;
              } catch (RejectedExecutionException shuttingDown) {
                response.close();
                completeExceptionally(shuttingDown);
                return;
              }
            }
            judge(shard, next, response, failure);
          });
    }

    private void judge(String shard, int next, UpstreamResponse response, Throwable failure) {
      UpstreamResponse usable = response;
      boolean failed;
      if (failure != null) {
        failed = !(failure instanceof CancellationException);
      } else {
        try {
          // Such answers are small; one that breaks off mid-answer is a failure like any other.
          usable = ShardAnswers.buffered(shard, ShardAnswers.decoded(response), 1 << 20);
          ApiError problem =
              ShardAnswers.problem(
                  endpointOf(call), shard, usable, false); // rewinds a body in memory
          // A Prometheus 400 or 422 is the request's fault, which the next shard would find too.
          failed =
              problem != null
                  && !(ShardAnswers.isQueryError(usable.status())
                      && problem.status() == usable.status());
        } catch (IOException e) {
          failed = true;
          failure = e;
        }
      }
      if (failed && next < plan.fallbacks().size()) {
        if (response != null) {
          response.close();
        }
        send(plan.fallbacks().get(next), next + 1);
      } else if (failure != null) {
        if (response != null) {
          response.close();
        }
        completeExceptionally(failure);
      } else if (!complete(usable)) {
        response.close();
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      CompletableFuture<UpstreamResponse> current = attempt;
      if (current != null) {
        current.cancel(mayInterruptIfRunning);
      }
      return cancelled;
    }
  }

  /**
   * The most bytes of shard answers, in all, that the thread completing the last one answers
   * itself. It may be a client's selector thread (Jetty's client runs its listeners there), which
   * must never block nor compute long: the answer of this many bytes, labels added, fits the
   * transports' response buffers, so it is written without waiting for the client to read it; a
   * cross-shard evaluation goes to the executor in any case.
   */
  static final int INLINE_ANSWER_BYTES = 8 * 1024;

  /**
   * Whether every shard answered with a body already in memory, of at most {@link
   * #INLINE_ANSWER_BYTES} in all, and no router-side evaluation is needed, so that answering reads
   * nothing from the network, writes little and computes little.
   */
  private boolean smallInMemory() {
    if (plan.crossShard() != null) {
      return false;
    }
    long bytes = 0;
    for (CompletableFuture<UpstreamResponse> future : futures) {
      if (!(future.join().body() instanceof ByteArrayInputStream body)) {
        return false;
      }
      bytes += body.available();
    }
    return bytes <= INLINE_ANSWER_BYTES;
  }

  private boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  private void respond() {
    if (!claim()) {
      releaseUpstream();
      return;
    }
    answerClaimed();
  }

  /** Answers, once the exchange is claimed; then ends it, unless it was sent again. */
  private void answerClaimed() {
    boolean sentAgain = false;
    try {
      answer();
    } catch (RouterMatchingNeeded needed) {
      sentAgain = reroute(needed);
    } catch (io.promroute.api.ApiException e) {
      // A limit, found before anything was written.
      Engine.writeError(response, e.error());
    } catch (ShardBody.ReadException e) {
      LOG.log(System.Logger.Level.DEBUG, "shard connection lost", e);
      fail(e, ShardAnswers.readFailure(e.shard, e, engine.upstreamTimeout));
    } catch (MalformedAnswerException e) {
      // A merge names the shard; a single shard's copy does not know it.
      fail(
          e,
          e.getMessage().startsWith("shard \"")
              ? new ApiError(502, "unavailable", e.getMessage())
              : ShardAnswers.malformed(plan.calls().get(0).shard(), e.getMessage()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      fail(
          e,
          ShardAnswers.malformed(
              plan.calls().get(0).shard(), "answered invalid JSON: " + e.getOriginalMessage()));
    } catch (IOException e) {
      // The client went away mid-answer (a shard's failures are the cases above).
      LOG.log(System.Logger.Level.DEBUG, "answer failed", e);
      fail(
          e,
          new ApiError(
              502,
              "unavailable",
              e.getMessage() != null
                  ? e.getMessage()
                  : "answering failed (" + e.getClass().getSimpleName() + ")"));
    } catch (RuntimeException | Error e) {
      // A bug, even one that throws an Error (an AssertionError, a class that failed to load):
      // never a 200 completed as if whole.
      LOG.log(System.Logger.Level.ERROR, "answer failed", e);
      fail(e, ApiError.internal("PromRoute failed: " + e));
    } finally {
      if (!sentAgain) {
        releaseUpstream();
        completeQuietly();
      }
    }
  }

  /**
   * Answers {@code error}, or, when an answer is already committed (a shard broke off mid-stream),
   * aborts the response so that the client sees a broken connection and never an answer that looks
   * whole.
   */
  private void fail(Throwable cause, ApiError error) {
    try {
      if (response.isCommitted()) {
        response.abort(cause);
      } else {
        Engine.writeError(response, error);
      }
    } catch (IllegalStateException recycled) {
      // The container ended the response itself (its async timeout, the client gone) and has
      // recycled it: there is nobody left to answer.
      LOG.log(System.Logger.Level.DEBUG, "answer failed after the response ended", cause);
    }
  }

  private void finish(ApiError error) {
    Engine.writeError(response, error);
    releaseUpstream();
    completeQuietly();
  }

  /**
   * Answers with what the shards answered; what it holds in memory is reserved until it returns,
   * however it does.
   */
  private void answer() throws IOException {
    io.promroute.api.MemoryBudget.Lease body;
    synchronized (bodyLock) {
      body = bodyMemory;
    }
    try (io.promroute.api.MemoryBudget.Lease memory =
        body == null ? engine.memory.lease() : engine.memory.lease(body)) {
      answer(memory);
    }
  }

  private void answer(io.promroute.api.MemoryBudget.Lease memory) throws IOException {
    if (plan.crossShard() != null) {
      new CrossShardAnswer(
              plan,
              futures,
              response,
              partial,
              this::classify,
              Cancellation.until(deadlineNanos, () -> abandoned),
              engine.maxSamples,
              engine.maxSeries,
              engine.upstreamTimeout,
              memory)
          .answer();
      return;
    }
    List<String> warnings = new ArrayList<>(plan.warnings());
    List<ShardAnswer> answers = new ArrayList<>();
    boolean single = plan.calls().size() == 1;
    ApiError failure = null;
    ApiError cancellation = null;
    for (int i = 0; i < plan.calls().size(); i++) {
      Route.Call call = plan.calls().get(i);
      ApiError error;
      UpstreamResponse upstream = null;
      try {
        upstream = ShardAnswers.decoded(futures.get(i).join());
        error =
            ShardAnswers.problem(
                endpointOf(call), call.shard(), upstream, !single, plan.evaluationErrors());
      } catch (CompletionException | CancellationException e) {
        error = classify(call.shard(), e);
        if (isCancellation(e)) {
          cancellation =
              cancellation == null ? error : cancellation; // another shard's failure is the answer
          continue;
        }
      } catch (IOException e) {
        error =
            ShardAnswers.malformed(call.shard(), "answered a body that does not inflate as gzip");
      }
      if (error == null
          && !single
          && (partial || readWhole() && ShardAnswers.hasReplicas(upstream))) {
        // A shard that breaks off mid-answer can still be left out, or answered by its next
        // replica: nothing of the merge is written yet.
        try {
          upstream = ShardAnswers.buffered(call.shard(), upstream, PARTIAL_BUFFER_BYTES, memory);
          error =
              ShardAnswers.problem(
                  endpointOf(call), call.shard(), upstream, true, plan.evaluationErrors());
        } catch (ShardBody.ReadException e) {
          error = ShardAnswers.readFailure(call.shard(), e, engine.upstreamTimeout);
        }
      }
      if (error == null) {
        answers.add(
            new ShardAnswer(
                call.shard(), new ShardBody(call.shard(), upstream.body()), call.addShardLabel()));
        continue;
      }
      if (upstream != null) {
        upstream.close();
      }
      if (!partial || single || ShardAnswers.isQueryError(error.status())) {
        // Strict, or one shard, or a shard's own 400 or 422: the request's fault (a 400) or an
        // error of
        // evaluating it (a 422), which one Prometheus holding every shard's data would answer too.
        answerShardError(plan, response, error, futures, i);
        return;
      }
      warnings.add(error.message());
      failure = failure == null ? error : failure;
    }
    if (answers.isEmpty() || cancellation != null && !partial) {
      Engine.writeError(response, failure != null ? failure : cancellation);
      return;
    }
    response.setStatus(200);
    response.setContentType("application/json");
    OutputStream out = response.getOutputStream();
    switch (plan.combine()) {
      case SINGLE -> {
        ShardAnswer only = answers.get(0);
        ResponseTransformer.addShardLabel(
            plan.endpoint(),
            only.body(),
            out,
            engine.shardLabel,
            only.addShardLabel() ? only.shard() : null,
            warnings);
      }
      // Copied whole but checked as it goes, like any answer: never relayed unread.
      case PASS_THROUGH ->
          ResponseTransformer.addShardLabel(
              plan.endpoint(), answers.get(0).body(), out, engine.shardLabel, null, warnings);
      case MERGE ->
          ResponseTransformer.merge(
              plan.endpoint(),
              answers,
              out,
              engine.shardLabel,
              warnings,
              limit(),
              engine.maxSeries,
              memory);
      case CROSS_SHARD ->
          throw new IllegalStateException("cross-shard plans are answered by CrossShardAnswer");
      case SHARD_KEYS -> {
        List<String> keys = new ArrayList<>();
        for (ShardAnswer answer : answers) {
          if (ResponseTransformer.hasData(answer.body())) {
            keys.add(answer.shard());
          }
        }
        ResponseTransformer.stringList(keys, out, warnings);
      }
    }
    // No flush: completing the request closes the output, and a small answer still all in the
    // container's buffer then goes out in one write, with a Content-Length instead of chunks.
  }

  /**
   * Whether the answer is computed from the shards' whole answers before anything of it is written
   * (a union of series, labels, label values or metadata; the shards that have data), so that a
   * shard's answer breaking off can still be asked of its next replica; a fan-out of queries
   * streams instead, unless partial answers buffer it.
   */
  private boolean readWhole() {
    return plan.combine() == Route.Combine.SHARD_KEYS
        || plan.combine() == Route.Combine.MERGE
            && switch (plan.endpoint()) {
              case SERIES, LABELS, LABEL_VALUES, METADATA -> true;
              default -> false;
            };
  }

  /**
   * The endpoint a call asks, which can differ from the request's (label/<shard label>/values asks
   * labels).
   */
  private io.promroute.api.Endpoint endpointOf(Route.Call call) {
    return endpointOf(plan, call);
  }

  /** The endpoint {@code call} asks its shard: its own, or the route's. */
  static io.promroute.api.Endpoint endpointOf(Route plan, Route.Call call) {
    return io.promroute.api.Endpoint.of(call.apiPath() != null ? call.apiPath() : plan.apiPath())
        .orElse(plan.endpoint());
  }

  private static boolean isCancellation(Throwable failure) {
    return failure instanceof CancellationException
        || failure.getCause() instanceof CancellationException;
  }

  /** The limit of a union of series, labels, label values or metadata; shards refused a bad one. */
  private int limit() {
    return switch (plan.endpoint()) {
      case SERIES, LABELS, LABEL_VALUES -> {
        try {
          yield ApiParameters.limit(plan.calls().get(0).params().first("limit"));
        } catch (io.promroute.api.ApiException ignoredByPrometheus2) {
          yield 0;
        }
      }
      case METADATA -> {
        // Prometheus: not a number is refused (by the shards), a negative one means no limit.
        try {
          yield (int)
              Math.max(
                  0,
                  Math.min(
                      Integer.MAX_VALUE,
                      Long.parseLong(plan.calls().get(0).params().first("limit"))));
        } catch (NumberFormatException noLimit) {
          yield 0;
        }
      }
      default -> 0;
    };
  }

  private ApiError classify(String shard, Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ShardBody.ReadException read) {
      return ShardAnswers.readFailure(read.shard, read, engine.upstreamTimeout);
    }
    if (cause instanceof HttpConnectTimeoutException) {
      return ApiError.shardUnreachable(shard, "connect timed out");
    }
    if (cause instanceof SilentShards.SilentShardException silent) {
      return silent.error();
    }
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return ApiError.shardTimeout(shard, engine.upstreamTimeout);
    }
    if (cause instanceof ConnectException) {
      return ApiError.shardUnreachable(shard, "connection refused");
    }
    if (cause instanceof UnresolvedAddressException
        || cause instanceof java.net.UnknownHostException) {
      return ApiError.shardUnreachable(shard, "unknown host");
    }
    if (cause instanceof CancellationException) {
      return new ApiError(499, "canceled", "request to shard \"" + shard + "\" was canceled");
    }
    // Exception messages can carry the shard's address; only the kind of failure is shown.
    return ApiError.shardUnreachable(
        shard, "connection failed (" + cause.getClass().getSimpleName() + ")");
  }

  /**
   * Cancels what has not answered and closes what has, so no shard connection outlives the
   * exchange.
   */
  private void releaseUpstream() {
    for (CompletableFuture<UpstreamResponse> future : futures) {
      if (!future.isDone()) {
        future.cancel(true);
      } else if (!future.isCompletedExceptionally()) {
        future.join().close();
      }
    }
  }

  private void completeQuietly() {
    response
        .complete(); // a transport whose container completed it after a client error ignores this
  }

  /** The exchange took longer than {@link Engine#answerTimeout()}. */
  public void onTimeout() {
    abandoned = true;
    if (claim()) {
      finish(new ApiError(504, "timeout", "the shards' answers did not arrive in time"));
    } else {
      releaseUpstream(); // unblocks the copying thread, which completes the exchange
    }
  }

  /** The client went away. */
  public void onError() {
    // The client went away, as far as the transport noticed: over HTTP/1.1 a container sees a
    // client close while no I/O is pending only if someone reads the connection
    // (jetty/jetty.project#824), which the transports here do while the shards are asked; in
    // others this comes when the answer is written or at the async timeout, and the upstream
    // timeout releases the shard connection in any case.
    abandoned = true;
    if (claim()) {
      releaseUpstream();
      completeQuietly();
    } else {
      releaseUpstream();
    }
  }

  /** The response has ended, however. */
  public void onComplete() {
    abandoned = true;
    releaseUpstream();
    endBody();
  }
}
