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

  /** The shards of the request being filtered on this thread; the metered client adds to it. */
  private static final ThreadLocal<Set<String>> CURRENT_SHARDS = new ThreadLocal<>();

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

  static void noteShard(String shard) {
    Set<String> shards = CURRENT_SHARDS.get();
    if (shards != null) {
      shards.add(shard);
    }
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
    // Sorted, so that the same fan-out always gets the same label value.
    Set<String> shards = new ConcurrentSkipListSet<>();
    Set<String> outer = CURRENT_SHARDS.get();
    CURRENT_SHARDS.set(shards);
    AtomicBoolean recorded = new AtomicBoolean();
    try {
      chain.doFilter(http, httpResponse);
    } catch (IOException | ServletException | RuntimeException e) {
      finish(http, httpResponse, 500, shards, start, recorded);
      throw e;
    } finally {
      CURRENT_SHARDS.set(outer);
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

  private void finish(HttpServletRequest request, ObservedResponse response, int status, Set<String> shards,
      long start, AtomicBoolean recorded) {
    if (!recorded.compareAndSet(false, true)) {
      return;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String path = request.getRequestURI();
    String prefix = pathPrefix.get();
    String apiPath = !prefix.isEmpty() && path.startsWith(prefix + "/") ? path.substring(prefix.length()) : path;
    String endpoint = RouterMetrics.endpoint(apiPath);
    String shardLabel = shards.isEmpty() ? "none" : String.join(",", shards);
    metrics.requests.labelValues(endpoint, shardLabel, Integer.toString(status)).inc();
    metrics.requestDuration.labelValues(endpoint).observe(seconds);
    if (endpoint.equals("/metrics") || endpoint.equals("/-/healthy") || endpoint.equals("/-/ready")) {
      return; // scrapes and probes would drown the lines that matter
    }
    accessLog.accept(format.line(new AccessLogFormat.Entry(Instant.now(), request.getRemoteAddr(),
        request.getMethod(), path, loggedQuery(request), List.copyOf(shards), status, seconds, response.bytes(),
        response.error(status))));
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
