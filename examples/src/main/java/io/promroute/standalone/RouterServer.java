package io.promroute.standalone;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.promroute.router.Engine;
import io.promroute.router.UpstreamClient;
import io.promroute.servlet.RouterConfig;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;

/**
 * The standalone router: an embedded Jetty serving the router engine of the current configuration
 * through {@link ApiHandler}, the router's metrics and Prometheus's admin endpoints; reloadable.
 */
final class RouterServer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(RouterServer.class.getName());

  /** How long a stop waits for requests in flight. */
  static final long STOP_TIMEOUT_MILLIS = 30_000;

  private final Path configFile;
  private final RouterEngines.Factory factory;

  /** Answers smaller than this go uncompressed even to clients that accept gzip. */
  static final int GZIP_MIN_BYTES = 1024;

  private final UpstreamClient client;
  private final UpstreamClient probeClient;
  private final RouterMetrics metrics;

  /** The engine new API requests are served by; a reload replaces it. */
  private final AtomicReference<Engine> engine;

  private final Server server;
  private final ServerConnector connector;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final RouterOptions options;
  private final Consumer<String> accessLog;
  private Thread shutdownHook;
  private final ScheduledExecutorService retirer;
  private volatile RouterConfig config;

  /**
   * @param configFile the file {@code config} was read from, read again on reload
   * @param upstream the client that reaches the shards; the router meters it
   * @param accessLog where access log lines go; closed after the server, when it is closeable
   * @throws RuntimeException when the factory refuses the configuration
   */
  RouterServer(
      Path configFile,
      RouterConfig config,
      RouterEngines.Factory factory,
      UpstreamClient upstream,
      RouterMetrics metrics,
      Consumer<String> accessLog,
      RouterOptions options) {
    this.configFile = requireNonNull(configFile, "configFile is null");
    this.config = requireNonNull(config, "config is null");
    this.factory = requireNonNull(factory, "factory is null");
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.accessLog = requireNonNull(accessLog, "accessLog is null");
    this.options = requireNonNull(options, "options is null");
    this.client = new MeteredUpstreamClient(upstream, metrics, () -> this.config);
    this.probeClient = upstream;
    this.engine = new AtomicReference<>(factory.create(config, client));
    metrics.watchReplicas(() -> engine.get().replicaStatus());
    metrics.watchShardVersions(() -> engine.get().shardVersions());
    metrics.watchSilentShards(
        () ->
            this.config.shards().entrySet().stream()
                .filter(shard -> shard.getValue().baseUrls().size() == 1)
                .map(Map.Entry::getKey)
                .toList(),
        () -> engine.get().silentShards());
    this.retirer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "promroute-retire-engine");
              thread.setDaemon(true);
              return thread;
            });

    server = new Server();
    connector = RouterConnectors.create(server);
    ListenAddress address = ListenAddress.parse(config.listenAddress());
    connector.setHost(address.host());
    connector.setPort(address.port());
    server.addConnector(connector);

    // The API is served by the engine through Jetty's own handler API (no servlet layer on the
    // hot path); the servlets behind it answer the router's own pages and /metrics.
    ServletContextHandler context = new ServletContextHandler("/");
    ServletHolder metricsServlet =
        new ServletHolder(new PrometheusMetricsServlet(metrics.registry));
    metricsServlet.setAsyncSupported(true);
    context.addServlet(metricsServlet, "/metrics");
    ServletHolder admin = new ServletHolder(new AdminServlet(this));
    admin.setAsyncSupported(true);
    context.addServlet(admin, "/");

    // Prometheus gzips its answers for clients that accept it (Grafana does); so does the router,
    // above a size where compressing is worth the CPU. GracefulHandler lets requests in flight
    // finish when the server stops.
    ApiHandler api = new ApiHandler(engine::get, ObservingHandler::within, context);
    // Jetty 12.1 deprecates GzipHandler for removal in favour of jetty-compression's
    // CompressionHandler, a dependency the router does not have yet: the one suppression left.
    @SuppressWarnings("removal")
    GzipHandler gzip = new GzipHandler(api);
    gzip.setMinGzipSize(GZIP_MIN_BYTES);
    gzip.setIncludedMethods("GET", "POST");
    server.setHandler(
        new GracefulHandler(
            new ObservingHandler(
                metrics,
                () -> this.config.pathPrefix(),
                accessLog,
                options.accessLogFormat(),
                options.maxLoggedQuery(),
                gzip)));
    server.setErrorHandler(new PrometheusErrorHandler());
    server.setStopTimeout(STOP_TIMEOUT_MILLIS);
  }

  void start() throws Exception {
    server.start();
    if (options.stopAtShutdown()) {
      // Not Jetty's stop-at-shutdown: that closes the listener at once, with no drain period.
      shutdownHook = new Thread(this::close, "promroute-shutdown");
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
    ready.set(true);
    LOG.log(
        Level.INFO,
        "PromRoute {0} listening on {1}, {2}",
        StandaloneRouter.version(),
        baseUri(),
        summary(config));
  }

  /** Where the router listens, e.g. {@code http://127.0.0.1:9097}. */
  URI baseUri() {
    String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + connector.getLocalPort());
  }

  boolean isReady() {
    return ready.get();
  }

  boolean lifecycleEnabled() {
    return options.enableLifecycle();
  }

  /** Stops the router on a thread of its own, so that the request asking for it can be answered. */
  void stopSoon() {
    Thread stopper = new Thread(this::close, "promroute-quit");
    stopper.setDaemon(false);
    stopper.start();
  }

  RouterConfig config() {
    return config;
  }

  /**
   * Asks every shard's own {@code /-/ready} (every replica's), in parallel, with the shard's
   * credentials and headers; returns the keys of those of which no replica answered 200 within 5
   * seconds, in configuration order.
   */
  List<String> unreadyShards() {
    Map<String, List<CompletableFuture<Boolean>>> probes = new LinkedHashMap<>();
    config
        .shards()
        .forEach(
            (key, target) -> {
              List<CompletableFuture<Boolean>> replicas = new ArrayList<>();
              for (int i = 0; i < target.baseUrls().size(); i++) {
                replicas.add(ShardProbe.ready(key, target.replica(i), probeClient));
              }
              probes.put(key, replicas);
            });
    List<String> unready = new ArrayList<>();
    probes.forEach(
        (key, replicas) -> {
          if (replicas.stream().noneMatch(CompletableFuture::join)) {
            unready.add(key);
          }
        });
    return unready;
  }

  /**
   * One line per shard of the current configuration, in its order: the Prometheus version it
   * reported at its build info (read under {@code promql.dialect: auto}), or that none was read
   * (not yet, the shard is down, or the dialect is pinned). Names shards by key, never by address.
   */
  List<String> shardVersionLines() {
    Map<String, String> versions = engine.get().shardVersions();
    List<String> lines = new ArrayList<>();
    for (String shard : config.shardKeys()) {
      String version = versions.get(shard);
      lines.add(
          "shard "
              + shard
              + ": "
              + (version != null ? "Prometheus " + version : "Prometheus version not read"));
    }
    return lines;
  }

  /**
   * Reads the configuration file again and serves it. A configuration that cannot be read or served
   * is refused and the current one keeps serving.
   *
   * @return a one-line description of what is now served
   * @throws RuntimeException naming the problem, when the new configuration is refused
   */
  synchronized String reload() {
    RouterConfig next;
    Engine retired;
    try {
      next = RouterConfig.load(configFile);
      retired = engine.getAndSet(factory.create(next, client));
    } catch (RuntimeException e) {
      metrics.reloads.labelValues("failure").inc();
      metrics.lastReloadSuccessful.set(0);
      LOG.log(
          Level.ERROR,
          "configuration reload refused, still serving the previous one: {0}",
          e.getMessage());
      throw e;
    }
    RouterConfig previous = config;
    if (!next.listenAddress().equals(previous.listenAddress())) {
      // Rebinding would drop the connections in flight; a restart is the honest way.
      LOG.log(
          Level.WARNING,
          "http.listen_addr changed from {0} to {1}: restart the router to apply it",
          previous.listenAddress(),
          next.listenAddress());
    }
    config = next;
    metrics.reloads.labelValues("success").inc();
    metrics.lastReloadSuccessful.set(1);
    // Requests that started with the old engine may still be streaming; give them the old
    // configuration's upstream timeout before releasing its resources.
    retirer.schedule(
        retired::shutdown, previous.upstreamTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    String message = "configuration reloaded from " + configFile + ": " + summary(next);
    LOG.log(Level.INFO, message);
    return message;
  }

  /**
   * The text at {@code /}. It names the shard keys, which every client sees in the answers anyway,
   * but not the shards' addresses nor the configuration file: the index is open to anyone who can
   * reach the router.
   */
  String describe() {
    RouterConfig current = config;
    String api = current.pathPrefix();
    return "PromRoute "
        + StandaloneRouter.version()
        + ": one Prometheus API over sharded Prometheus servers\n\n"
        + "shard label: "
        + current.shardLabel()
        + "\n"
        + "shards: "
        + String.join(", ", current.shardKeys())
        + "\n\n"
        + "Prometheus API: "
        + api
        + "/api/v1/{query,query_range,series,labels,label/<name>/values,metadata,rules,...}\n"
        + "router: /-/healthy /-/ready (?shards=all: and every shard is ready) /metrics"
        + (options.enableLifecycle() ? " /-/reload /-/quit (POST)" : "")
        + "\n";
  }

  static String summary(RouterConfig config) {
    return config.shards().size()
        + " shard(s) "
        + String.join(", ", config.shardKeys())
        + " by label "
        + config.shardLabel();
  }

  /** Waits until the server has stopped. */
  void join() throws InterruptedException {
    server.join();
  }

  /**
   * Stops: {@code /-/ready} answers 503 for the drain period while everything is still served, then
   * the listener closes and requests in flight get up to {@link #STOP_TIMEOUT_MILLIS} to finish.
   * Safe to call more than once and from a shutdown hook.
   */
  @Override
  public void close() {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    boolean wasReady = ready.getAndSet(false);
    try {
      if (wasReady && !options.drainPeriod().isZero()) {
        LOG.log(
            Level.INFO,
            "stopping: /-/ready answers 503 for {0} ms before the listener closes",
            Long.toString(options.drainPeriod().toMillis()));
        Thread.sleep(options.drainPeriod().toMillis());
      }
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the router failed: " + e.getMessage(), e);
    } finally {
      retirer.shutdownNow();
      engine.get().shutdown();
      closeQuietly(probeClient); // the Jetty client's threads
      closeQuietly(accessLog); // writes the lines still queued
      removeShutdownHook();
    }
  }

  private void removeShutdownHook() {
    Thread hook = shutdownHook;
    if (hook != null && hook != Thread.currentThread()) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down, and running the hook that called this
      }
    }
  }

  private static void closeQuietly(Object resource) {
    if (resource instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // stopping anyway
      }
    }
  }
}
