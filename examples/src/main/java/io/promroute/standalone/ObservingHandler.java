package io.promroute.standalone;

import static java.util.Objects.requireNonNull;

import io.promroute.servlet.PromRouteFilter;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The first handler of the router: counts and times every request and writes its access log line,
 * with the shards it went to, once the response is complete (after the async work for API
 * requests).
 */
final class ObservingHandler extends Handler.Wrapper {

  /**
   * The request being handled on this thread; the metered client notes its shard requests in it.
   */
  private static final ThreadLocal<ShardCalls> CURRENT = new ThreadLocal<>();

  /**
   * The request attribute holding the same calls, for code that continues a request on another
   * thread.
   */
  private static final String CALLS_ATTRIBUTE = ObservingHandler.class.getName() + ".calls";

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
  ObservingHandler(
      RouterMetrics metrics,
      Supplier<String> pathPrefix,
      Consumer<String> accessLog,
      AccessLogFormat format,
      int maxLoggedQuery,
      Handler next) {
    super(next);
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.pathPrefix = requireNonNull(pathPrefix, "pathPrefix is null");
    this.accessLog = requireNonNull(accessLog, "accessLog is null");
    this.format = requireNonNull(format, "format is null");
    if (maxLoggedQuery <= 0) {
      throw new IllegalArgumentException("maxLoggedQuery must be positive: " + maxLoggedQuery);
    }
    this.maxLoggedQuery = maxLoggedQuery;
  }

  /** The shard calls of the request being handled on this thread, {@code null} outside one. */
  static ShardCalls current() {
    return CURRENT.get();
  }

  /**
   * Runs {@code work} of {@code request} on this thread as part of it (the API handler starts an
   * exchange after the body arrived, on the thread that read it): the shards it asks are its.
   */
  static void within(Request request, Runnable work) {
    ShardCalls outer = CURRENT.get();
    CURRENT.set((ShardCalls) request.getAttribute(CALLS_ATTRIBUTE));
    try {
      work.run();
    } finally {
      CURRENT.set(outer);
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    long start = System.nanoTime();
    ShardCalls calls = new ShardCalls();
    request.setAttribute(CALLS_ATTRIBUTE, calls);
    ObservedResponse observed = new ObservedResponse(request, response);
    AtomicBoolean recorded = new AtomicBoolean();
    metrics.inFlight.inc();
    // Completion comes after the answer is written, whichever thread ends it.
    Request.addCompletionListener(
        request,
        failure ->
            finish(
                request,
                response,
                observed,
                failure == null ? response.getStatus() : 500,
                calls,
                start,
                recorded));
    ShardCalls outer = CURRENT.get();
    CURRENT.set(calls);
    try {
      return super.handle(request, observed, callback);
    } finally {
      CURRENT.set(outer);
    }
  }

  private void finish(
      Request request,
      Response response,
      ObservedResponse observed,
      int status,
      ShardCalls calls,
      long start,
      AtomicBoolean recorded) {
    if (!recorded.compareAndSet(false, true)) {
      return;
    }
    long end = System.nanoTime();
    double seconds = (end - start) / 1e9;
    String path = request.getHttpURI().getPath();
    String prefix = pathPrefix.get();
    String apiPath =
        !prefix.isEmpty() && path.startsWith(prefix + "/") ? path.substring(prefix.length()) : path;
    String endpoint = RouterMetrics.endpoint(apiPath);
    metrics.inFlight.dec();
    metrics.requests.labelValues(endpoint, Integer.toString(status)).inc();
    metrics.requestDuration.labelValues(endpoint).observe(seconds);
    countPlan(request, endpoint, status, calls, end);
    if (endpoint.equals("/metrics")
        || endpoint.equals("/-/healthy")
        || endpoint.equals("/-/ready")) {
      return; // scrapes and probes would drown the lines that matter
    }
    accessLog.accept(
        format.line(
            new AccessLogFormat.Entry(
                Instant.now(),
                Request.getRemoteAddr(request),
                request.getMethod(),
                path,
                loggedQuery(request),
                List.copyOf(calls.shards),
                status,
                seconds,
                Response.getContentBytesWritten(response),
                observed.error(status))));
  }

  /**
   * How the API handler answered, whether a shard's data is missing, how long the router computed.
   */
  private void countPlan(Request request, String endpoint, int status, ShardCalls calls, long end) {
    if (!(request.getAttribute(PromRouteFilter.PLAN_KIND_ATTRIBUTE) instanceof String kind)) {
      return; // not an API request, or refused before it was planned
    }
    metrics.plans.labelValues(kind).inc();
    // A single-shard plan that failed over to the next shard (build info) lacks nothing.
    if (status == 200 && calls.failed && !kind.equals("single") && !kind.equals("pass_through")) {
      metrics
          .partialAnswers
          .labelValues(endpoint)
          .inc(); // answered without the failed shard's data
    }
    if (kind.equals("cross_shard") && status == 200 && calls.lastAnswerNanos != 0) {
      metrics.crossShardEvaluation.observe((end - calls.lastAnswerNanos) / 1e9);
    }
  }

  /**
   * The PromQL of the request, from the URL or the form body: {@code query}, or the {@code match[]}
   * selectors of the series endpoints; cut to the configured length.
   */
  private String loggedQuery(Request request) {
    List<String> values = FormValues.of(request.getHttpURI().getQuery(), "query", "match[]");
    if (values.isEmpty()
        && request.getAttribute(ApiHandler.FORM_BODY_ATTRIBUTE) instanceof byte[] body) {
      values = FormValues.of(body, maxLoggedQuery, "query", "match[]");
    }
    if (values.isEmpty()) {
      return null;
    }
    String query = String.join(" ", values);
    return query.length() <= maxLoggedQuery ? query : query.substring(0, maxLoggedQuery) + "...";
  }
}
