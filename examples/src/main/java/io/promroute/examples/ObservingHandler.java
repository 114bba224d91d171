package io.promroute.examples;

import static java.util.Objects.requireNonNull;

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

  /** The shards of the request being handled on this thread; the metered client adds to it. */
  private static final ThreadLocal<Set<String>> CURRENT_SHARDS = new ThreadLocal<>();
  /** The request attribute holding the same set, for code that continues a request on another thread. */
  private static final String SHARDS_ATTRIBUTE = ObservingHandler.class.getName() + ".shards";
  private static final int MAX_LOGGED_QUERY = 300;

  private final RouterMetrics metrics;
  private final Supplier<String> pathPrefix;
  private final Consumer<String> accessLog;

  /**
   * @param pathPrefix the API prefix currently configured, stripped before naming the endpoint
   * @param accessLog where access log lines go
   */
  ObservingHandler(RouterMetrics metrics, Supplier<String> pathPrefix, Consumer<String> accessLog, Handler next) {
    super(next);
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

  /**
   * Runs {@code work} of {@code request} on this thread as part of it (the API handler starts an
   * exchange after the body arrived, on the thread that read it): the shards it asks are its.
   */
  static void within(Request request, Runnable work) {
    Set<String> outer = CURRENT_SHARDS.get();
    @SuppressWarnings("unchecked")
    Set<String> shards = (Set<String>) request.getAttribute(SHARDS_ATTRIBUTE);
    CURRENT_SHARDS.set(shards);
    try {
      work.run();
    } finally {
      CURRENT_SHARDS.set(outer);
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    long start = System.nanoTime();
    // Sorted, so that the same fan-out always gets the same label value.
    Set<String> shards = new ConcurrentSkipListSet<>();
    request.setAttribute(SHARDS_ATTRIBUTE, shards);
    AtomicBoolean recorded = new AtomicBoolean();
    // Completion comes after the answer is written, whichever thread ends it.
    Request.addCompletionListener(request,
        failure -> finish(request, failure == null ? response.getStatus() : 500, shards, start, recorded));
    Set<String> outer = CURRENT_SHARDS.get();
    CURRENT_SHARDS.set(shards);
    try {
      return super.handle(request, response, callback);
    } finally {
      CURRENT_SHARDS.set(outer);
    }
  }

  private void finish(Request request, int status, Set<String> shards, long start, AtomicBoolean recorded) {
    if (!recorded.compareAndSet(false, true)) {
      return;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String path = request.getHttpURI().getPath();
    String prefix = pathPrefix.get();
    String apiPath = !prefix.isEmpty() && path.startsWith(prefix + "/") ? path.substring(prefix.length()) : path;
    String endpoint = RouterMetrics.endpoint(apiPath);
    String shardLabel = shards.isEmpty() ? "none" : String.join(",", shards);
    metrics.requests.labelValues(endpoint, shardLabel, Integer.toString(status)).inc();
    metrics.requestDuration.labelValues(endpoint).observe(seconds);
    if (endpoint.equals("/metrics") || endpoint.equals("/-/healthy") || endpoint.equals("/-/ready")) {
      return; // scrapes and probes would drown the lines that matter
    }
    String query = request.getHttpURI().getQuery();
    if (query != null && query.length() > MAX_LOGGED_QUERY) {
      query = query.substring(0, MAX_LOGGED_QUERY) + "...";
    }
    // Built by hand: String.format cost about a tenth of the router's CPU on small queries.
    StringBuilder line = new StringBuilder(80 + path.length() + (query == null ? 0 : query.length()));
    line.append(Request.getRemoteAddr(request)).append(" \"").append(request.getMethod()).append(' ').append(path);
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
