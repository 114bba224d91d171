package io.promroute.examples;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import io.promroute.servlet.PromRouteFilter;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The first filter of the router: counts and times every request and writes its access log line,
 * with the shards it went to, once the response is complete (after the async work for API
 * requests).
 */
final class ObservingFilter implements Filter {

  /** The request being filtered on this thread; the metered client notes its shard requests in it. */
  private static final ThreadLocal<ShardCalls> CURRENT = new ThreadLocal<>();

  /** What one request asked of the shards, noted by the metered client as its calls go and come. */
  static final class ShardCalls {
    /** Sorted, so that the same fan-out always reads the same. */
    final Set<String> shards = new ConcurrentSkipListSet<>();
    private volatile boolean failed;
    private volatile long lastAnswerNanos;

    void answered(boolean success) {
      lastAnswerNanos = System.nanoTime();
      if (!success) {
        failed = true;
      }
    }
  }

  private final RouterMetrics metrics;
  private final Supplier<String> pathPrefix;
  private final Consumer<String> accessLog;
  private final AccessLogFormat format;
  private final int maxLoggedQuery;

  /**
   * @param pathPrefix the API prefix currently configured, stripped before naming the endpoint
   * @param accessLog where access log lines go
   * @param maxLoggedQuery the longest query written to the access log; longer ones are cut
   */
  ObservingFilter(RouterMetrics metrics, Supplier<String> pathPrefix, Consumer<String> accessLog,
      AccessLogFormat format, int maxLoggedQuery) {
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.pathPrefix = requireNonNull(pathPrefix, "pathPrefix is null");
    this.accessLog = requireNonNull(accessLog, "accessLog is null");
    this.format = requireNonNull(format, "format is null");
    if (maxLoggedQuery <= 0) {
      throw new IllegalArgumentException("maxLoggedQuery must be positive: " + maxLoggedQuery);
    }
    this.maxLoggedQuery = maxLoggedQuery;
  }

  /** The shard calls of the request being filtered on this thread, {@code null} outside one. */
  static ShardCalls current() {
    return CURRENT.get();
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest plainRequest) || !(response instanceof HttpServletResponse plainResponse)) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletRequest http = ObservedRequest.hasForm(plainRequest) ? new ObservedRequest(plainRequest) : plainRequest;
    ObservedResponse httpResponse = new ObservedResponse(plainResponse);
    long start = System.nanoTime();
    ShardCalls shards = new ShardCalls();
    ShardCalls outer = CURRENT.get();
    CURRENT.set(shards);
    metrics.inFlight.inc();
    AtomicBoolean recorded = new AtomicBoolean();
    try {
      chain.doFilter(http, httpResponse);
    } catch (IOException | ServletException | RuntimeException e) {
      finish(http, httpResponse, 500, shards, start, recorded);
      throw e;
    } finally {
      CURRENT.set(outer);
    }
    if (http.isAsyncStarted()) {
      // The container completes async requests only after this dispatch returns, so the listener
      // cannot miss the completion.
      http.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          finish(http, httpResponse, httpResponse.getStatus(), shards, start, recorded);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
          finish(http, httpResponse, 503, shards, start, recorded);
        }

        @Override
        public void onError(AsyncEvent event) {
          finish(http, httpResponse, 500, shards, start, recorded);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
          event.getAsyncContext().addListener(this);
        }
      });
    } else {
      finish(http, httpResponse, httpResponse.getStatus(), shards, start, recorded);
    }
  }

  private void finish(HttpServletRequest request, ObservedResponse response, int status, ShardCalls calls,
      long start, AtomicBoolean recorded) {
    if (!recorded.compareAndSet(false, true)) {
      return;
    }
    long end = System.nanoTime();
    double seconds = (end - start) / 1e9;
    String path = request.getRequestURI();
    String prefix = pathPrefix.get();
    String apiPath = !prefix.isEmpty() && path.startsWith(prefix + "/") ? path.substring(prefix.length()) : path;
    String endpoint = RouterMetrics.endpoint(apiPath);
    metrics.inFlight.dec();
    metrics.requests.labelValues(endpoint, Integer.toString(status)).inc();
    metrics.requestDuration.labelValues(endpoint).observe(seconds);
    countPlan(request, endpoint, status, calls, end);
    Set<String> shards = calls.shards;
    if (endpoint.equals("/metrics") || endpoint.equals("/-/healthy") || endpoint.equals("/-/ready")) {
      return; // scrapes and probes would drown the lines that matter
    }
    accessLog.accept(format.line(new AccessLogFormat.Entry(Instant.now(), request.getRemoteAddr(),
        request.getMethod(), path, loggedQuery(request), List.copyOf(shards), status, seconds, response.bytes(),
        response.error(status))));
  }

  /** How the routing filter answered, whether a shard's data is missing, how long the router computed. */
  private void countPlan(HttpServletRequest request, String endpoint, int status, ShardCalls calls, long end) {
    if (!(request.getAttribute(PromRouteFilter.PLAN_KIND_ATTRIBUTE) instanceof String kind)) {
      return; // not an API request, or refused before it was planned
    }
    metrics.plans.labelValues(kind).inc();
    // A single-shard plan that failed over to the next shard (build info) lacks nothing.
    if (status == 200 && calls.failed && !kind.equals("single") && !kind.equals("pass_through")) {
      metrics.partialAnswers.labelValues(endpoint).inc(); // answered without the failed shard's data
    }
    if (kind.equals("cross_shard") && status == 200 && calls.lastAnswerNanos != 0) {
      metrics.crossShardEvaluation.observe((end - calls.lastAnswerNanos) / 1e9);
    }
  }

  /**
   * The PromQL of the request, from the URL or the form body: {@code query}, or the
   * {@code match[]} selectors of the series endpoints; cut to the configured length.
   */
  private String loggedQuery(HttpServletRequest request) {
    List<String> values = ObservedRequest.formValues(request.getQueryString(), "query", "match[]");
    if (values.isEmpty() && request instanceof ObservedRequest observed) {
      values = ObservedRequest.formValues(observed.keptBody(), "query", "match[]");
    }
    if (values.isEmpty()) {
      return null;
    }
    String query = String.join(" ", values);
    return query.length() <= maxLoggedQuery ? query : query.substring(0, maxLoggedQuery) + "...";
  }
}
