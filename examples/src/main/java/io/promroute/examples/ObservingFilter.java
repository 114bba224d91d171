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
  private static final int MAX_LOGGED_QUERY = 300;

  private final RouterMetrics metrics;
  private final Supplier<String> pathPrefix;
  private final Consumer<String> accessLog;

  /**
   * @param pathPrefix the API prefix currently configured, stripped before naming the endpoint
   * @param accessLog where access log lines go
   */
  ObservingFilter(RouterMetrics metrics, Supplier<String> pathPrefix, Consumer<String> accessLog) {
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.pathPrefix = requireNonNull(pathPrefix, "pathPrefix is null");
    this.accessLog = requireNonNull(accessLog, "accessLog is null");
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
    if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse httpResponse)) {
      chain.doFilter(request, response);
      return;
    }
    long start = System.nanoTime();
    // Sorted, so that the same fan-out always gets the same label value.
    Set<String> shards = new ConcurrentSkipListSet<>();
    Set<String> outer = CURRENT_SHARDS.get();
    CURRENT_SHARDS.set(shards);
    AtomicBoolean recorded = new AtomicBoolean();
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException e) {
      finish(http, 500, shards, start, recorded);
      throw e;
    } finally {
      CURRENT_SHARDS.set(outer);
    }
    if (request.isAsyncStarted()) {
      // The container completes async requests only after this dispatch returns, so the listener
      // cannot miss the completion.
      request.getAsyncContext().addListener(new AsyncListener() {
        @Override
        public void onComplete(AsyncEvent event) {
          finish(http, httpResponse.getStatus(), shards, start, recorded);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
          finish(http, 503, shards, start, recorded);
        }

        @Override
        public void onError(AsyncEvent event) {
          finish(http, 500, shards, start, recorded);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
          event.getAsyncContext().addListener(this);
        }
      });
    } else {
      finish(http, httpResponse.getStatus(), shards, start, recorded);
    }
  }

  private void finish(HttpServletRequest request, int status, Set<String> shards, long start, AtomicBoolean recorded) {
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
    String query = request.getQueryString();
    if (query != null && query.length() > MAX_LOGGED_QUERY) {
      query = query.substring(0, MAX_LOGGED_QUERY) + "...";
    }
    // Built by hand: String.format cost about a tenth of the router's CPU on small queries.
    StringBuilder line = new StringBuilder(80 + path.length() + (query == null ? 0 : query.length()));
    line.append(request.getRemoteAddr()).append(" \"").append(request.getMethod()).append(' ').append(path);
    if (query != null) {
      line.append('?').append(query);
    }
    line.append("\" ").append(status).append(" shards=").append(shards.isEmpty() ? "-" : String.join(",", shards))
        .append(' ');
    long tenths = Math.round(seconds * 10_000); // tenths of a millisecond, as %.1f rounds
    line.append(tenths / 10).append('.').append(tenths % 10).append("ms");
    accessLog.accept(line.toString());
  }
}
