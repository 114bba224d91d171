package io.promroute.servlet;

import static java.util.Objects.requireNonNull;

import io.promroute.router.Engine;
import io.promroute.router.Exchange;
import io.promroute.router.PromqlDialect;
import io.promroute.router.ReplicaClient;
import io.promroute.router.ReplicaPolicy;
import io.promroute.router.ReplicaStatus;
import io.promroute.router.Router;
import io.promroute.router.Routing;
import io.promroute.router.ShardTarget;
import io.promroute.router.ShardVersions;
import io.promroute.router.UpstreamClient;
import io.promroute.shard.ShardRewriter;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves the Prometheus HTTP API ({@code /api/v1/query}, {@code query_range}, {@code series},
 * {@code labels}, ...) over sharded Prometheus servers, so that Grafana pointed at this application
 * sees one Prometheus. Every other request passes down the chain.
 *
 * <p>Configure it programmatically with {@link #builder()}, or in {@code web.xml} with the
 * init-param {@value #CONFIG_INIT_PARAM} naming a YAML configuration file (the standalone router's
 * format, see {@link RouterConfig}). The filter must be registered with {@code
 * asyncSupported=true}: it answers shard requests asynchronously, so no container thread waits for
 * a shard. In Jetty 12:
 *
 * <pre>{@code
 * FilterHolder holder = new FilterHolder(filter);
 * holder.setAsyncSupported(true);
 * context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
 * }</pre>
 *
 * <p>Answers are copied from the shards on a small pool of daemon threads owned by the filter
 * (Jackson's streaming parser reads blocking streams); {@link #destroy()} stops it, and the default
 * upstream client's threads when the filter made that client itself (a client given to the builder
 * is the caller's to stop).
 */
public final class PromRouteFilter implements Filter {

  /** The init-param that names the YAML configuration file. */
  public static final String CONFIG_INIT_PARAM = "config";

  private volatile Engine engine;

  /**
   * Reads the connections of requests waiting for shards ({@link ClientCloseWatch}); one daemon
   * thread, started with the first watched request, stopped with the filter.
   */
  private final java.util.concurrent.ScheduledThreadPoolExecutor watches = watchTimer();

  /** The watches' thread, once started, for {@link #destroy()} to wait for. */
  private final java.util.concurrent.atomic.AtomicReference<Thread> watchThread =
      new java.util.concurrent.atomic.AtomicReference<>();

  private java.util.concurrent.ScheduledThreadPoolExecutor watchTimer() {
    java.util.concurrent.ScheduledThreadPoolExecutor timer =
        new java.util.concurrent.ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "promroute-client-watch");
              thread.setDaemon(true);
              // Started by a request's thread, it would keep the application's class loader.
              thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
              watchThread.set(thread);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true); // most watches end with their answer
    return timer;
  }

  /**
   * For containers that instantiate the filter from {@code web.xml}; reads its config in {@link
   * #init}.
   */
  public PromRouteFilter() {}

  private PromRouteFilter(Engine engine) {
    this.engine = engine;
  }

  /**
   * A builder with the defaults; a rewriter and the shards' targets must be added.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A filter configured from a loaded configuration file.
   *
   * @param config the configuration
   * @return a new filter, ready without {@link #init}
   * @throws RouterConfigException if the configuration cannot be used (its settings contradict each
   *     other), with the builder's message
   */
  public static PromRouteFilter fromConfig(RouterConfig config) {
    Builder builder = builder(config);
    try {
      return builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new RouterConfigException(config.source() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A builder holding every setting of a loaded configuration file, for a host that adds its own
   * (an {@link Builder#upstreamClient upstream client}) before {@link Builder#build()} or {@link
   * Builder#buildEngine()} (the standalone router serves the engine with its own transport): the
   * one place where the file's keys become the filter's settings.
   *
   * @param config the configuration
   * @return a builder with the configuration's rewriter, shards and settings
   */
  public static Builder builder(RouterConfig config) {
    requireNonNull(config, "config is null");
    ShardRewriter.Builder rewriter =
        ShardRewriter.builder()
            .shardLabel(config.shardLabel())
            .shards(config.shardKeys())
            .unlabeledSelectors(config.unlabeledSelectors())
            .unknownShard(config.unknownShard())
            .mode(config.mode())
            .parserOptions(config.parserOptions());
    if (config.missingShardMatcher()
        == io.promroute.shard.MissingShardMatcherPolicy.DEFAULT_SHARD) {
      rewriter.defaultShard(config.defaultShard());
    } else {
      rewriter.missingShardMatcher(config.missingShardMatcher());
    }
    Builder builder =
        builder()
            .rewriter(rewriter.build())
            .promqlDialect(config.promqlDialect())
            .shardLabel(config.shardLabel())
            .pathPrefix(config.pathPrefix())
            .upstreamTimeout(config.upstreamTimeout())
            .partialResponse(config.partialResponse())
            .silenceProbe(config.silenceProbe())
            .exactCrossShardSums(config.exactCrossShardAggregation())
            .replicaPolicy(config.replicaPolicy())
            .forwardedHeaders(config.forwardedHeaders())
            .maxRequestBodyBytes(config.maxRequestBodyBytes())
            .maxSamples(config.maxSamples())
            .maxSeries(config.maxSeries())
            .maxMemoryBytes(config.maxMemoryBytes());
    config.shards().forEach(builder::shard);
    return builder;
  }

  /**
   * The request attribute in which the filter leaves how it answers an API request it routed, for
   * the filters before it (metrics, logs): {@code local} (answered without a shard), {@code single}
   * (one shard, streamed), {@code pass_through} (one shard, unchanged), {@code merge} (several
   * shards' answers concatenated or united), {@code shard_keys} ({@code label/<shard
   * label>/values}) or {@code cross_shard} (computed by the router from the shards' partial
   * answers).
   */
  public static final String PLAN_KIND_ATTRIBUTE = "io.promroute.planKind";

  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    if (engine != null) {
      return;
    }
    String file = filterConfig.getInitParameter(CONFIG_INIT_PARAM);
    if (file == null || file.isBlank()) {
      throw new ServletException(
          "PromRouteFilter needs the init-param \""
              + CONFIG_INIT_PARAM
              + "\" naming its YAML configuration file");
    }
    try {
      engine = fromConfig(RouterConfig.load(Path.of(file))).engine;
    } catch (RuntimeException e) {
      throw new ServletException("PromRouteFilter cannot use " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Engine current = engine;
    if (current == null) {
      throw new ServletException("PromRouteFilter was not initialized");
    }
    if (request instanceof HttpServletRequest http
        && response instanceof HttpServletResponse httpResponse) {
      handle(current, http, httpResponse, chain, watches);
    } else {
      chain.doFilter(request, response);
    }
  }

  /**
   * The health of every replica of the shards that have several ({@link ShardTarget#baseUrls()}),
   * in configuration order; empty when no shard has replicas. For metrics and status pages.
   *
   * @return the status of each replica, empty also before {@link #init}
   */
  public java.util.List<ReplicaStatus> replicaStatus() {
    Engine current = engine;
    return current != null ? current.replicaStatus() : java.util.List.of();
  }

  private static void handle(
      Engine engine,
      HttpServletRequest request,
      HttpServletResponse response,
      FilterChain chain,
      java.util.concurrent.ScheduledExecutorService watches)
      throws IOException, ServletException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (!engine.serves(path)) {
      chain.doFilter(request, response);
      return;
    }
    if (!request.isAsyncSupported()) {
      // Waiting for shards on a container thread is what this filter exists to avoid.
      throw new ServletException(
          "PromRouteFilter must be registered with asyncSupported=true"
              + " (FilterHolder.setAsyncSupported(true), <async-supported>true</async-supported>, or"
              + " FilterRegistration.Dynamic.setAsyncSupported(true)), and so must the filters before it");
    }
    AsyncContext async = request.startAsync(request, response);
    async.setTimeout(engine.answerTimeout().toMillis());
    ServletAsyncResponse answer = new ServletAsyncResponse(async, response);
    Exchange exchange = engine.exchange(new ServletApiRequest(request, path), answer);
    answer.listen(exchange);
    exchange.start();
    if (!answer.ended()) {
      // Waiting for shards, with nothing read or written: the container would not notice the
      // client leaving, the watch does, so that its shard requests are cancelled at once.
      ClientCloseWatch watch =
          ClientCloseWatch.of(
              request,
              () -> {
                answer.abort(new java.io.EOFException("the client closed its connection"));
                exchange.onError();
              });
      if (watch != null && answer.beforeEnd(watch::stop)) {
        watch.start(watches);
      }
    }
    // Before this dispatch returns: the container completes the request only after it.
    String kind = exchange.routeKind();
    if (kind != null) {
      request.setAttribute(PLAN_KIND_ATTRIBUTE, kind);
    }
  }

  @Override
  public void destroy() {
    watches.shutdownNow();
    Engine current = engine;
    if (current != null) {
      current.shutdown();
    }
    try {
      // A container checks for threads left behind as soon as its filters are destroyed.
      watches.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS);
      Thread thread = watchThread.get();
      if (thread != null) {
        thread.join(1000); // terminated, the pool's thread may still be ending
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The default {@link Builder#maxSeries}. */
  public static final int DEFAULT_MAX_SERIES = 1_000_000;

  /** The default of {@link Builder#silenceProbe}: 5 seconds. */
  public static final Duration DEFAULT_SILENCE_PROBE = Duration.ofSeconds(5);

  /** Builds a {@link PromRouteFilter}. Required: a rewriter and a target for each of its shards. */
  public static final class Builder {
    private static final Duration SHARD_VERSION_TIMEOUT = Duration.ofSeconds(5);
    private Routing routing;
    private ShardRewriter rewriter;
    private PromqlDialect promqlDialect = PromqlDialect.AUTO;
    private String shardLabel;
    private final Map<String, ShardTarget> shards = new LinkedHashMap<>();
    private UpstreamClient client;
    private String pathPrefix = "";
    private Duration upstreamTimeout = Duration.ofMinutes(2);
    private Duration silenceProbe = DEFAULT_SILENCE_PROBE;
    private boolean partialResponse = true;
    private ReplicaPolicy replicaPolicy = ReplicaPolicy.DEFAULT;
    private boolean exactCrossShardSums;
    private Set<String> forwardedHeaders = Set.of();
    private int maxRequestBodyBytes = 1 << 20;
    private int copyThreads = 32;
    private long maxSamples = io.promroute.api.SampleLimit.DEFAULT_MAX_SAMPLES;
    private int maxSeries = DEFAULT_MAX_SERIES;
    private long maxMemoryBytes;

    private Builder() {}

    /**
     * How queries are routed; its shard keys must each get a {@link #shard target}. Required.
     *
     * @param rewriter the rewriter, whose parser options are the PromQL accepted
     * @return this builder
     * @throws NullPointerException if {@code rewriter} is null
     */
    public Builder rewriter(ShardRewriter rewriter) {
      this.rewriter = requireNonNull(rewriter, "rewriter is null");
      this.routing = null;
      return this;
    }

    /** For tests: a hand-written routing instead of a {@link ShardRewriter}. */
    Builder routing(Routing routing) {
      this.routing = requireNonNull(routing, "routing is null");
      this.rewriter = null;
      return this;
    }

    /**
     * Whose PromQL is accepted where Prometheus versions differ ({@code holt_winters}). Default
     * {@link PromqlDialect#AUTO}: the shards', from the version each reports; a rewriter whose
     * parser options already accept Prometheus 2's functions keeps them.
     *
     * @param dialect the dialect
     * @return this builder
     * @throws NullPointerException if {@code dialect} is null
     */
    public Builder promqlDialect(PromqlDialect dialect) {
      this.promqlDialect = requireNonNull(dialect, "dialect is null");
      return this;
    }

    /**
     * The shard label, e.g. {@code cluster}: added to {@code /api/v1/labels} and answered by {@code
     * /api/v1/label/<label>/values}. Default: the rewriter's {@link ShardRewriter#shardLabel()}.
     *
     * @param shardLabel the label's name
     * @return this builder
     * @throws NullPointerException if {@code shardLabel} is null
     */
    public Builder shardLabel(String shardLabel) {
      this.shardLabel = requireNonNull(shardLabel, "shardLabel is null");
      return this;
    }

    /**
     * Where shard {@code key} is: one server, or its replicas ({@link ShardTarget#of(String...)}).
     *
     * @param key the shard key, one of the rewriter's shards
     * @param target the shard's server or replicas, credentials and TLS
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code key} was added before
     */
    public Builder shard(String key, ShardTarget target) {
      requireNonNull(key, "key is null");
      requireNonNull(target, "target is null");
      if (shards.putIfAbsent(key, target) != null) {
        throw new IllegalArgumentException("shard \"" + key + "\" is configured twice");
      }
      return this;
    }

    /**
     * The client that sends requests to shards. Default {@link UpstreamClient#jdk()}, which the
     * filter stops in {@link PromRouteFilter#destroy()}; a client given here is the caller's to
     * stop.
     *
     * @param client the client
     * @return this builder
     * @throws NullPointerException if {@code client} is null
     */
    public Builder upstreamClient(UpstreamClient client) {
      this.client = requireNonNull(client, "client is null");
      return this;
    }

    /**
     * Serve the API under this prefix, e.g. {@code /prometheus}; default none. The prefix is below
     * the servlet context path.
     *
     * @param prefix the prefix; a trailing {@code /} is dropped, {@code ""} for none
     * @return this builder
     * @throws NullPointerException if {@code prefix} is null
     * @throws IllegalArgumentException if a non-empty prefix does not start with {@code /}
     */
    public Builder pathPrefix(String prefix) {
      requireNonNull(prefix, "prefix is null");
      String normalized = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
      if (!normalized.isEmpty() && !normalized.startsWith("/")) {
        throw new IllegalArgumentException("pathPrefix must start with \"/\": " + prefix);
      }
      this.pathPrefix = normalized;
      return this;
    }

    /**
     * How long a shard may take to answer; default 2 minutes. One deadline for all of a request's
     * shard requests, counted from its arrival; a shard that misses it makes the answer a 504
     * {@code timeout} (with partial answers from several shards, a warning naming it).
     *
     * @param timeout the deadline, positive
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder upstreamTimeout(Duration timeout) {
      requireNonNull(timeout, "timeout is null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("upstreamTimeout must be positive: " + timeout);
      }
      this.upstreamTimeout = timeout;
      return this;
    }

    /**
     * How long a request to a shard with one URL waits for its response headers before the shard's
     * {@code /-/ready} is asked, with as long again for the probe to answer (default 5 seconds). A
     * shard whose probe gets no answer is silent: its waiting requests fail at once (504 {@code
     * timeout}, or a warning in a fan-out with partial answers), and so do new ones, without being
     * sent, until a probe, sent as often while it is silent, answers. So a stopped or unreachable
     * shard delays the other shards' answers by about twice this, not by {@link #upstreamTimeout}.
     * A slow query does not make a shard silent: Prometheus answers {@code /-/ready} at once
     * however busy it is. Shards with replicas fail over instead ({@link #replicaPolicy}).
     *
     * @param probe the wait, or {@link Duration#ZERO} to never probe
     * @return this builder
     * @throws NullPointerException if {@code probe} is null
     * @throws IllegalArgumentException if it is negative or longer than a day
     */
    public Builder silenceProbe(Duration probe) {
      requireNonNull(probe, "probe is null");
      if (probe.isNegative() || probe.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("silenceProbe must be 0 to 24h: " + probe);
      }
      this.silenceProbe = probe;
      return this;
    }

    /**
     * Answer with the other shards' data and a warning naming the failed shard when one shard of
     * several fails (default {@code true}, as Thanos); {@code false} answers that shard's error
     * instead. A request's {@code partial_response=true|false} overrides it.
     *
     * @param allowed whether partial answers are the default
     * @return this builder
     */
    public Builder partialResponse(boolean allowed) {
      this.partialResponse = allowed;
      return this;
    }

    /**
     * How shards with several replicas choose one and fail over; default {@link
     * ReplicaPolicy#DEFAULT}.
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder replicaPolicy(ReplicaPolicy policy) {
      this.replicaPolicy = requireNonNull(policy, "policy is null");
      return this;
    }

    /**
     * Cross-shard {@code sum}, {@code avg}, {@code stddev} and {@code stdvar} (YAML {@code
     * cross_shard.aggregation}): {@code false} (the default, {@code partials}) sends one partial
     * per output group to each shard and merges them, so the cost grows with the answer's groups
     * and equals Prometheus's answer within rounding (relative 1e-9); {@code true} ({@code exact})
     * fetches every input series and aggregates them in the router in Prometheus's order, the same
     * to the last bit, but its transfer, memory and time grow with the number of input series (tens
     * of seconds at 150,000 series).
     *
     * @param exact {@code true} for {@code exact}
     * @return this builder
     */
    public Builder exactCrossShardSums(boolean exact) {
      this.exactCrossShardSums = exact;
      return this;
    }

    /**
     * The most samples one cross-shard query may hold in the router: the shards' answers it reads
     * and what it computes from them (Prometheus's {@code --query.max-samples}); beyond it the
     * query gets Prometheus's 422 {@code execution} "query processing would load too many samples
     * into memory in query execution". Default 50,000,000, Prometheus's default.
     *
     * @param samples the limit, positive
     * @return this builder
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder maxSamples(long samples) {
      if (samples <= 0) {
        throw new IllegalArgumentException("maxSamples must be positive: " + samples);
      }
      this.maxSamples = samples;
      return this;
    }

    /**
     * The most series in an answer the router holds to merge several shards' answers (a cross-shard
     * query's result, a {@code /api/v1/series} union, which are sorted in memory); beyond it the
     * request gets 422 {@code execution} before anything is written. Default 1,000,000.
     * Concatenated fan-outs and range merges stream and are not limited.
     *
     * @param series the limit, positive
     * @return this builder
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder maxSeries(int series) {
      if (series <= 0) {
        throw new IllegalArgumentException("maxSeries must be positive: " + series);
      }
      this.maxSeries = series;
      return this;
    }

    /**
     * What all requests together may hold in the router's memory to merge and evaluate answers
     * (cross-shard queries' shard answers and results, series and label unions, partial answers'
     * buffered shard bodies), estimated from what they read; a request that would pass it gets 503
     * {@code unavailable} (other requests hold the rest; retry) or, when it alone needs more than
     * all of it, 422 {@code execution}, never an {@code OutOfMemoryError}. Default: half of the
     * maximum heap ({@link io.promroute.api.MemoryBudget#DEFAULT_HEAP_FRACTION}). Answers that
     * stream reserve nothing.
     *
     * @param bytes the budget in bytes, positive
     * @return this builder
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public Builder maxMemoryBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxMemoryBytes must be positive: " + bytes);
      }
      this.maxMemoryBytes = bytes;
      return this;
    }

    /**
     * Client request headers forwarded to shards (case-insensitive); default none.
     *
     * @param headerNames the header names, e.g. {@code X-Scope-OrgID}
     * @return this builder
     * @throws NullPointerException if the set or a name is null
     */
    public Builder forwardedHeaders(Set<String> headerNames) {
      this.forwardedHeaders = Set.copyOf(requireNonNull(headerNames, "headerNames is null"));
      return this;
    }

    /**
     * The largest POST body accepted, in bytes; default 1 MiB. A larger form is answered 400 {@code
     * bad_data}.
     *
     * @param bytes the limit, positive
     * @return this builder
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder maxRequestBodyBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxRequestBodyBytes must be positive: " + bytes);
      }
      this.maxRequestBodyBytes = bytes;
      return this;
    }

    /**
     * How many threads of the filter's copy pool stay ready to copy shards' answers (default 32).
     * When all are busy more are started, so that copies waiting on a stalled shard (each until the
     * upstream timeout at most) never make other requests wait in line.
     *
     * @param threads the pool's core size, positive
     * @return this builder
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder copyThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("copyThreads must be positive: " + threads);
      }
      this.copyThreads = threads;
      return this;
    }

    /**
     * The filter, ready without {@link PromRouteFilter#init}; {@link PromRouteFilter#destroy()}
     * stops its threads.
     *
     * @return a new filter
     * @throws IllegalStateException if the rewriter or the shard targets are missing or disagree
     */
    public PromRouteFilter build() {
      return new PromRouteFilter(buildEngine());
    }

    /**
     * The engine this builder configures, for a transport other than the servlet filter (the
     * standalone router serves it with Jetty's own handler API). The caller owns it: {@link
     * Engine#shutdown()} stops its copy pool.
     *
     * @return a new engine
     * @throws IllegalStateException if the rewriter or the shard targets are missing or disagree
     */
    public Engine buildEngine() {
      if (routing == null && rewriter == null) {
        throw new IllegalStateException("PromRouteFilter needs a rewriter");
      }
      if (shards.isEmpty()) {
        throw new IllegalStateException("PromRouteFilter needs at least one shard");
      }
      if (rewriter != null) {
        for (String key : rewriter.shards()) {
          if (!shards.containsKey(key)) {
            throw new IllegalStateException(
                "shard \""
                    + key
                    + "\" of the rewriter has no target: add shard(\""
                    + key
                    + "\", ...)");
          }
        }
        for (String key : shards.keySet()) {
          if (!rewriter.shards().contains(key)) {
            throw new IllegalStateException(
                "shard \""
                    + key
                    + "\" has a target but the rewriter does not know it (its shards: "
                    + String.join(", ", rewriter.shards())
                    + ")");
          }
        }
      }
      String label = shardLabel != null ? shardLabel : labelOf(rewriter);
      boolean strips =
          rewriter == null || rewriter.mode() == io.promroute.shard.ShardLabelMode.STRIP;
      UpstreamClient upstream =
          ReplicaClient.wrap(client != null ? client : UpstreamClient.jdk(), shards, replicaPolicy);
      // AUTO asks the shards' versions (and the engine reports them); a pinned dialect asks
      // nothing.
      ShardVersions versions =
          routing == null
                  && !rewriter.parserOptions().prometheus2Functions()
                  && promqlDialect == PromqlDialect.AUTO
              ? new ShardVersions(shards, upstream, SHARD_VERSION_TIMEOUT)
              : null;
      Router router =
          new Router(
              routing != null ? routing : routing(rewriter, versions),
              label,
              java.util.List.copyOf(shards.keySet()),
              strips,
              exactCrossShardSums);
      return new Engine(
          router,
          label,
          shards,
          upstream,
          pathPrefix,
          upstreamTimeout,
          partialResponse,
          forwardedHeaders,
          maxRequestBodyBytes,
          copyPool(copyThreads),
          true,
          maxSamples,
          maxSeries,
          client == null,
          versions == null ? java.util.Map::of : versions::versions,
          maxMemoryBytes > 0 ? maxMemoryBytes : io.promroute.api.MemoryBudget.defaultBytes(),
          silenceProbe);
    }

    /**
     * The rewriter's routing, in the configured dialect: following {@code versions} (AUTO, which
     * starts asking them) when there are any.
     */
    private Routing routing(ShardRewriter rewriter, ShardVersions versions) {
      if (rewriter.parserOptions().prometheus2Functions()
          || promqlDialect == PromqlDialect.PROMETHEUS_3) {
        return Routing.of(rewriter);
      }
      ShardRewriter prometheus2 =
          rewriter.withParserOptions(
              rewriter.parserOptions().toBuilder().prometheus2Functions(true).build());
      if (versions == null) {
        return Routing.of(prometheus2); // PROMETHEUS_2
      }
      versions.refresh();
      return Routing.following(
          rewriter,
          prometheus2,
          versions::acceptPrometheus2Functions,
          versions::bareRangeQueryParseErrors);
    }

    private static String labelOf(ShardRewriter rewriter) {
      if (rewriter == null) {
        throw new IllegalStateException("PromRouteFilter needs shardLabel(...)");
      }
      return rewriter.shardLabel();
    }

    /**
     * A bound against runaway thread creation, far above what the copies of a deadline's worth of
     * requests need.
     */
    private static final int MAX_COPY_THREADS = 4096;

    private static ExecutorService copyPool(int threads) {
      AtomicInteger count = new AtomicInteger();
      ThreadPoolExecutor pool =
          // No queue: a copy blocked on a stalled shard must not hold up a healthy one behind it.
          new ThreadPoolExecutor(
              threads,
              MAX_COPY_THREADS,
              30,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              runnable -> {
                Thread thread = new Thread(runnable, "promroute-copy-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      pool.allowCoreThreadTimeOut(true);
      return pool;
    }
  }
}
