package io.promroute.router;

import static java.util.Objects.requireNonNull;

import io.promroute.api.ApiError;
import io.promroute.api.ApiException;
import io.promroute.api.ApiParameters;
import io.promroute.api.Endpoint;
import io.promroute.api.ResponseTransformer;
import io.promroute.compat.GoJson;
import io.promroute.compat.GoQuote;
import io.promroute.compat.LabelNames;
import io.promroute.promql.PromQL;
import io.promroute.promql.PromQLParseException;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorSelector;
import io.promroute.shard.ShardRoutingException;
import io.promroute.shard.ShardedQuery;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps an API request to a {@link Route}: validates its parameters, routes its PromQL through core,
 * and decides which shards to ask with which parameters. Pure: no I/O, no servlet types, so every
 * routing decision is testable in microseconds. Refusals are {@link ApiException}s.
 */
public final class Router {

  private final Routing routing;
  private final String shardLabel;
  private final List<String> shards;
  private final boolean stripsShardLabel;
  private final boolean exactSums;

  Router(Routing routing, String shardLabel, List<String> shards) {
    this(routing, shardLabel, shards, true, false);
  }

  /**
   * A router over the configured shards.
   *
   * @param routing the PromQL decisions (usually {@link
   *     Routing#of(io.promroute.shard.ShardRewriter)})
   * @param shardLabel the shard label's name, e.g. {@code cluster}
   * @param shards the shard keys, in configuration order: the order of concatenated answers
   * @param stripsShardLabel whether the shards store their series without the shard label (the
   *     rewriter's strip mode), so that the router adds it to what the global view labels
   * @param exactSums cross-shard sum, avg, stddev and stdvar over every series in the router
   *     (bit-exact, cost growing with the series); false: per-shard partials
   */
  public Router(
      Routing routing,
      String shardLabel,
      List<String> shards,
      boolean stripsShardLabel,
      boolean exactSums) {
    this.routing = requireNonNull(routing, "routing is null");
    this.shardLabel = requireNonNull(shardLabel, "shardLabel is null");
    this.shards = List.copyOf(shards);
    this.stripsShardLabel = stripsShardLabel;
    this.exactSums = exactSums;
  }

  /**
   * @param labelName the decoded {@code <name>} of {@code label/<name>/values}, else null
   */
  Route route(Endpoint endpoint, String labelName, Params params) {
    if (endpoint == Endpoint.SERIES && params.formError() != null) {
      // Prometheus's series handler alone checks ParseForm's error; the others read what parsed.
      throw new ApiException(ApiError.badData("error parsing form values: " + params.formError()));
    }
    ApiParameters.validate(endpoint, params::values);
    return switch (endpoint) {
      case QUERY, QUERY_RANGE, QUERY_EXEMPLARS -> query(endpoint, params);
      case SERIES, LABELS -> matchers(endpoint, endpoint.path(), params);
      case LABEL_VALUES -> labelValues(labelName, params);
      case METADATA ->
          new Route(
              endpoint,
              endpoint.path(),
              allShards(params, false),
              Route.Combine.MERGE,
              List.of(),
              null);
      case RULES, ALERTS ->
          new Route(
              endpoint,
              endpoint.path(),
              allShards(params, true),
              Route.Combine.MERGE,
              List.of(),
              null);
      case BUILD_INFO -> firstShard(endpoint, params);
      case PARSE_QUERY -> parseQuery(params);
      case FORMAT_QUERY -> formatQuery(params);
    };
  }

  private Route query(Endpoint endpoint, Params params) {
    String query = params.first("query");
    RoutedQuery routed = routed(endpoint, query);
    return withEvaluationErrors(query(endpoint, params, query, routed), query, routed.sharded());
  }

  /** {@code route}, its shards' evaluation errors worded as the global view words them. */
  private Route withEvaluationErrors(Route route, String query, ShardedQuery routed) {
    if (!stripsShardLabel || routed.shards().isEmpty()) {
      return route;
    }
    // The shards' series lack the shard label: their evaluation errors print label sets without it.
    List<String> routedShards = routed.shards();
    return route.withEvaluationErrors(
        (shard, message) -> routing.evaluationError(query, routedShards, shard, message));
  }

  private RoutedQuery routed(Endpoint endpoint, String query) {
    RoutedQuery routed;
    try {
      // A routing that remembers each query's routing remembers the router's work on it too.
      routed =
          routing instanceof CachedRouting cached
              ? cached.routed(query)
              : new RoutedQuery(routing.rewrite(query));
    } catch (PromQLParseException e) {
      // Prometheus wraps query and query_range parse errors (query_range only since 2.44);
      // query_exemplars answers them bare.
      boolean bare =
          endpoint == Endpoint.QUERY_EXEMPLARS
              || (endpoint == Endpoint.QUERY_RANGE && routing.bareRangeQueryParseErrors());
      String message = bare ? e.getMessage() : "invalid parameter \"query\": " + e.getMessage();
      throw new ApiException(ApiError.badData(message));
    } catch (ShardRoutingException e) {
      throw new ApiException(ApiError.badData(e.getMessage()));
    }
    return routed;
  }

  private Route query(Endpoint endpoint, Params params, String query, RoutedQuery asked) {
    ShardedQuery routed = asked.sharded();
    if (endpoint != Endpoint.QUERY_EXEMPLARS && EXPLAIN_VALUE.equals(params.first(EXPLAIN))) {
      return explain(endpoint, query, routed);
    }
    Params forwarded = params.replacing("query", List.of(routed.query()));
    if (endpoint == Endpoint.QUERY_EXEMPLARS) {
      // Exemplars come with the labels of the raw series they belong to, whatever the query does
      // with them: those series carry the shard label in the global view (a shard that stores it
      // keeps its own).
      routed =
          new ShardedQuery(
              routed.shardLabel(),
              routed.shards(),
              routed.expr(),
              routed.query(),
              true,
              routed.execution(),
              routed.warnings(),
              routed.crossShardReason(),
              routed.selectorShards());
    }
    if (!hasSelector(routed.expr())) {
      // 1+1, time(), vector(1): every shard answers the same, and no series carries a shard.
      return anyOneShard(endpoint, forwarded, Route.Combine.SINGLE, routed.warnings());
    }
    switch (routed.execution()) {
      case NONE -> {
        // No known shard: one shard evaluates the query over no series (routed.query() matches
        // nothing there), because absent(), "or vector(0)" and scalar() make values of emptiness.
        return anyOneShard(endpoint, forwarded, Route.Combine.SINGLE, routed.warnings());
      }
      case SINGLE_SHARD -> {
        return new Route(
            endpoint,
            endpoint.path(),
            List.of(new Route.Call(routed.shards().get(0), forwarded, routed.addShardLabel())),
            Route.Combine.SINGLE,
            routed.warnings(),
            null);
      }
      case CONCATENATE -> {
        return fanOut(endpoint, routed, forwarded, asked);
      }
      case CONCATENATE_IF_RANGE -> {
        // Exemplars belong to series, whatever their order: no merge of values either.
        return endpoint == Endpoint.QUERY
            ? crossShard(endpoint, asked, params, query)
            : fanOut(endpoint, routed, forwarded, asked);
      }
      case CROSS_SHARD_MERGE -> {
        if (endpoint == Endpoint.QUERY_EXEMPLARS) {
          if (routed.selectorShards() != null) {
            // Selectors reading different shards: each shard gets the selectors that read it.
            List<Route.Call> calls = new ArrayList<>();
            for (String shard : routed.shards()) {
              String part = PromQL.print(routed.selectorShards().forShard(routed.expr(), shard));
              calls.add(new Route.Call(shard, params.replacing("query", List.of(part)), true));
            }
            return new Route(
                endpoint,
                endpoint.path(),
                calls,
                calls.size() == 1 ? Route.Combine.SINGLE : Route.Combine.MERGE,
                routed.warnings(),
                null);
          }
          return fanOut(
              endpoint, routed, forwarded, asked); // exemplars belong to series: no merge of values
        }
        return crossShard(endpoint, asked, params, query);
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /**
   * The request parameter that asks for the plan instead of the answer: {@code explain=true} on
   * {@code /api/v1/query} and {@code /api/v1/query_range} answers {@code {"status":"success",
   * "data":<plan>}} without asking any shard (see {@link
   * io.promroute.plan.QueryPlan#explainJson()}).
   */
  static final String EXPLAIN = "explain";

  private static final String EXPLAIN_VALUE = "true";

  /** The plan of a query any one shard answers alone, sent as {@code routed.query()}. */
  private String oneShardExplanation(String asked, ShardedQuery routed, String router) {
    return wholeQueryExplanation(asked, routed, List.of(shards.get(0)), false, router);
  }

  /**
   * The plan of a query that each of {@code asked} evaluates whole, sent as {@code routed.query()}.
   */
  private static String wholeQueryExplanation(
      String asked,
      ShardedQuery routed,
      List<String> shards,
      boolean addsShardLabel,
      String router) {
    StringBuilder quoted = new StringBuilder();
    for (String shard : shards) {
      quoted.append(quoted.length() == 0 ? "" : ",").append(GoJson.quote(shard));
    }
    return "{\"query\":"
        + GoJson.quote(asked)
        + ",\"shardLabel\":"
        + GoJson.quote(routed.shardLabel())
        + ",\"shards\":["
        + quoted
        + "],\"shardQueries\":[{\"query\":"
        + GoJson.quote(routed.query())
        + ",\"addsShardLabel\":"
        + addsShardLabel
        + "}],\"router\":"
        + GoJson.quote(router)
        + "}";
  }

  /**
   * The plan of {@code routed}; its {@code query} is the client's, {@code asked}, in every case.
   */
  private Route explain(Endpoint endpoint, String asked, ShardedQuery routed) {
    String data;
    if (routed.shards().isEmpty()) {
      data =
          oneShardExplanation(
              asked,
              routed,
              "the answer of one shard over no series: the query selects no known shard");
    } else if (!hasSelector(routed.expr())) {
      data =
          oneShardExplanation(asked, routed, "the answer of one shard: the query reads no series");
    } else if (routed.execution() == ShardedQuery.Execution.SINGLE_SHARD
        || routed.execution() == ShardedQuery.Execution.CONCATENATE_IF_RANGE
            && endpoint == Endpoint.QUERY_RANGE) {
      data =
          wholeQueryExplanation(
              asked,
              routed,
              routed.shards(),
              routed.addShardLabel(),
              routed.execution() == ShardedQuery.Execution.SINGLE_SHARD
                  ? "the answer of the one shard the query reads, which evaluates it whole"
                  : "the shards' answers merged series by series as they stream: a range query's"
                      + " result is ordered by labels, whatever the query's sort says");
    } else {
      try {
        data =
            io.promroute.plan.QueryPlanner.plan(routed, stripsShardLabel, exactSums)
                .explainJson(asked);
      } catch (ShardRoutingException e) {
        throw new ApiException(ApiError.badData(e.getMessage()));
      }
    }
    String body = "{\"status\":\"success\",\"data\":" + data + "}";
    return Route.local(
        endpoint, out -> out.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /**
   * A query the router computes from the shards' answers (io.promroute.plan): every shard query
   * goes to every selected shard with the same evaluation times; an instant query without {@code
   * time} gets one fixed time for all shards.
   */
  private Route crossShard(Endpoint endpoint, RoutedQuery asked, Params params, String query) {
    return crossShard(
        endpoint, asked.sharded(), params, query, () -> asked.plan(stripsShardLabel, exactSums));
  }

  /**
   * The request's query planned with every operation between vectors of several shards matched by
   * the router: the route to take when a guarded shard query ({@link Route#guarded()}) failed with
   * a one-side duplicate, which only the router can tell from the global evaluation's.
   *
   * @param endpoint {@code query} or {@code query_range}
   * @param params the request's parameters
   * @return the route, never guarded
   * @throws ApiException when the query cannot be planned so (answer the shard's error then)
   */
  Route routeWithRouterMatching(Endpoint endpoint, Params params) {
    String query = params.first("query");
    ShardedQuery routed = routing.rewrite(query);
    Route route =
        crossShard(
            endpoint,
            routed,
            params,
            query,
            () -> io.promroute.plan.QueryPlanner.plan(routed, stripsShardLabel, exactSums, true));
    if (route.guarded()) {
      // Its guarded query's duplicate error would ask for this route again, and again.
      throw new IllegalStateException("the router-matching plan of " + query + " is guarded");
    }
    return withEvaluationErrors(route, query, routed);
  }

  /**
   * The route of a query the router computes from its shards' answers, by {@code plan}.
   *
   * @param plan plans the query, or throws {@link ShardRoutingException} when it cannot be
   */
  private Route crossShard(
      Endpoint endpoint,
      ShardedQuery routed,
      Params params,
      String query,
      java.util.function.Supplier<io.promroute.plan.QueryPlan> plan) {
    ValueType type = routed.expr().type();
    if (endpoint == Endpoint.QUERY_RANGE
        && type != ValueType.INSTANT_VECTOR
        && type != ValueType.SCALAR) {
      // A shard refuses it itself; a plan the router evaluates must too, in Prometheus's words.
      throw new ApiException(
          ApiError.badData(
              "invalid expression type \""
                  + type.description()
                  + "\" for range query, must be Scalar or instant Vector"));
    }
    io.promroute.plan.QueryPlan queryPlan;
    try {
      queryPlan = plan.get();
    } catch (ShardRoutingException e) {
      throw new ApiException(
          ApiError.badData(
              "query "
                  + GoQuote.quote(query)
                  + " combines series of several shards ("
                  + String.join(", ", routed.shards())
                  + ") and "
                  + e.getMessage()
                  + "; select one shard with a matcher on label "
                  + GoQuote.quote(shardLabel)
                  + ", or keep the label in the result (e.g. by ("
                  + shardLabel
                  + "))"));
    }
    Params base = params;
    Route.CrossShard crossShard;
    List<io.promroute.plan.QueryPlan.ShardRequest> requests;
    if (endpoint == Endpoint.QUERY) {
      String time = params.first("time");
      long millis =
          time.isEmpty() ? System.currentTimeMillis() : ApiParameters.timestampMillis("time", time);
      if (time.isEmpty()) {
        base = base.replacing("time", List.of(secondsOf(millis)));
      }
      crossShard = new Route.CrossShard(queryPlan, false, millis, millis, 1);
      requests = queryPlan.instantRequests(millis);
    } else {
      long start = ApiParameters.timestampMillis("start", params.first("start"));
      long end = ApiParameters.timestampMillis("end", params.first("end"));
      long step = ApiParameters.parseDuration("step", params.first("step")).toMillis();
      crossShard = new Route.CrossShard(queryPlan, true, start, end, step);
      requests = queryPlan.rangeRequests(start, end, step);
    }
    List<Route.Call> calls = new ArrayList<>();
    for (io.promroute.plan.QueryPlan.ShardRequest request : requests) {
      Params forwarded = base.replacing("query", List.of(request.query()));
      String apiPath = null;
      boolean ownGrid =
          request.range()
              && (endpoint == Endpoint.QUERY
                  || request.startMillis() != crossShard.start()
                  || request.endMillis() != crossShard.end()
                  || request.stepMillis() != crossShard.step());
      if (ownGrid) {
        // A subquery over merged values: its inner query is a range query on the subquery's grid.
        apiPath = Endpoint.QUERY_RANGE.path();
        forwarded =
            forwarded
                .replacing("start", List.of(secondsOf(request.startMillis())))
                .replacing("end", List.of(secondsOf(request.endMillis())))
                .replacing("step", List.of(secondsOf(request.stepMillis())));
      } else if (!request.range()
          && (endpoint == Endpoint.QUERY_RANGE || request.startMillis() != crossShard.start())) {
        // Raw samples of a range argument: an instant query at the last step the router evaluates.
        apiPath = Endpoint.QUERY.path();
        forwarded = forwarded.replacing("time", List.of(secondsOf(request.startMillis())));
      }
      for (int shard = 0; shard < queryPlan.shards().size(); shard++) {
        // The selectors of a query may read different shards: then each shard gets its own query.
        Params shardParams =
            request.shardQueries() == null
                ? forwarded
                : forwarded.replacing("query", List.of(request.queryFor(shard)));
        calls.add(new Route.Call(queryPlan.shards().get(shard), shardParams, false, apiPath));
      }
    }
    Route route =
        new Route(
            endpoint,
            endpoint.path(),
            calls,
            Route.Combine.CROSS_SHARD,
            routed.warnings(),
            null,
            crossShard);
    return queryPlan.guarded() ? route.asGuarded() : route;
  }

  private static String secondsOf(long millis) {
    return Math.floorDiv(millis, 1000) + "." + String.format("%03d", Math.floorMod(millis, 1000));
  }

  /**
   * Each shard evaluates {@code routed} over its own series.
   *
   * @param asked the routing of the request's query, which remembers its guarded shard query
   */
  private Route fanOut(
      Endpoint endpoint, ShardedQuery routed, Params forwarded, RoutedQuery asked) {
    if (endpoint == Endpoint.QUERY
        && routed.shards().size() > 1
        && forwarded.first("time").isEmpty()) {
      // One Prometheus evaluates the whole query at one instant; shards left to pick their own
      // "now" would each stamp their samples with a different time.
      forwarded = forwarded.replacing("time", List.of(secondsOf(System.currentTimeMillis())));
    }
    boolean guarded = false;
    if (endpoint != Endpoint.QUERY_EXEMPLARS && routed.shards().size() > 1) {
      // Every shard evaluates the whole query over its own series: see EmptySideGuard.
      String guardedQuery = asked.guardedQuery(shardLabel);
      if (guardedQuery != null) {
        forwarded = forwarded.replacing("query", List.of(guardedQuery));
        guarded = true;
      }
    }
    List<Route.Call> calls = new ArrayList<>();
    for (String shard : routed.shards()) {
      calls.add(new Route.Call(shard, forwarded, routed.addShardLabel()));
    }
    Route.Combine combine = calls.size() == 1 ? Route.Combine.SINGLE : Route.Combine.MERGE;
    Route route = new Route(endpoint, endpoint.path(), calls, combine, routed.warnings(), null);
    return guarded ? route.asGuarded() : route;
  }

  /** series, labels, label values: each match[] goes to the shards it selects. */
  private Route matchers(Endpoint endpoint, String apiPath, Params params) {
    List<String> matches = params.values("match[]");
    if (matches.isEmpty()) {
      return new Route(
          endpoint,
          apiPath,
          allShards(params, true),
          combineFor(endpoint, shards.size()),
          List.of(),
          null);
    }
    Map<String, List<String>> selectorsByShard = new LinkedHashMap<>();
    Map<String, Boolean> addLabel = new LinkedHashMap<>();
    shards.forEach(shard -> selectorsByShard.put(shard, new ArrayList<>()));
    List<String> warnings = new ArrayList<>();
    // As Prometheus: every match[] is parsed first, then each must have a non-empty matcher.
    String prefix = endpoint == Endpoint.SERIES ? "invalid parameter \"match[]\": " : "";
    List<VectorSelector> parsed = new ArrayList<>();
    for (String match : matches) {
      try {
        parsed.add(routing.parseSelector(match));
      } catch (PromQLParseException e) {
        throw new ApiException(ApiError.badData(prefix + e.getMessage()));
      }
    }
    for (VectorSelector selector : parsed) {
      if (!PromQL.hasNonEmptyMatcher(selector)) {
        throw new ApiException(
            ApiError.badData(prefix + "match[] must contain at least one non-empty matcher"));
      }
    }
    for (String match : matches) {
      ShardedQuery routed;
      try {
        routed = routing.rewriteSelector(match);
      } catch (PromQLParseException e) {
        throw new ApiException(ApiError.badData(prefix + e.getMessage()));
      } catch (ShardRoutingException e) {
        throw new ApiException(ApiError.badData(e.getMessage()));
      }
      warnings.addAll(routed.warnings());
      for (String shard : routed.shards()) {
        List<String> selectors = selectorsByShard.get(shard);
        if (selectors != null && !selectors.contains(routed.query())) {
          selectors.add(routed.query());
          addLabel.merge(shard, routed.addShardLabel(), Boolean::logicalOr);
        }
      }
    }
    List<Route.Call> calls = new ArrayList<>();
    selectorsByShard.forEach(
        (shard, selectors) -> {
          if (!selectors.isEmpty()) {
            calls.add(
                new Route.Call(shard, params.replacing("match[]", selectors), addLabel.get(shard)));
          }
        });
    if (calls.isEmpty()) {
      List<String> allWarnings = List.copyOf(warnings);
      return Route.local(
          endpoint,
          out ->
              ResponseTransformer.emptyResult(endpoint, "vector", Instant.now(), out, allWarnings));
    }
    return new Route(endpoint, apiPath, calls, combineFor(endpoint, calls.size()), warnings, null);
  }

  private static Route.Combine combineFor(Endpoint endpoint, int shardCount) {
    // labels always merges: the shard label's name must join the union.
    return shardCount == 1 && endpoint != Endpoint.LABELS
        ? Route.Combine.SINGLE
        : Route.Combine.MERGE;
  }

  private Route labelValues(String name, Params params) {
    if (name == null || !LabelNames.isLegacy(name)) {
      throw new ApiException(
          ApiError.badData("invalid label name: " + GoQuote.quote(name == null ? "" : name)));
    }
    if (!name.equals(shardLabel)) {
      return matchers(Endpoint.LABEL_VALUES, "/api/v1/label/" + name + "/values", params);
    }
    if (params.values("match[]").isEmpty()) {
      if (params.first("start").isEmpty() && params.first("end").isEmpty()) {
        List<String> keys = shards;
        return Route.local(
            Endpoint.LABEL_VALUES, out -> ResponseTransformer.stringList(keys, out, List.of()));
      }
      // Bounded in time, Prometheus answers the values of the series it holds in that time: a
      // shard with no series there has no key in the answer (the data ended, or not begun).
      return new Route(
          Endpoint.LABEL_VALUES,
          Endpoint.LABELS.path(),
          allShards(params, true),
          Route.Combine.SHARD_KEYS,
          List.of(),
          null);
    }
    // The shard keys that have series matching match[]: ask each selected shard for its label
    // names.
    Route names = matchers(Endpoint.LABELS, Endpoint.LABELS.path(), params);
    if (names.local() != null) {
      return new Route(
          Endpoint.LABEL_VALUES,
          names.apiPath(),
          List.of(),
          Route.Combine.SINGLE,
          names.warnings(),
          out -> ResponseTransformer.stringList(List.of(), out, names.warnings()));
    }
    return new Route(
        Endpoint.LABEL_VALUES,
        Endpoint.LABELS.path(),
        names.calls(),
        Route.Combine.SHARD_KEYS,
        names.warnings(),
        null);
  }

  private List<Route.Call> allShards(Params params, boolean addShardLabel) {
    List<Route.Call> calls = new ArrayList<>();
    for (String shard : shards) {
      calls.add(new Route.Call(shard, params, addShardLabel));
    }
    return calls;
  }

  private Route firstShard(Endpoint endpoint, Params params) {
    return anyOneShard(endpoint, params, Route.Combine.PASS_THROUGH, List.of());
  }

  /**
   * One call, without the shard label, to the first shard, and to the others in turn while it
   * fails: the request is one that every shard answers the same.
   */
  private Route anyOneShard(
      Endpoint endpoint, Params params, Route.Combine combine, List<String> warnings) {
    return new Route(
            endpoint,
            endpoint.path(),
            List.of(new Route.Call(shards.get(0), params, false)),
            combine,
            warnings,
            null)
        .answerableByAnyShard(shards);
  }

  private Route formatQuery(Params params) {
    String query = params.first("query");
    String formatted;
    try {
      formatted = PromQL.prettyPrint(routing.parse(query));
    } catch (PromQLParseException e) {
      throw new ApiException(ApiError.badData("invalid parameter \"query\": " + e.getMessage()));
    } catch (UnsupportedOperationException notYetBuilt) {
      // Until core's printer exists, a shard formats it: the query is not rewritten, so the answer
      // is the same.
      return firstShard(Endpoint.FORMAT_QUERY, params);
    }
    return Route.local(Endpoint.FORMAT_QUERY, out -> writeStringData(formatted, out));
  }

  private Route parseQuery(Params params) {
    Expr expr;
    try {
      expr = routing.parse(params.first("query"));
    } catch (PromQLParseException e) {
      throw new ApiException(ApiError.badData("invalid parameter \"query\": " + e.getMessage()));
    } catch (UnsupportedOperationException notAvailable) {
      return firstShard(
          Endpoint.PARSE_QUERY, params); // a shard parses the unchanged query the same way
    }
    return Route.local(
        Endpoint.PARSE_QUERY, out -> ResponseTransformer.parseQueryAnswer(expr, out));
  }

  private static void writeStringData(String data, OutputStream out) throws IOException {
    // {"status":"success","data":"..."} with Prometheus's escapes, through the shared generator
    // setup.
    ResponseTransformer.stringData(data, out);
  }

  static boolean hasSelector(Expr expr) {
    // Iterative: a long operator chain is as deep as it is long.
    return io.promroute.promql.ast.ExprWalk.anyMatch(
        expr, node -> node instanceof VectorSelector || node instanceof MatrixSelector);
  }
}
