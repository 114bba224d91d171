package io.promroute.router;

import io.promroute.api.ApiError;
import io.promroute.api.ApiParameters;
import io.promroute.api.Cancellation;
import io.promroute.api.ResponseTransformer;
import io.promroute.api.ShardAnswer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
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

  private static final int MAX_ERROR_BYTES = 64 * 1024;

  private final Engine engine;
  // Written in start() before any future exists; read by the client threads after theirs completed.
  private volatile Route plan;
  private final ApiRequest request;
  private final AsyncResponse response;
  private final AtomicBoolean claimed = new AtomicBoolean();
  // Written by the transport's thread in start(), read by its event and client threads.
  private final List<CompletableFuture<UpstreamResponse>> futures = new java.util.concurrent.CopyOnWriteArrayList<>();
  // Set when the transport gives up on the request (answer timeout, client gone, completed): a
  // router-side evaluation still running stops at its next check.
  private volatile boolean abandoned;
  private volatile long deadlineNanos;

  Exchange(Engine engine, ApiRequest request, AsyncResponse response) {
    this.engine = engine;
    this.request = request;
    this.response = response;
  }

  /**
   * How the request is answered, once {@link #start()} has routed it: {@code local},
   * {@code single}, {@code pass_through}, {@code merge}, {@code shard_keys} or
   * {@code cross_shard}; {@code null} for a request refused before it was routed.
   */
  public String routeKind() {
    Route route = plan;
    if (route == null) {
      return null;
    }
    return route.local() != null ? "local" : route.combine().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Plans the request, then answers it at once (errors, local answers) or sends its shard requests. */
  public void start() {
    // A router-side evaluation stops 5 s before the transport's answer timeout, with a JSON 503.
    deadlineNanos = System.nanoTime() + engine.answerTimeout().minusSeconds(5).toNanos();
    try {
      plan = engine.route(request, response);
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
    Map<String, List<String>> clientHeaders = Headers.fromClient(request, engine.forwardedHeaders);
    for (Route.Call call : plan.calls()) {
      futures.add(plan.fallbacks().isEmpty() ? send(call, clientHeaders) : new AnyShard(call, clientHeaders).first());
    }
    if (plan.crossShard() != null && !engine.partialResponse) {
      CrossShardAnswer.cancelRestOnFailure(futures);
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .whenComplete((ignored, failure) -> {
          if (failure == null && inMemory()) {
            respond(); // nothing left to wait for: answer on this thread, without a hand-off
            return;
          }
          try {
            engine.executor.execute(this::respond);
          } catch (RejectedExecutionException e) {
            if (claim()) {
              finish(ApiError.internal("PromRoute is shutting down"));
            }
          }
        });
  }

  private CompletableFuture<UpstreamResponse> send(Route.Call call, Map<String, List<String>> clientHeaders) {
    try {
      return engine.client.send(engine.upstreamRequest(plan, call, request.method(), clientHeaders));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The one call of a plan any shard answers the same (build info, {@code 1+1}), sent to the
   * plan's fallbacks in turn while a shard cannot be reached or answers a 5xx: Grafana's "Save &
   * test" must not fail because the first shard is down. Cancelling it cancels the attempt under way.
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
      CompletableFuture<UpstreamResponse> sent =
          Exchange.this.send(new Route.Call(shard, call.params(), call.addShardLabel(), call.apiPath()), clientHeaders);
      attempt = sent;
      sent.whenComplete((response, failure) -> {
        if (isDone()) { // cancelled meanwhile
          if (response != null) {
            response.close();
          }
          return;
        }
        boolean failed = failure != null ? !(failure instanceof CancellationException) : response.status() >= 500;
        if (failed && next < plan.fallbacks().size()) {
          if (response != null) {
            response.close();
          }
          send(plan.fallbacks().get(next), next + 1);
        } else if (failure != null) {
          completeExceptionally(failure);
        } else if (!complete(response)) {
          response.close();
        }
      });
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
   * Whether every shard answered with a body already in memory, so that answering reads nothing
   * from the network (and writes little: such bodies are small).
   */
  private boolean inMemory() {
    for (CompletableFuture<UpstreamResponse> future : futures) {
      if (!(future.join().body() instanceof ByteArrayInputStream)) {
        return false;
      }
    }
    return true;
  }

  private boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  private void respond() {
    if (!claim()) {
      releaseUpstream();
      return;
    }
    try {
      answer();
    } catch (io.promroute.api.ApiException e) {
      // A limit, found before anything was written.
      Engine.writeError(response, e.error());
    } catch (ShardBody.ReadException e) {
      LOG.log(System.Logger.Level.DEBUG, "shard connection lost", e);
      Engine.writeError(response, ApiError.shardUnreachable(e.shard, "connection lost while reading its answer"));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      Engine.writeError(response, new ApiError(502, "unavailable", "the shard answered invalid JSON: " + e.getOriginalMessage()));
    } catch (IOException e) {
      // Either a shard's malformed answer in a merge (the message names it) or a client gone mid-stream.
      LOG.log(System.Logger.Level.DEBUG, "answer failed", e);
      Engine.writeError(response, new ApiError(502, "unavailable",
          e.getMessage() != null ? e.getMessage() : "reading a shard's answer failed (" + e.getClass().getSimpleName() + ")"));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "answer failed", e);
      Engine.writeError(response, ApiError.internal("PromRoute failed: " + e));
    } finally {
      releaseUpstream();
      completeQuietly();
    }
  }

  private void finish(ApiError error) {
    Engine.writeError(response, error);
    releaseUpstream();
    completeQuietly();
  }

  private void answer() throws IOException {
    if (plan.crossShard() != null) {
      new CrossShardAnswer(plan, futures, response, engine.partialResponse, this::classify,
          Cancellation.until(deadlineNanos, () -> abandoned), engine.maxSamples, engine.maxSeries)
          .answer();
      return;
    }
    List<String> warnings = new ArrayList<>(plan.warnings());
    List<ShardAnswer> answers = new ArrayList<>();
    ApiError firstFailure = null;
    for (int i = 0; i < plan.calls().size(); i++) {
      Route.Call call = plan.calls().get(i);
      UpstreamResponse upstream;
      try {
        upstream = futures.get(i).join();
      } catch (CompletionException | CancellationException e) {
        ApiError error = classify(call.shard(), e);
        if (!engine.partialResponse || plan.calls().size() == 1) {
          Engine.writeError(response, error);
          return;
        }
        warnings.add(error.message());
        firstFailure = firstFailure == null ? error : firstFailure;
        continue;
      }
      if (upstream.status() / 100 != 2) {
        if (plan.calls().size() == 1) {
          passThrough(upstream); // errors of the shard itself (422 execution...) pass unchanged
          return;
        }
        if (upstream.status() == 400) {
          passThrough(upstream); // the request's fault, found the same by every shard (a parameter of its version)
          return;
        }
        if (!engine.partialResponse) {
          // Several shards: the same error, naming the shard that gave it.
          byte[] body = upstream.body().readNBytes(MAX_ERROR_BYTES);
          ApiError named = ApiError.fromShard(upstream.status(), body, "shard \"" + call.shard() + "\": ");
          Engine.writeError(response, named != null ? named
              : new ApiError(upstream.status(), "execution", "shard \"" + call.shard() + "\" answered HTTP " + upstream.status()));
          return;
        }
        warnings.add("shard \"" + call.shard() + "\" answered HTTP " + upstream.status());
        firstFailure = firstFailure == null
            ? new ApiError(upstream.status(), "execution", "shard \"" + call.shard() + "\" answered HTTP " + upstream.status())
            : firstFailure;
        upstream.close();
        continue;
      }
      answers.add(new ShardAnswer(call.shard(), new ShardBody(call.shard(), upstream.body()), call.addShardLabel()));
    }
    if (answers.isEmpty()) {
      Engine.writeError(response, firstFailure);
      return;
    }
    response.setStatus(200);
    response.setContentType("application/json");
    OutputStream out = response.getOutputStream();
    switch (plan.combine()) {
      case SINGLE -> {
        ShardAnswer only = answers.get(0);
        ResponseTransformer.addShardLabel(plan.endpoint(), only.body(), out, engine.shardLabel,
            only.addShardLabel() ? only.shard() : null, warnings);
      }
      case PASS_THROUGH -> answers.get(0).body().transferTo(out);
      case MERGE -> ResponseTransformer.merge(
          plan.endpoint(), answers, out, engine.shardLabel, warnings, limit(), engine.maxSeries);
      case CROSS_SHARD -> throw new IllegalStateException("cross-shard plans are answered by CrossShardAnswer");
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
          yield (int) Math.max(0, Math.min(Integer.MAX_VALUE, Long.parseLong(plan.calls().get(0).params().first("limit"))));
        } catch (NumberFormatException noLimit) {
          yield 0;
        }
      }
      default -> 0;
    };
  }

  private void passThrough(UpstreamResponse upstream) throws IOException {
    response.setStatus(upstream.status());
    List<String> contentType = upstream.headers().get("content-type");
    if (contentType != null && !contentType.isEmpty()) {
      response.setContentType(contentType.get(0));
    }
    upstream.body().transferTo(response.getOutputStream());
  }

  private ApiError classify(String shard, Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof HttpConnectTimeoutException) {
      return ApiError.shardUnreachable(shard, "connect timed out");
    }
    if (cause instanceof HttpTimeoutException || cause instanceof TimeoutException) {
      return ApiError.shardTimeout(shard, engine.upstreamTimeout);
    }
    if (cause instanceof ConnectException) {
      return ApiError.shardUnreachable(shard, "connection refused");
    }
    if (cause instanceof UnresolvedAddressException || cause instanceof java.net.UnknownHostException) {
      return ApiError.shardUnreachable(shard, "unknown host");
    }
    if (cause instanceof CancellationException) {
      return new ApiError(499, "canceled", "request to shard \"" + shard + "\" was canceled");
    }
    // Exception messages can carry the shard's address; only the kind of failure is shown.
    return ApiError.shardUnreachable(shard, "connection failed (" + cause.getClass().getSimpleName() + ")");
  }

  /** Cancels what has not answered and closes what has, so no shard connection outlives the exchange. */
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
    response.complete(); // a transport whose container completed it after a client error ignores this
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
    // The client went away, as far as the container noticed: over HTTP/1.1 Jetty cannot see a
    // client close while no I/O is pending (jetty/jetty.project#824), so while a shard has not
    // answered this comes when the answer is written or at the async timeout; the upstream
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
  }
}
