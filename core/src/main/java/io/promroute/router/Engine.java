package io.promroute.router;

import io.promroute.api.ApiError;
import io.promroute.api.ApiException;
import io.promroute.api.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * A configured router: the route table, the router (request to route), the shards and the client;
 * any transport hands it an {@link ApiRequest} and an {@link AsyncResponse}. Immutable.
 */
public final class Engine {

  private static final System.Logger LOG = System.getLogger(Engine.class.getName());

  final Router router;
  final String shardLabel;
  final Map<String, ShardTarget> targets;
  final UpstreamClient client;

  /** The client below {@link #client} that chooses replicas, or {@code null} when none has any. */
  private final ReplicaClient replicas;

  final String pathPrefix;
  final Duration upstreamTimeout;
  final boolean partialResponse;
  final Set<String> forwardedHeaders;
  final int maxRequestBodyBytes;
  final ExecutorService executor;
  final boolean ownsExecutor;

  /**
   * The most samples one cross-shard query may hold in the router (Prometheus's
   * --query.max-samples).
   */
  final long maxSamples;

  /**
   * The most series in an answer the router holds to merge (cross-shard results, series unions).
   */
  final int maxSeries;

  /** Whether the transport made the client itself, and so stops it with the executor. */
  final boolean ownsClient;

  /**
   * The shards' Prometheus versions read so far (promql.dialect: auto); empty when the dialect is
   * pinned.
   */
  private final Supplier<Map<String, String>> shardVersions;

  /** What all requests together may hold in memory to merge and evaluate answers. */
  final io.promroute.api.MemoryBudget memory;

  /**
   * An engine from its parts; the servlet adapter's {@code PromRouteFilter.Builder#buildEngine()}
   * makes them from one configuration, and is the usual way to get an engine.
   *
   * @param router maps a request to a route
   * @param shardLabel the shard label's name, added to shards' answers
   * @param targets each shard's target, by shard key
   * @param client sends the requests to shards
   * @param pathPrefix the prefix the API is served under, e.g. {@code /prometheus}, without a
   *     trailing {@code /}; empty for none
   * @param upstreamTimeout the one deadline of a request's shard requests, counted from the start
   *     of the exchange
   * @param partialResponse whether, by default, a failing shard of several becomes a warning rather
   *     than the answer (a request's {@code partial_response} overrides it)
   * @param forwardedHeaders the client's request headers forwarded to shards (case-insensitive)
   * @param maxRequestBodyBytes the largest form body read, in bytes; a larger one is answered 400
   * @param executor the pool that copies shards' answers to the client (blocking reads and writes)
   * @param ownsExecutor whether {@link #shutdown()} stops {@code executor}
   * @param maxSamples the most samples one cross-shard query may hold in the router (Prometheus's
   *     {@code --query.max-samples})
   * @param maxSeries the most series in an answer the router holds to merge
   * @param ownsClient whether {@link #shutdown()} closes {@code client} when it is the default JDK
   *     client
   * @param shardVersions the shards' Prometheus versions read so far, by shard key ({@code
   *     promql.dialect: auto}); an empty map when the dialect is pinned
   * @param maxMemoryBytes what all requests together may hold in memory to merge and evaluate
   *     answers ({@code limits.max_memory}), in bytes
   * @param silenceProbe how long a request to a shard with one URL waits for response headers
   *     before the shard's {@code /-/ready} is asked, with as long again to answer; a shard whose
   *     probe gets no answer is silent, and its requests fail at once until a probe answers ({@code
   *     upstream.silence_probe}); {@link Duration#ZERO} for never
   */
  public Engine(
      Router router,
      String shardLabel,
      Map<String, ShardTarget> targets,
      UpstreamClient client,
      String pathPrefix,
      Duration upstreamTimeout,
      boolean partialResponse,
      Set<String> forwardedHeaders,
      int maxRequestBodyBytes,
      ExecutorService executor,
      boolean ownsExecutor,
      long maxSamples,
      int maxSeries,
      boolean ownsClient,
      Supplier<Map<String, String>> shardVersions,
      long maxMemoryBytes,
      Duration silenceProbe) {
    this.router = router;
    this.shardLabel = shardLabel;
    this.targets = Map.copyOf(targets);
    this.replicas = client instanceof ReplicaClient replicaClient ? replicaClient : null;
    this.client = SilentShards.wrap(client, targets, silenceProbe);
    this.pathPrefix = pathPrefix;
    this.upstreamTimeout = upstreamTimeout;
    this.partialResponse = partialResponse;
    this.forwardedHeaders = Headers.normalize(forwardedHeaders);
    this.maxRequestBodyBytes = maxRequestBodyBytes;
    this.executor = executor;
    this.ownsExecutor = ownsExecutor;
    this.maxSamples = maxSamples;
    this.maxSeries = maxSeries;
    this.ownsClient = ownsClient;
    this.shardVersions = java.util.Objects.requireNonNull(shardVersions, "shardVersions is null");
    this.memory = io.promroute.api.MemoryBudget.of(maxMemoryBytes);
  }

  /**
   * The Prometheus version each shard reported at {@code /api/v1/status/buildinfo} (e.g. {@code
   * 2.42.0}), by shard key, sorted, for the shards read so far: the versions the PromQL dialect
   * follows under {@code promql.dialect: auto}. Empty when the dialect is pinned, since nothing is
   * asked then.
   *
   * @return an immutable map from shard key to version
   */
  public Map<String, String> shardVersions() {
    return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(shardVersions.get()));
  }

  /**
   * The bytes of the memory budget ({@code limits.max_memory}) that requests hold now.
   *
   * @return the bytes reserved, for metrics and tests
   */
  public long memoryHeldBytes() {
    return memory.reservedBytes();
  }

  /*
   * The route table. Everything under <prefix>/api/v1/ that Endpoint knows is answered here (with
   * the methods Endpoint.methods() allows); every other request is the transport's (serves()).
   *
   *   query, query_range, query_exemplars   GET POST  rewrite `query`, route to its shard(s)
   *   series, labels                        GET POST  rewrite each match[], union over shards
   *   label/<name>/values                   GET       same; <shard label> answers the shard keys
   *   metadata                              GET       union over all shards
   *   rules, alerts                         GET       concatenation over all shards, label added
   *   status/buildinfo, parse_query         GET(POST) first shard, unchanged
   *   format_query                          GET POST  answered locally by core's printer
   */
  /**
   * Whether a request for {@code path} is the engine's to answer: an API endpoint of the route
   * table under the path prefix. A transport passes every other request on (a filter to its chain,
   * a server to its next handler).
   *
   * @param path the request's path below the transport's mount point, not decoded
   * @return {@code true} if {@link #exchange} should answer it
   */
  public boolean serves(String path) {
    return path.startsWith(pathPrefix)
        && Endpoint.of(path.substring(pathPrefix.length())).isPresent();
  }

  /**
   * The exchange that will answer {@code request}, one the engine {@link #serves}; nothing happens
   * until its {@link Exchange#start()}, so the transport can connect its events to it first.
   *
   * @param request the request
   * @param response its response, which the exchange ends exactly once
   * @return a new exchange, not started
   */
  public Exchange exchange(ApiRequest request, AsyncResponse response) {
    return new Exchange(this, request, response);
  }

  /**
   * The largest form body the engine reads, in bytes; a transport that reads the body before the
   * exchange starts needs to keep only one byte more (the engine then answers 400).
   *
   * @return the limit in bytes
   */
  public int maxRequestBodyBytes() {
    return maxRequestBodyBytes;
  }

  /**
   * How long an exchange may take in all: the upstream timeout covers the response headers; the
   * body gets as long again to stream. A transport reports {@link Exchange#onTimeout()} after it.
   *
   * @return twice the upstream timeout, plus 10 seconds
   */
  public Duration answerTimeout() {
    return upstreamTimeout.multipliedBy(2).plusSeconds(10);
  }

  /**
   * A routed request.
   *
   * @param partial whether a failing shard of several becomes a warning instead of the answer
   * @param params the request's parameters as routed, for routing it again ({@link
   *     #routeWithRouterMatching})
   */
  record Routed(Route route, boolean partial, Params params) {}

  /**
   * Thanos's parameter that overrides {@link #partialResponse} per request; never sent to shards.
   */
  static final String PARTIAL_RESPONSE = "partial_response";

  /**
   * The query of a guarded route planned again with the router matching the operations between
   * vectors of several shards ({@link Router#routeWithRouterMatching}), on a large stack if need
   * be.
   *
   * @throws RuntimeException when it cannot be planned so
   */
  Route routeWithRouterMatching(Endpoint endpoint, Params params) {
    return io.promroute.internal.DeepStack.call(
        () -> router.routeWithRouterMatching(endpoint, params),
        () ->
            new ApiException(
                ApiError.badData("invalid parameter \"query\": query is nested too deeply")));
  }

  /** Routes {@code request}; the route, or {@code null} when an error was answered. */
  Routed route(
      ApiRequest request, AsyncResponse response, BodyMemory bodyMemory, BodyBytes keptBody)
      throws IOException {
    String apiPath = request.path().substring(pathPrefix.length());
    Optional<Endpoint> endpoint = Endpoint.of(apiPath);
    try {
      String method = request.method();
      if (!endpoint.get().methods().contains(method)) {
        throw new ApiException(ApiError.methodNotAllowed(method, apiPath));
      }
      String labelName = Endpoint.labelName(apiPath).map(Engine::decodePath).orElse(null);
      Params params = params(request, endpoint.get(), bodyMemory, keptBody);
      boolean partial = partialResponse;
      if (!params.values(PARTIAL_RESPONSE).isEmpty()) {
        partial = parseBool(params.first(PARTIAL_RESPONSE));
        params = params.replacing(PARTIAL_RESPONSE, List.of());
      }
      Params routedParams = params;
      // Routing walks the query's tree (parse, rewrite, plan): what overflows a request thread's
      // stack on a long chain or a deep nesting is routed again on a large one (see DeepStack),
      // so that no walk added later can throw a StackOverflowError at the transport.
      Route route =
          io.promroute.internal.DeepStack.call(
              () -> router.route(endpoint.get(), labelName, routedParams),
              () ->
                  new ApiException(
                      ApiError.badData("invalid parameter \"query\": query is nested too deeply")));
      return new Routed(route, partial, routedParams);
    } catch (ApiException e) {
      writeError(response, e.error());
      return null;
    } catch (RuntimeException | Error e) {
      // A bug in routing, even one that throws an Error (an AssertionError, a class that failed to
      // load), must still answer in Prometheus's envelope: not the container's error page, and
      // never an empty 200.
      LOG.log(System.Logger.Level.ERROR, "routing failed for " + apiPath, e);
      writeError(response, ApiError.internal("PromRoute could not route the request: " + e));
      return null;
    }
  }

  /**
   * The request's parameters as Prometheus's handler reads them: a form body's before the URL's; a
   * multipart form's after the URL's (Go's {@code ParseMultipartForm} appends them), except on
   * {@code /series}, whose handler calls {@code ParseForm}, which does not read multipart bodies.
   * The body is the one the transport kept ({@code keptBody}), or else read from the request.
   */
  private Params params(
      ApiRequest request, Endpoint endpoint, BodyMemory bodyMemory, BodyBytes keptBody)
      throws IOException {
    String contentType = request.contentType();
    if (!request.method().equals("POST") || contentType == null) {
      return Params.of(request.query(), null);
    }
    if (contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      return Params.of(request.query(), body(request, bodyMemory, keptBody), bodyMemory);
    }
    if (endpoint != Endpoint.SERIES && MultipartForm.isMultipartForm(contentType)) {
      return Params.of(request.query(), null)
          .appending(
              MultipartForm.values(contentType, body(request, bodyMemory, keptBody), bodyMemory));
    }
    return Params.of(request.query(), null); // Prometheus reads no parameters from other bodies
  }

  /**
   * The form body's bytes, in one array of its size that is parsed without another copy: the
   * transport's, or read here into blocks as it arrives. Each copy is counted in {@code bodyMemory}
   * before it is made (see {@link BodyBytes}); the array stays counted until the request ends.
   */
  private byte[] body(ApiRequest request, BodyMemory bodyMemory, BodyBytes keptBody)
      throws IOException {
    if (keptBody != null) {
      if (keptBody.size() > maxRequestBodyBytes) {
        throw tooLarge(); // the transport read and dropped the rest
      }
      return keptBody.bytes();
    }
    BodyBytes body = new BodyBytes(maxRequestBodyBytes, bodyMemory);
    byte[] buffer = new byte[8192];
    try (InputStream in = request.body()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        if (body.size() + read > maxRequestBodyBytes) {
          // Read the rest before answering: a client still sending its body would otherwise see
          // a broken connection instead of the 400.
          discard(in, buffer);
          throw tooLarge();
        }
        // Counted before it is kept: a budget held by other requests refuses it with 503, one
        // smaller than the body with 422.
        try {
          body.add(java.nio.ByteBuffer.wrap(buffer, 0, read));
        } catch (ApiException e) {
          discard(in, buffer);
          throw e;
        }
      }
    }
    return body.bytes(); // the body is read whole: a refusal now needs no more reading
  }

  // Up to 64 MiB more are read and dropped; a larger body loses its connection with the answer.
  private static void discard(InputStream in, byte[] buffer) throws IOException {
    long left = 64L << 20;
    int read;
    while (left > 0 && (read = in.read(buffer)) >= 0) {
      left -= read;
    }
  }

  private ApiException tooLarge() {
    return new ApiException(
        ApiError.badData("request body is larger than " + maxRequestBodyBytes + " bytes"));
  }

  private static String decodePath(String segment) {
    // A path segment: '+' is a plus, not a space.
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Go's {@code strconv.ParseBool}, as Thanos reads {@code partial_response}. */
  private static boolean parseBool(String value) {
    return switch (value) {
      case "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default ->
          throw new ApiException(
              ApiError.badData(
                  "invalid parameter \""
                      + PARTIAL_RESPONSE
                      + "\": strconv.ParseBool: parsing \""
                      + value
                      + "\": invalid syntax"));
    };
  }

  /**
   * @param timeout what is left of the request's one deadline for this shard request
   */
  UpstreamRequest upstreamRequest(
      Route plan,
      Route.Call call,
      String method,
      Map<String, List<String>> clientHeaders,
      Duration timeout) {
    ShardTarget target = targets.get(call.shard());
    String base = target.baseUrl().toString();
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    String encoded = call.params().encode();
    boolean post = method.equals("POST");
    String query = post || encoded.isEmpty() ? "" : "?" + encoded;
    URI uri = URI.create(base + (call.apiPath() != null ? call.apiPath() : plan.apiPath()) + query);
    byte[] body = post ? encoded.getBytes(StandardCharsets.UTF_8) : new byte[0];
    return new UpstreamRequest(
        call.shard(),
        target,
        post ? "POST" : "GET",
        uri,
        Headers.forTarget(clientHeaders, target, post),
        body,
        timeout);
  }

  /**
   * The one error exit: writes the envelope once, if nothing was committed yet, else aborts the
   * answer.
   */
  static void writeError(AsyncResponse response, ApiError error) {
    if (response.isCommitted()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot answer {0} {1}: response already committed",
          error.status(),
          error.message());
      response.abort(
          new IOException(
              "answer failed after it was committed: " + error.status() + " " + error.message()));
      return;
    }
    try {
      response.reset();
      response.setStatus(error.status());
      response.setContentType("application/json");
      OutputStream out = response.getOutputStream();
      error.writeTo(out);
      out.flush();
    } catch (IOException | java.io.UncheckedIOException | IllegalStateException e) {
      // (ApiError.writeTo wraps the client's IOException)
      LOG.log(System.Logger.Level.DEBUG, "client gone while answering an error", e);
    }
  }

  /**
   * The health of the replicas of the shards that have several, in configuration order.
   *
   * @return empty when no shard has replicas
   */
  public List<ReplicaStatus> replicaStatus() {
    return replicas != null ? replicas.status() : List.of();
  }

  /**
   * The shards with one URL found silent now (see {@code upstream.silence_probe}): their requests
   * fail at once until their {@code /-/ready} answers again.
   *
   * @return why each is silent, by shard key; empty when every shard answers
   */
  public Map<String, String> silentShards() {
    return client instanceof SilentShards silent ? silent.silent() : Map.of();
  }

  /**
   * Stops the threads the engine started (its copy pool, the replicas' timer, and the client's when
   * it owns the client), and waits a little for them to end: a servlet container checks for threads
   * left behind by an application as soon as its filters are destroyed (Tomcat warns of a memory
   * leak).
   */
  public void shutdown() {
    if (ownsExecutor) {
      executor.shutdownNow(); // waited for below, while the others stop
    }
    UpstreamClient sender = client;
    if (sender instanceof SilentShards silent) {
      silent.close(); // its probe timer
      sender = silent.delegate();
    }
    if (sender instanceof ReplicaClient replicaClient) {
      replicaClient.close(); // its timer thread
      sender = replicaClient.delegate();
    }
    if (ownsClient && sender instanceof JdkUpstreamClient jdk) {
      jdk.close();
    }
    if (ownsExecutor) {
      ThreadStop.stop(executor);
    }
  }
}
