package io.promroute.plan;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.promroute.api.ApiException;
import io.promroute.api.Cancellation;
import io.promroute.api.QueryResult;
import io.promroute.api.SampleLimit;
import io.promroute.compat.GoJson;
import io.promroute.internal.DeepStack;
import io.promroute.promql.ast.ValueType;
import io.promroute.shard.ShardedQuery;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A planned cross-shard query: the queries to send to every selected shard ({@link
 * #shardQueries()}), and how the router computes the answer from theirs ({@link #evaluateInstant},
 * {@link #evaluateRange}). Immutable; {@link #toString()} prints the plan, {@link #explainJson()}
 * describes it for users.
 *
 * <p>For a range query every shard must be asked with the same {@code start}, {@code end} and
 * {@code step} as the router evaluates with, and for an instant query with the same {@code time}:
 * the router then merges step by step and never re-applies lookback.
 */
public final class QueryPlan {

  private static final JsonFactory JSON = GoJson.factory();

  private final ShardedQuery query;
  private final PlanNode root;
  private final List<PlanNode.Fetch> fetches;

  private final boolean guarded;

  QueryPlan(ShardedQuery query, PlanNode root, List<PlanNode.Fetch> fetches, boolean guarded) {
    this.query = query;
    this.root = root;
    this.fetches = List.copyOf(fetches);
    this.guarded = guarded;
  }

  /**
   * Whether a shard query is guarded ({@link io.promroute.shard.EmptySideGuard}): a one-side
   * duplicate error from a shard then calls for the plan that matches in the router ({@link
   * QueryPlanner#plan(ShardedQuery, boolean, boolean, boolean)}), not for answering it.
   *
   * @return {@code true} when some shard query got a guard
   */
  public boolean guarded() {
    return guarded;
  }

  /** The shards to ask, in order: the answers of {@link #evaluateInstant} are in this order. */
  public List<String> shards() {
    return query.shards();
  }

  /**
   * What to ask every shard for one shard query: an instant query at {@code startMillis}, or a
   * range query. Shard queries of a subquery over merged values are range queries on the subquery's
   * grid, whatever the request.
   *
   * @param query the PromQL
   * @param range a range query ({@code /api/v1/query_range}), else instant
   * @param startMillis the time of an instant query, the start of a range query
   * @param endMillis the end of a range query
   * @param stepMillis the step of a range query
   * @param shardQueries when the query's selectors read different shards: the PromQL for each shard
   *     of {@link #shards()}, in order ({@link #queryFor}); null when every shard gets {@code
   *     query}
   */
  public record ShardRequest(
      String query,
      boolean range,
      long startMillis,
      long endMillis,
      long stepMillis,
      List<String> shardQueries) {
    public ShardRequest {
      shardQueries = shardQueries == null ? null : List.copyOf(shardQueries);
    }

    /** A request whose query every shard gets. */
    public ShardRequest(
        String query, boolean range, long startMillis, long endMillis, long stepMillis) {
      this(query, range, startMillis, endMillis, stepMillis, null);
    }

    /** The PromQL to send to shard {@code shards().get(shard)}. */
    public String queryFor(int shard) {
      return shardQueries == null ? query : shardQueries.get(shard);
    }
  }

  /**
   * The most points one shard request on a subquery's grid asks for: Prometheus refuses a range
   * query of more than 11,000 points per series ("exceeded maximum resolution"), and a longer grid
   * (a 30-day panel of a subquery over merged values, {@code [3h:1s]}) is asked for in chunks, sent
   * in parallel like every other request.
   */
  static final int MAX_POINTS_PER_REQUEST = 10_000;

  /** A request and the shard query it answers (a subquery's grid may take several). */
  private record Request(int fetch, ShardRequest request) {}

  /**
   * The requests for an instant query at {@code timeMillis}: one per shard query, in order, but
   * that the range query of a long subquery grid is split into consecutive chunks.
   */
  public List<ShardRequest> instantRequests(long timeMillis) {
    return shardRequests(requests(false, timeMillis, timeMillis, 0));
  }

  /** The requests for a range query, as {@link #instantRequests}. */
  public List<ShardRequest> rangeRequests(long startMillis, long endMillis, long stepMillis) {
    return shardRequests(requests(true, startMillis, endMillis, stepMillis));
  }

  private static List<ShardRequest> shardRequests(List<Request> requests) {
    List<ShardRequest> shardRequests = new ArrayList<>(requests.size());
    for (Request request : requests) {
      shardRequests.add(request.request());
    }
    return shardRequests;
  }

  private List<Request> requests(boolean range, long startMillis, long endMillis, long stepMillis) {
    List<Request> requests = new ArrayList<>(fetches.size());
    for (int f = 0; f < fetches.size(); f++) {
      PlanNode.Fetch fetch = fetches.get(f);
      PlanNode.Grid grid = fetch.grid();
      if (fetch.raw() != null) {
        // Raw samples: one instant query for the steps it is evaluated at, the request's or its
        // grid's.
        long firstStep = grid == null ? startMillis : grid.start(startMillis, endMillis);
        long lastStep = grid == null ? endMillis : grid.end(startMillis, endMillis);
        requests.add(new Request(f, fetch.rawRequest(firstStep, lastStep, startMillis, endMillis)));
        continue;
      }
      List<String> perShard = fetch.shardQueriesFor(startMillis, endMillis);
      if (grid == null) {
        requests.add(
            new Request(
                f,
                new ShardRequest(
                    fetch.query(),
                    range,
                    startMillis,
                    range ? endMillis : startMillis,
                    range ? stepMillis : 0,
                    perShard)));
        continue;
      }
      String query = fetch.queryFor(startMillis, endMillis);
      long step = grid.stepMillis();
      long end = grid.end(startMillis, endMillis);
      for (long from = grid.start(startMillis, endMillis); ; ) {
        long to = Math.min(end, from + (MAX_POINTS_PER_REQUEST - 1) * step);
        requests.add(new Request(f, new ShardRequest(query, true, from, to, step, perShard)));
        if (to >= end) {
          break;
        }
        from = to + step;
      }
    }
    return requests;
  }

  /** The queries to send to every shard of {@link #shards()}, in order. */
  public List<String> shardQueries() {
    List<String> queries = new ArrayList<>(fetches.size());
    for (PlanNode.Fetch fetch : fetches) {
      queries.add(fetch.query());
    }
    return queries;
  }

  /**
   * Computes the answer of an instant query.
   *
   * @param timeMillis the evaluation time every shard was asked with
   * @param answers {@code answers.get(r).get(s)}: the answer of shard {@code shards().get(s)} to
   *     {@code instantRequests(timeMillis).get(r)} (one request per shard query of {@link
   *     #shardQueries()}, in order, unless a long subquery grid is asked for in chunks)
   * @return the global answer
   * @throws ApiException with a 422 {@code execution} error where Prometheus raises one
   *     (many-to-many matching, duplicate series, ...)
   */
  public QueryResult evaluateInstant(long timeMillis, List<List<QueryResult>> answers) {
    return evaluateInstant(timeMillis, answers, Cancellation.none(), SampleLimit.unlimited());
  }

  /**
   * {@link #evaluateInstant(long, List)}, stopping when {@code cancellation} says so and counting
   * the samples the evaluation holds against {@code samples}.
   *
   * @throws ApiException also 503 {@code timeout} or 499 {@code canceled} from {@link
   *     Cancellation#check()}, 422 {@code execution} from {@link SampleLimit#add}
   */
  public QueryResult evaluateInstant(
      long timeMillis,
      List<List<QueryResult>> answers,
      Cancellation cancellation,
      SampleLimit samples) {
    return deep(samples, () -> instant(timeMillis, answers, cancellation, samples));
  }

  /** Evaluation recurses over the plan: see DeepStack. A rerun starts its sample count afresh. */
  private static QueryResult deep(
      SampleLimit samples, java.util.function.Supplier<QueryResult> evaluation) {
    long before = samples.held();
    return DeepStack.call(
        () -> {
          samples.release(samples.held() - before);
          return evaluation.get();
        },
        () ->
            new ApiException(
                new io.promroute.api.ApiError(
                    422, "execution", "query is nested too deeply to evaluate")));
  }

  private QueryResult instant(
      long timeMillis,
      List<List<QueryResult>> answers,
      Cancellation cancellation,
      SampleLimit samples) {
    List<Request> requests = requests(false, timeMillis, timeMillis, 0);
    if (root instanceof PlanNode.Fetch fetch && resultType() == ValueType.RANGE_VECTOR) {
      // A range vector sent whole (a subquery whose selectors read different shards): the shards'
      // matrices, whose points are not at the query's time, concatenated.
      return shardMatrices(fetch, requests, answers, samples);
    }
    EvalContext context = context(requests, answers, timeMillis, timeMillis, cancellation, samples);
    Value value;
    try {
      value = root.evaluate(context, timeMillis);
    } catch (ApiException e) {
      throw inPrometheusOrder(e, context, List.of(timeMillis));
    }
    List<String> warnings = warnings(answers);
    if (value instanceof Value.Scalar scalar) {
      return new QueryResult(
          QueryResult.Type.SCALAR,
          List.of(point(Labels.EMPTY, timeMillis, scalar.value())),
          warnings);
    }
    if (value instanceof Value.Str) {
      throw new IllegalStateException("a string query is never planned across shards");
    }
    if (value instanceof Value.Matrix matrix) {
      // A subquery over merged values at the top: its points, as Prometheus answers (x)[10m:1m].
      List<QueryResult.Series> series = new ArrayList<>();
      for (Value.Series one : matrix.series()) {
        List<QueryResult.Point> points = new ArrayList<>(one.times().length);
        for (int i = 0; i < one.times().length; i++) {
          points.add(new QueryResult.Point(one.times()[i], one.values()[i]));
        }
        series.add(new QueryResult.Series(one.labels().toList(), points));
      }
      return new QueryResult(QueryResult.Type.MATRIX, series, warnings);
    }
    List<QueryResult.Series> series = new ArrayList<>();
    for (Sample sample : PlanNode.Nodes.vector(value)) {
      series.add(
          new QueryResult.Series(sample.labels().toList(), List.of(point(timeMillis, sample))));
    }
    return new QueryResult(QueryResult.Type.VECTOR, series, warnings);
  }

  /**
   * Computes the answer of a range query: the plan evaluated at every step, series merged by label
   * set, series without points dropped, sorted by labels.
   *
   * @param startMillis the start every shard was asked with
   * @param endMillis the end
   * @param stepMillis the step, positive
   * @param answers as for {@link #evaluateInstant}, to {@code rangeRequests(startMillis, endMillis,
   *     stepMillis)}
   * @return the global answer, a matrix
   */
  public QueryResult evaluateRange(
      long startMillis, long endMillis, long stepMillis, List<List<QueryResult>> answers) {
    return evaluateRange(
        startMillis, endMillis, stepMillis, answers, Cancellation.none(), SampleLimit.unlimited());
  }

  /**
   * {@link #evaluateRange(long, long, long, List)}, checking {@code cancellation} at every step and
   * counting the answer's samples against {@code samples}.
   *
   * @throws ApiException also 503 {@code timeout} or 499 {@code canceled} from {@link
   *     Cancellation#check()}, 422 {@code execution} from {@link SampleLimit#add}
   */
  public QueryResult evaluateRange(
      long startMillis,
      long endMillis,
      long stepMillis,
      List<List<QueryResult>> answers,
      Cancellation cancellation,
      SampleLimit samples) {
    if (stepMillis <= 0) {
      throw new IllegalArgumentException("step must be positive, got " + stepMillis);
    }
    return deep(
        samples, () -> range(startMillis, endMillis, stepMillis, answers, cancellation, samples));
  }

  private QueryResult range(
      long startMillis,
      long endMillis,
      long stepMillis,
      List<List<QueryResult>> answers,
      Cancellation cancellation,
      SampleLimit samples) {
    EvalContext context =
        context(
            requests(true, startMillis, endMillis, stepMillis),
            answers,
            startMillis,
            endMillis,
            cancellation,
            samples);
    Map<Labels, List<QueryResult.Point>> series = new HashMap<>();
    for (long time = startMillis; time <= endMillis; time += stepMillis) {
      cancellation.check();
      Value value;
      try {
        value = root.evaluate(context, time);
      } catch (ApiException e) {
        List<Long> times = new ArrayList<>();
        for (long t = startMillis; t <= endMillis; t += stepMillis) {
          times.add(t);
        }
        throw inPrometheusOrder(e, context, times);
      }
      if (value instanceof Value.Scalar scalar) {
        samples.add(1);
        series
            .computeIfAbsent(Labels.EMPTY, unused -> new ArrayList<>())
            .add(new QueryResult.Point(time, scalar.value()));
      } else {
        List<Sample> vector = PlanNode.Nodes.vector(value);
        samples.add(vector.size());
        for (Sample sample : vector) {
          series
              .computeIfAbsent(sample.labels(), unused -> new ArrayList<>())
              .add(point(time, sample));
        }
      }
    }
    List<Labels> order = new ArrayList<>(series.keySet());
    order.sort(null);
    List<QueryResult.Series> matrix = new ArrayList<>(order.size());
    for (Labels labels : order) {
      matrix.add(new QueryResult.Series(labels.toList(), series.get(labels)));
    }
    return new QueryResult(QueryResult.Type.MATRIX, matrix, warnings(answers));
  }

  /** {@code raised}, or the evaluation error Prometheus raises before it ({@link ErrorOrder}). */
  private ApiException inPrometheusOrder(
      ApiException raised, EvalContext context, List<Long> times) {
    return ErrorOrder.isEvaluationError(raised)
        ? ErrorOrder.prometheusFirst(raised, root, context, times)
        : raised;
  }

  private static QueryResult.Point point(long time, Sample sample) {
    return new QueryResult.Point(time, sample.value(), sample.histogram());
  }

  private static QueryResult.Series point(Labels labels, long time, double value) {
    return new QueryResult.Series(labels.toList(), List.of(new QueryResult.Point(time, value)));
  }

  /**
   * The answers by shard query, shard and step.
   *
   * @param requests the requests {@code answers} answer, in order
   */
  private EvalContext context(
      List<Request> requests,
      List<List<QueryResult>> answers,
      long startMillis,
      long endMillis,
      Cancellation cancellation,
      SampleLimit samples) {
    requireNonNull(cancellation, "cancellation is null");
    requireNonNull(samples, "samples is null");
    requireNonNull(answers, "answers is null");
    if (answers.size() != requests.size()) {
      throw new IllegalArgumentException(
          "expected answers to " + requests.size() + " shard requests, got " + answers.size());
    }
    List<List<Map<Long, List<Sample>>>> byQuery = new ArrayList<>();
    List<Integer> keyOrder = shardsInKeyOrder();
    for (int q = 0; q < fetches.size(); q++) {
      List<Map<Long, List<Sample>>> byShard = new ArrayList<>();
      for (int unused = 0; unused < keyOrder.size(); unused++) {
        byShard.add(new HashMap<>());
      }
      byQuery.add(byShard);
    }
    Map<Integer, List<Value.Series>> raw = new HashMap<>();
    for (int r = 0; r < requests.size(); r++) {
      PlanNode.Fetch fetch = fetches.get(requests.get(r).fetch());
      List<QueryResult> shardAnswers = answers.get(r);
      if (shardAnswers.size() != shards().size()) {
        throw new IllegalArgumentException(
            "expected "
                + shards().size()
                + " shard answers to \""
                + fetch.query()
                + "\", got "
                + shardAnswers.size());
      }
      if (fetch.raw() != null) {
        raw.put(fetch.index(), rawSeries(fetch, shardAnswers));
        continue;
      }
      // Shard after shard in key order, the order in which the global engine meets their series
      // (label order, the shard label right after the metric name for most label sets). Chunks of
      // one grid hold different steps.
      for (int k = 0; k < keyOrder.size(); k++) {
        int s = keyOrder.get(k);
        Map<Long, List<Sample>> bySteps = byQuery.get(fetch.index()).get(k);
        for (QueryResult.Series series : shardAnswers.get(s).series()) {
          Labels labels = Labels.of(series.labels());
          if (fetch.addsShardLabel()) {
            labels = labels.with(query.shardLabel(), shards().get(s));
          }
          for (QueryResult.Point point : series.points()) {
            bySteps
                .computeIfAbsent(point.timestampMillis(), unused -> new ArrayList<>())
                .add(new Sample(labels, point.value(), point.histogram()));
          }
        }
      }
    }
    return new EvalContext(byQuery, cancellation, samples, startMillis, endMillis, raw);
  }

  /** The shards' answers to {@code fetch}, a range vector, concatenated in shard key order. */
  private QueryResult shardMatrices(
      PlanNode.Fetch fetch,
      List<Request> requests,
      List<List<QueryResult>> answers,
      SampleLimit samples) {
    List<QueryResult.Series> series = new ArrayList<>();
    for (int r = 0; r < requests.size(); r++) {
      if (requests.get(r).fetch() != fetch.index()) {
        continue;
      }
      for (int s : shardsInKeyOrder()) {
        for (QueryResult.Series one : answers.get(r).get(s).series()) {
          samples.add(one.points().size());
          Labels labels = Labels.of(one.labels());
          if (fetch.addsShardLabel()) {
            labels = labels.with(query.shardLabel(), shards().get(s));
          }
          series.add(new QueryResult.Series(labels.toList(), one.points()));
        }
      }
    }
    return new QueryResult(QueryResult.Type.MATRIX, series, warnings(answers));
  }

  /**
   * Every shard's series of a raw-samples query, in global label order (the shard label included).
   */
  private List<Value.Series> rawSeries(PlanNode.Fetch fetch, List<QueryResult> shardAnswers) {
    List<Value.Series> all = new ArrayList<>();
    for (int s = 0; s < shardAnswers.size(); s++) {
      for (QueryResult.Series series : shardAnswers.get(s).series()) {
        Labels labels = Labels.of(series.labels());
        if (fetch.addsShardLabel()) {
          labels = labels.with(query.shardLabel(), shards().get(s));
        }
        List<QueryResult.Point> points = series.points();
        long[] times = new long[points.size()];
        double[] values = new double[points.size()];
        for (int i = 0; i < times.length; i++) {
          times[i] = points.get(i).timestampMillis();
          values[i] = points.get(i).value();
        }
        all.add(new Value.Series(labels, times, values));
      }
    }
    all.sort((a, b) -> a.labels().compareTo(b.labels()));
    return all;
  }

  private List<Integer> shardsInKeyOrder() {
    List<Integer> order = new ArrayList<>();
    for (int s = 0; s < shards().size(); s++) {
      order.add(s);
    }
    order.sort((x, y) -> shards().get(x).compareTo(shards().get(y)));
    return order;
  }

  private static List<String> warnings(List<List<QueryResult>> answers) {
    Set<String> warnings = new LinkedHashSet<>();
    for (List<QueryResult> shardAnswers : answers) {
      for (QueryResult answer : shardAnswers) {
        warnings.addAll(answer.warnings());
      }
    }
    return List.copyOf(warnings);
  }

  /** The type of the answer of an instant query. */
  public ValueType resultType() {
    return query.expr().type();
  }

  /**
   * The plan as JSON, for users (the filter serves it for {@code explain=true}): the shards, the
   * queries each shard gets, and the tree the router computes.
   */
  public String explainJson() {
    return explainJson(query.query());
  }

  /**
   * {@link #explainJson()} with {@code askedQuery}, the query as the client asked it, as its {@code
   * query}: whatever the plan, {@code query} is what was asked and {@code shardQueries} what the
   * shards get.
   */
  public String explainJson(String askedQuery) {
    StringWriter out = new StringWriter();
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      generator.writeStartObject();
      generator.writeStringField("query", askedQuery);
      generator.writeStringField("shardLabel", query.shardLabel());
      generator.writeArrayFieldStart("shards");
      for (String shard : shards()) {
        generator.writeString(shard);
      }
      generator.writeEndArray();
      generator.writeArrayFieldStart("shardQueries");
      for (PlanNode.Fetch fetch : fetches) {
        generator.writeStartObject();
        generator.writeStringField("query", fetch.query());
        generator.writeBooleanField("addsShardLabel", fetch.addsShardLabel());
        if (fetch.perShard() != null) {
          // The selectors read different shards: each shard gets its own rewriting.
          generator.writeObjectFieldStart("perShard");
          for (int s = 0; s < shards().size(); s++) {
            generator.writeStringField(
                shards().get(s), io.promroute.promql.PromQL.print(fetch.perShard().get(s)));
          }
          generator.writeEndObject();
        }
        if (fetch.raw() != null) {
          generator.writeStringField(
              "rawSamples",
              "the range widened by the span of the steps, asked once at the last step; each step's window is cut out");
        }
        if (fetch.grid() != null) {
          generator.writeObjectFieldStart("subqueryGrid");
          generator.writeNumberField("rangeMillis", fetch.grid().rangeMillis());
          generator.writeNumberField("stepMillis", fetch.grid().stepMillis());
          generator.writeNumberField("offsetMillis", fetch.grid().offsetMillis());
          generator.writeStringField("grid", fetch.grid().toString());
          generator.writeEndObject();
        }
        generator.writeEndObject();
      }
      generator.writeEndArray();
      generator.writeStringField("router", root.print());
      generator.writeFieldName("plan");
      explain(generator, root);
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void explain(JsonGenerator generator, PlanNode node) throws IOException {
    generator.writeStartObject();
    if (node instanceof PlanNode.Fetch fetch) {
      generator.writeStringField("node", "shards");
      generator.writeNumberField("shardQuery", fetch.index());
      generator.writeStringField("query", fetch.query());
      generator.writeStringField(
          "combine",
          fetch.addsShardLabel() ? "concatenate, adding the shard label" : "concatenate");
    } else if (node instanceof PlanNode.EveryShard every) {
      generator.writeStringField("node", "every_shard");
      generator.writeNumberField("shardQuery", every.fetch().index());
      generator.writeStringField("query", every.fetch().query());
      generator.writeStringField("combine", "present only where every shard answers it");
    } else {
      generator.writeStringField("node", "router");
      generator.writeStringField("computes", node.print());
      if (!node.children().isEmpty()) {
        generator.writeArrayFieldStart("args");
        for (PlanNode child : node.children()) {
          explain(generator, child);
        }
        generator.writeEndArray();
      }
    }
    generator.writeEndObject();
  }

  /** The plan in a PromQL-like notation: {@code shards(...)} are shard queries. */
  @Override
  public String toString() {
    return root.print();
  }
}
