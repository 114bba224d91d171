package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.promroute.promql.ParserOptions;
import io.promroute.promql.PromQL;
import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.ExprWalk;
import io.promroute.router.ShardTarget;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import io.promroute.shard.ShardRewriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential test: random PromQL ({@link RandomQueries}, fixed seeds) sent as instant and range
 * queries (ranges inside the data, over its start or its end, steps that do not divide them) to the
 * router in front of the three shard servers and to the global Prometheus must get the same answer:
 * same status and error type; for success the same result type and the same series with the same
 * values, in any order but where {@code sort} and {@code sort_desc} order them. Values may differ
 * by a relative 1e-9, the last bits that merged sums and means are allowed to differ by
 * (CROSS-SHARD.md). The same for random {@code match[]} on the series, labels and label values
 * endpoints.
 *
 * <p>Differences allowed, each counted and printed per seed:
 *
 * <ul>
 *   <li>the router refuses, with a 400 {@code bad_data} saying so, a query it cannot answer across
 *       shards;
 *   <li>an evaluation error names other series (Prometheus names the first pair it meets, in an
 *       order that is Go's map order after an aggregation) or, coming from one of several shards,
 *       is that shard's first error;
 *   <li>the global answer itself changes from one request to the next (topk ties after an
 *       aggregation in a range query): there is no one answer to compare with;
 *   <li>topk/bottomk keep other series among equal values, with the same values (CROSS-SHARD.md:
 *       flips in tie order);
 *   <li>a last-bit difference of a per-shard partial {@code sum}, {@code avg}, {@code stddev} or
 *       {@code stdvar} that the query amplified past the tolerance ({@code time() % stdvar(x)},
 *       {@code ceil} at an integer, a comparison at equality): counted only where each such
 *       aggregation of the query, asked alone, is within the tolerance, the same router with {@code
 *       exactCrossShardSums(true)} answers the query as the global server by the same comparison,
 *       and the default router repeats its own answer; whatever exact mode does not explain stays
 *       wrong.
 * </ul>
 *
 * <p>A failure lists every query of the seed that went wrong; {@code new RandomQueries(seed,
 * time).next()} replays them in order.
 *
 * <p>The seeds are fixed, so that the build is repeatable. To hunt for differences with new ones,
 * set the system property {@value #SEEDS_PROPERTY} to a list of seeds and ranges, e.g. {@code
 * -Drandom.seeds=100-160,999}: both query tests then run those seeds instead (the metadata test
 * keeps its own). Surefire passes {@code -D} properties of the Maven command line to the tests.
 */
@ExtendWith(PrometheusExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RandomQueriesVsGlobalTest {

  /** The system property that replaces the fixed seeds of the query tests, if set. */
  static final String SEEDS_PROPERTY = "random.seeds";

  private static final long T = FixtureData.MID.getEpochSecond();
  private static final int QUERIES_PER_SEED = 75;
  private static final int MATCHERS_PER_SEED = 30;
  private static final double TOLERANCE = 1e-9;
  private static final double ABSOLUTE_TOLERANCE = 1e-12;

  /** The shards and the global server are Prometheus 2.42: holt_winters is a function there. */
  private static final ParserOptions PARSER_OPTIONS =
      ParserOptions.defaults().toBuilder().prometheus2Functions(true).build();

  private PrometheusFixture prometheus;
  private JettyRouter router;

  /**
   * The same router with {@code exactCrossShardSums(true)}: asked only about an answer that
   * differs, to tell an amplified last bit of a partial from a wrong answer.
   */
  private JettyRouter exactRouter;

  @BeforeAll
  void startRouters(PrometheusFixture prometheus) throws Exception {
    this.prometheus = prometheus;
    router = JettyRouter.start(filter(false));
    exactRouter = JettyRouter.start(filter(true));
  }

  private PromRouteFilter filter(boolean exactCrossShardSums) {
    ShardRewriter rewriter =
        ShardRewriter.builder()
            .shardLabel(PrometheusFixture.SHARD_LABEL)
            .shards(List.copyOf(prometheus.shardHostPorts().keySet()))
            .parserOptions(PARSER_OPTIONS)
            .build();
    PromRouteFilter.Builder filter =
        PromRouteFilter.builder().rewriter(rewriter).exactCrossShardSums(exactCrossShardSums);
    prometheus
        .shardHostPorts()
        .forEach((key, hostPort) -> filter.shard(key, ShardTarget.of(hostPort)));
    return filter.build();
  }

  @AfterAll
  void stopRouters() {
    if (router != null) {
      router.close();
    }
    if (exactRouter != null) {
      exactRouter.close();
    }
  }

  /** What one seed's requests came to. */
  private static final class Tally {
    final List<String> failures = new ArrayList<>();
    int requests;
    int nonEmpty;
    int refused;
    int errorsAlike;
    int unstable;
    int ties;
    int amplified;
    final Set<String> refusals = new TreeSet<>();
    final List<String> amplifications = new ArrayList<>();
  }

  /**
   * The seeds of {@link #SEEDS_PROPERTY} (comma-separated seeds and {@code from-to} ranges), else
   * {@code fixed}.
   */
  private static LongStream seeds(LongStream fixed) {
    String property = System.getProperty(SEEDS_PROPERTY, "").trim();
    if (property.isEmpty()) {
      return fixed;
    }
    LongStream.Builder seeds = LongStream.builder();
    for (String part : property.split(",")) {
      String[] bounds = part.trim().split("-", 2);
      long from = Long.parseLong(bounds[0].trim());
      long to = bounds.length == 1 ? from : Long.parseLong(bounds[1].trim());
      LongStream.rangeClosed(from, to).forEach(seeds::add);
    }
    return seeds.build();
  }

  static LongStream sameShardSeeds() {
    return seeds(LongStream.rangeClosed(1, 12));
  }

  static LongStream perSelectorSeeds() {
    return seeds(LongStream.rangeClosed(101, 108));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("sameShardSeeds")
  void randomQueriesAnswerAsTheGlobalPrometheus(long seed) {
    compareQueries(seed, new RandomQueries(seed, T));
  }

  /**
   * Each selector with a shard matcher of its own: other, overlapping, disjoint, unknown or
   * contradictory shards, or none (every shard), all read as one Prometheus reads them.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("perSelectorSeeds")
  void randomQueriesWhoseSelectorsReadDifferentShardsAnswerAsTheGlobalPrometheus(long seed) {
    compareQueries(seed, new RandomQueries(seed, T).perSelector());
  }

  private void compareQueries(long seed, RandomQueries queries) {
    Random parameters = new Random(~seed);
    Tally tally = new Tally();
    for (int i = 0; i < QUERIES_PER_SEED; i++) {
      String query = queries.next();
      // At a sample, between samples, past the data (lookback and staleness at the end), and just
      // after it starts (windows and subqueries that reach before it).
      long[] times = {
        T, T + 7, FixtureData.END.getEpochSecond() + 200, FixtureData.START.getEpochSecond() + 100
      };
      String time = Long.toString(times[parameters.nextInt(times.length)]);
      compare(tally, "/api/v1/query", Params.of("query", query, "time", time), isSorted(query));
      String step = new String[] {"60", "45", "300", "17"}[parameters.nextInt(4)];
      // Mostly inside the data, sometimes over its start or its end, or not on a step multiple.
      long[] range =
          new long[][] {
                {T - 1800, T + 1800},
                {T - 1800, T + 1800},
                {T - 1800, T + 1800},
                {
                  FixtureData.START.getEpochSecond() - 900, FixtureData.START.getEpochSecond() + 900
                },
                {FixtureData.END.getEpochSecond() - 900, FixtureData.END.getEpochSecond() + 900},
                {T - 1213, T + 607}
              }
              [parameters.nextInt(6)];
      compare(
          tally,
          "/api/v1/query_range",
          Params.of(
              "query",
              query,
              "start",
              Long.toString(range[0]),
              "end",
              Long.toString(range[1]),
              "step",
              step),
          false);
    }
    System.err.printf(
        "RandomQueriesVsGlobalTest seed %d: %d requests, %d non-empty, %d refused, %d errors alike,"
            + " %d not reproducible by Prometheus itself, %d topk/bottomk tie choices,"
            + " %d last-bit differences amplified (exact mode equal), %d wrong%n",
        seed,
        tally.requests,
        tally.nonEmpty,
        tally.refused,
        tally.errorsAlike,
        tally.unstable,
        tally.ties,
        tally.amplified,
        tally.failures.size());
    tally.refusals.forEach(reason -> System.err.println("  refused: " + reason));
    tally.amplifications.forEach(request -> System.err.println("  amplified: " + request));
    assertThat(tally.failures).as("wrong answers for seed %d", seed).isEmpty();
    // Nothing the generator writes is refused any more (holt_winters over merged values was).
    assertThat(tally.refusals).as("refused queries of seed %d", seed).isEmpty();
    // The allowances must stay exceptions, or they would hide what they excuse.
    assertThat(tally.unstable + tally.ties + tally.amplified)
        .as("answers compared loosely")
        .isLessThan(tally.requests / 20);
    // Else the generator drifted into queries that prove nothing.
    assertThat(tally.nonEmpty)
        .as("non-empty answers of %d", tally.requests)
        .isGreaterThan(tally.requests / 3);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  void randomMatchersOnSeriesAndLabelsAnswerAsTheGlobalPrometheus(long seed) {
    RandomQueries queries = new RandomQueries(seed, T);
    Random parameters = new Random(~seed);
    Tally tally = new Tally();
    List<String> labelNames =
        List.of("job", "instance", "cluster", "__name__", "queue", "le", "code");
    for (int i = 0; i < MATCHERS_PER_SEED; i++) {
      List<String> params = new ArrayList<>();
      for (String matcher : queries.nextMatchers()) {
        params.add("match[]");
        params.add(matcher);
      }
      if (parameters.nextBoolean()) {
        params.addAll(
            List.of(
                "start",
                Long.toString(FixtureData.START.getEpochSecond()),
                "end",
                Long.toString(T)));
      }
      Params withMatchers = Params.of(params.toArray(String[]::new));
      compare(tally, "/api/v1/series", withMatchers, false);
      compare(tally, "/api/v1/labels", withMatchers, true);
      compare(
          tally,
          "/api/v1/label/" + labelNames.get(parameters.nextInt(labelNames.size())) + "/values",
          withMatchers,
          true);
    }
    System.err.printf(
        "RandomQueriesVsGlobalTest metadata seed %d: %d requests, %d non-empty, %d wrong%n",
        seed, tally.requests, tally.nonEmpty, tally.failures.size());
    assertThat(tally.failures).as("wrong answers for seed %d", seed).isEmpty();
    assertThat(tally.refused).as("refused metadata requests").isZero();
    assertThat(tally.nonEmpty)
        .as("non-empty answers of %d", tally.requests)
        .isGreaterThan(tally.requests / 2);
  }

  /**
   * The {@code sum}, {@code avg}, {@code stddev} and {@code stdvar} of {@code query}, printed: what
   * the router aggregates from per-shard partials unless in exact mode.
   */
  private static List<String> partialAggregations(String query) {
    Set<AggregateOp> partial =
        EnumSet.of(AggregateOp.SUM, AggregateOp.AVG, AggregateOp.STDDEV, AggregateOp.STDVAR);
    List<String> found = new ArrayList<>();
    ExprWalk.anyMatch(
        PromQL.parse(query, PARSER_OPTIONS),
        node -> {
          if (node instanceof AggregateExpr aggregation && partial.contains(aggregation.op())) {
            found.add(PromQL.print(aggregation));
          }
          return false; // on to every node
        });
    return found;
  }

  /**
   * Whether Prometheus orders the query's answer: a {@code sort} or {@code sort_desc} at the top.
   */
  private static boolean isSorted(String query) {
    return query.startsWith("sort(") || query.startsWith("sort_desc(");
  }

  private void compare(Tally tally, String path, Params params, boolean ordered) {
    tally.requests++;
    Answer expected = PromApi.get(prometheus.global().baseUri(), path, params);
    Answer actual;
    try {
      actual = PromApi.get(router.baseUri(), path, params);
    } catch (AssertionError e) {
      // No answer in time: name the request, as for any wrong answer.
      tally.failures.add(
          path + " " + params + ": " + e.getMessage() + ", global " + expected.status());
      return;
    }
    String difference = difference(tally, expected, actual, ordered);
    if (difference == null) {
      return;
    }
    // Prometheus is not always deterministic: topk and bottomk keep one of several equal series
    // depending on input order, which after an aggregation in a range query (or histogram_quantile)
    // is Go's map order, and so does the first duplicate an error names. A query whose global
    // answer changes from one request to the next has no one right answer to compare with.
    for (int i = 0; i < 3; i++) {
      Answer again = PromApi.get(prometheus.global().baseUri(), path, params);
      if (difference(new Tally(), expected, again, ordered) != null) {
        tally.unstable++;
        return;
      }
    }
    String query = params.entries().get(0).getValue();
    if (path.startsWith("/api/v1/query")
        && (query.contains("topk") || query.contains("bottomk"))
        && expected.status() == 200
        && actual.status() == 200
        && valuesPerStep(expected.data().path("result"))
            .equals(valuesPerStep(actual.data().path("result")))) {
      // Among series with equal values at the k-th place, the router keeps those first in label
      // order, Prometheus those first in its input order, which after a merged aggregation or
      // sort() is not label order (CROSS-SHARD.md: "flips in tie order"). The values kept must
      // still be the same.
      tally.ties++;
      return;
    }
    if (path.startsWith("/api/v1/query")
        && amplifiedLastBits(path, params, expected, actual, ordered)) {
      tally.amplified++;
      tally.amplifications.add(path + " " + params + ": " + difference);
      return;
    }
    tally.failures.add(path + " " + params + ": " + difference);
  }

  /**
   * Whether a difference comes from the last bits of a per-shard partial {@code sum}, {@code avg},
   * {@code stddev} or {@code stdvar} that the query amplified ({@code %} of a large number, {@code
   * ceil} at an integer, a comparison at equality): each such aggregation of the query, asked
   * alone, answers as the global server's within the tolerance (a merge wrong by more than its last
   * bits is wrong, whatever exact mode answers); the router in exact mode, which adds in
   * Prometheus's order, answers the whole query as the global server by the same comparison; and
   * the partial router gives its own answer again (a difference that comes and goes is not a last
   * bit). Whatever else differs, status, series or values, stays wrong unless exact mode explains
   * it.
   */
  private boolean amplifiedLastBits(
      String path, Params params, Answer expected, Answer actual, boolean ordered) {
    List<String> partials = partialAggregations(params.entries().get(0).getValue());
    if (partials.isEmpty()) {
      return false;
    }
    for (String aggregation : partials) {
      List<Map.Entry<String, String>> entries = new ArrayList<>(params.entries());
      entries.set(0, Map.entry("query", aggregation));
      Params alone = new Params(entries);
      Tally aloneTally = new Tally();
      if (difference(
                  aloneTally,
                  PromApi.get(prometheus.global().baseUri(), path, alone),
                  PromApi.get(router.baseUri(), path, alone),
                  false)
              != null
          || aloneTally.refused > 0) {
        return false;
      }
    }
    Answer exact = PromApi.get(exactRouter.baseUri(), path, params);
    Tally exactTally = new Tally();
    // (A refusal compares as no difference; it explains nothing.)
    if (difference(exactTally, expected, exact, ordered) != null || exactTally.refused > 0) {
      return false;
    }
    Answer again = PromApi.get(router.baseUri(), path, params);
    return difference(new Tally(), actual, again, ordered) == null;
  }

  private static String difference(Tally tally, Answer expected, Answer actual, boolean ordered) {
    // Whatever the global server answers: a refusal names the construct, it is never wrong.
    if (actual.status() == 400
        && "bad_data".equals(actual.errorType())
        && actual.error() != null
        && actual.error().contains("across shards")) {
      tally.refused++;
      String error = actual.error();
      int reason = error.indexOf("across shards yet: ");
      tally.refusals.add(reason < 0 ? error : error.substring(reason + 19).replaceFirst(";.*", ""));
      return null;
    }
    if (expected.status() != actual.status()) {
      return "status " + actual.summary() + ", global " + expected.summary();
    }
    if (expected.status() != 200) {
      tally.errorsAlike++;
      if (!String.valueOf(expected.errorType()).equals(actual.errorType())) {
        return "error type " + actual.summary() + ", global " + expected.summary();
      }
      // Evaluation errors name what went wrong as Prometheus does; parse errors may be worded
      // differently by the router's own parser.
      // A shard's error is the first that shard met in its own series: with several shards, the
      // global server may meet another one first (a duplicate on one shard's right side before a
      // many-to-one match on another's), so only a single source of errors must say the same.
      boolean fromOneOfSeveralShards = String.valueOf(actual.error()).startsWith("shard \"");
      if (expected.status() == 422
          && !fromOneOfSeveralShards
          && !withoutSeries(expected.error()).equals(withoutSeries(actual.error()))) {
        return "error " + actual.summary() + ", global " + expected.summary();
      }
      return null;
    }
    JsonNode want = expected.data();
    JsonNode got = actual.data();
    if (got == null) {
      return "no data: " + actual.summary();
    }
    if (want.has("resultType")) {
      if (!want.path("resultType").equals(got.path("resultType"))) {
        return "resultType " + got.path("resultType") + ", global " + want.path("resultType");
      }
      JsonNode result = want.path("result");
      if (!result.isEmpty()) {
        tally.nonEmpty++;
      }
      if (want.path("resultType").asText().equals("scalar")
          || want.path("resultType").asText().equals("string")) {
        return point("", result, got.path("result"));
      }
      return series(result, got.path("result"), ordered);
    }
    if (!want.isEmpty()) {
      tally.nonEmpty++;
    }
    // Series, labels, label values: series in any order, names and values sorted as Prometheus
    // does.
    return PromApi.firstDifference(
        ordered ? want : sortedByLabels(want), ordered ? got : sortedByLabels(got));
  }

  /**
   * An evaluation error without the label sets it names. Which series a duplicate-series or
   * many-to-one error names is the first pair Prometheus meets, in the order of its input, which
   * after an aggregation or {@code histogram_quantile} is Go's map order (the global server names
   * different pairs from one request to the next), and a shard names them without the label it does
   * not store. The kind of error and the side it is on must still be the same.
   */
  private static String withoutSeries(String error) {
    return String.valueOf(error).replaceAll("\\{[^}]*\\}", "{...}");
  }

  private static JsonNode sortedByLabels(JsonNode array) {
    Map<String, JsonNode> byLabels = new TreeMap<>();
    array.forEach(
        element -> byLabels.put(PromApi.labelKey(element) + "#" + byLabels.size(), element));
    return PromApi.JSON.valueToTree(byLabels.values());
  }

  private static String series(JsonNode expected, JsonNode actual, boolean ordered) {
    if (expected.size() != actual.size()) {
      return "expected "
          + expected.size()
          + " series, got "
          + actual.size()
          + ": "
          + shorten(actual)
          + "; global "
          + shorten(expected);
    }
    Map<String, JsonNode> byLabels = new TreeMap<>();
    for (JsonNode series : actual) {
      if (byLabels.put(PromApi.labelKey(series.path("metric")), series) != null) {
        return "duplicate series " + series.path("metric");
      }
    }
    for (int i = 0; i < expected.size(); i++) {
      JsonNode want = expected.get(i);
      String where = want.path("metric").toString();
      JsonNode got = byLabels.get(PromApi.labelKey(want.path("metric")));
      if (got == null) {
        return "missing series " + where + "; router has " + byLabels.keySet();
      }
      if (want.has("value")) {
        String d = point(where, want.path("value"), got.path("value"));
        if (d == null && ordered) {
          // Go's sort is not stable: among equal values the order is Prometheus's chance, so
          // compare the order of values, not of series.
          d = point("sorted position " + i, want.path("value"), actual.get(i).path("value"));
        }
        if (d != null) {
          return d;
        }
        continue;
      }
      JsonNode wantValues = want.path("values");
      JsonNode gotValues = got.path("values");
      if (wantValues.size() != gotValues.size()) {
        return where
            + ": "
            + wantValues.size()
            + " points, got "
            + gotValues.size()
            + ": "
            + shorten(gotValues)
            + "; global "
            + shorten(wantValues);
      }
      for (int j = 0; j < wantValues.size(); j++) {
        String d = point(where, wantValues.get(j), gotValues.get(j));
        if (d != null) {
          return d;
        }
      }
    }
    return null;
  }

  /** The values at each timestamp, sorted, whatever their series. */
  private static Map<String, List<String>> valuesPerStep(JsonNode result) {
    Map<String, List<String>> values = new TreeMap<>();
    if (!result.isArray()) {
      values.put("", List.of(result.toString()));
      return values;
    }
    for (JsonNode series : result) {
      List<JsonNode> points = new ArrayList<>();
      if (series.has("value")) {
        points.add(series.path("value"));
      } else {
        series.path("values").forEach(points::add);
      }
      for (JsonNode point : points) {
        values
            .computeIfAbsent(point.path(0).asText(), time -> new ArrayList<>())
            .add(point.path(1).asText());
      }
    }
    values.values().forEach(Collections::sort);
    return values;
  }

  /** A {@code [timestamp, "value"]} pair: same timestamp, same value or within the tolerance. */
  private static String point(String where, JsonNode expected, JsonNode actual) {
    if (!expected.path(0).equals(actual.path(0))) {
      return where + ": timestamp " + actual.path(0) + ", global " + expected.path(0);
    }
    String want = expected.path(1).asText();
    String got = actual.path(1).asText();
    if (want.equals(got) || close(want, got)) {
      return null;
    }
    return where + " at " + expected.path(0) + ": " + got + ", global " + want;
  }

  private static boolean close(String want, String got) {
    try {
      double w = Double.parseDouble(want.replace("Inf", "Infinity"));
      double g = Double.parseDouble(got.replace("Inf", "Infinity"));
      // Relative, and absolute near zero: a merged stddev of equal values may be 1e-16 instead of
      // Prometheus's 1.3e-16, rounding noise of either algorithm.
      return Math.abs(w - g) <= TOLERANCE * Math.max(Math.abs(w), Math.abs(g))
          || Math.abs(w - g) <= ABSOLUTE_TOLERANCE;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String shorten(JsonNode node) {
    String text = node.toString();
    return text.length() > 400 ? text.substring(0, 400) + "..." : text;
  }
}
