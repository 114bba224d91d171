package io.promroute.plan;

import io.promroute.promql.PromQL;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.KnownFunction;
import io.promroute.promql.ast.VectorMatching;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a cross-shard plan. Leaves are shard queries ({@link Fetch}, {@link EveryShard}); every
 * other node is computed by the router, one evaluation step at a time, from its children's global
 * values. The router never re-evaluates a selector, so lookback is applied once, by the shards.
 */
sealed interface PlanNode {

  /** The node's value at one step ({@code time} in milliseconds). */
  Value evaluate(EvalContext context, long time);

  /** The plan in a PromQL-like notation; shard queries appear as {@code shards(...)}. */
  String print();

  List<PlanNode> children();

  /**
   * Sent whole to every selected shard; the answers are concatenated.
   *
   * @param index the shard query's position in {@link QueryPlan#shardQueries()}
   * @param query the query sent
   * @param addsShardLabel whether each returned series gets the shard label (the series keep it in
   *     the global view)
   * @param grid the subquery grid it is evaluated on, or null: the request's times
   * @param timed the query when it has {@code @ start()} or {@code @ end()} and a grid, to make
   *     them the request's bounds ({@link #queryFor}); null otherwise
   * @param perShard when the query's selectors read different shards: what each shard of {@link
   *     QueryPlan#shards()} evaluates instead of {@code query} (its selectors that do not read the
   *     shard made to match nothing there); null when every shard gets {@code query}
   * @param raw when {@code query} is a range argument whose raw samples are fetched for every step
   *     at once ({@link RawSamples}, read by {@link RawRange}); null otherwise
   */
  record Fetch(
      int index,
      String query,
      boolean addsShardLabel,
      Grid grid,
      Expr timed,
      List<Expr> perShard,
      RawSamples raw)
      implements PlanNode {
    public Fetch {
      perShard = perShard == null ? null : List.copyOf(perShard);
    }

    /**
     * The one request for the raw samples of every step from {@code firstStep} to {@code lastStep}:
     * an instant query at the last step (see {@link RawSamples}).
     */
    QueryPlan.ShardRequest rawRequest(
        long firstStep, long lastStep, long requestStart, long requestEnd) {
      List<String> queries = null;
      if (perShard != null) {
        queries = new ArrayList<>(perShard.size());
        for (Expr expr : perShard) {
          queries.add(
              PromQL.print(raw.widened(expr, firstStep, lastStep, requestStart, requestEnd)));
        }
      }
      String all =
          PromQL.print(raw.widened(raw.expr(), firstStep, lastStep, requestStart, requestEnd));
      return new QueryPlan.ShardRequest(all, false, lastStep, lastStep, 0, queries);
    }

    /** The query to send for a request from {@code startMillis} to {@code endMillis}. */
    String queryFor(long startMillis, long endMillis) {
      return timed == null
          ? query
          : PromQL.print(AtStartEnd.resolve(timed, startMillis, endMillis));
    }

    /**
     * What each shard gets for a request from {@code startMillis} to {@code endMillis}; null: the
     * same.
     */
    List<String> shardQueriesFor(long startMillis, long endMillis) {
      if (perShard == null) {
        return null;
      }
      List<String> queries = new ArrayList<>(perShard.size());
      for (Expr expr : perShard) {
        queries.add(
            PromQL.print(
                grid != null && AtStartEnd.uses(expr)
                    ? AtStartEnd.resolve(expr, startMillis, endMillis)
                    : expr));
      }
      return queries;
    }

    @Override
    public Value evaluate(EvalContext context, long time) {
      List<Sample> all = new ArrayList<>();
      for (int shard = 0; shard < context.shardCount(index); shard++) {
        all.addAll(context.shard(index, shard, time));
      }
      return new Value.Vector(all);
    }

    @Override
    public String print() {
      return (addsShardLabel ? "shards+label(" : "shards(")
          + query
          + ")"
          + (grid == null ? "" : "@grid(" + grid + ")");
    }

    @Override
    public List<PlanNode> children() {
      return List.of();
    }
  }

  /**
   * The evaluation grid of a subquery whose inner query is merged by the router: the inner query's
   * shard queries are range queries on it, as Prometheus 2.42 evaluates a subquery.
   *
   * @param rangeMillis the subquery's range
   * @param stepMillis its step (the default evaluation interval when none is written)
   * @param offsetMillis its offset
   * @param at its {@code @} modifier, or null: its windows end at the times it is evaluated at
   * @param parent the grid of the subquery over merged values it is nested in, whose points are the
   *     times it is evaluated at; null: it is evaluated at the request's times
   */
  record Grid(long rangeMillis, long stepMillis, long offsetMillis, AtModifier at, Grid parent) {
    Grid(long rangeMillis, long stepMillis, long offsetMillis) {
      this(rangeMillis, stepMillis, offsetMillis, null, null);
    }

    /**
     * The first multiple of the step at or after {@code first evaluation - offset - range}, for a
     * request from {@code requestStart} to {@code requestEnd}.
     */
    long start(long requestStart, long requestEnd) {
      long from = firstEvaluation(requestStart, requestEnd) - offsetMillis - rangeMillis;
      long start = stepMillis * (from / stepMillis);
      return start < from ? start + stepMillis : start;
    }

    /**
     * {@code last evaluation - offset}, or the start when no grid point falls in the window (a
     * range query needs end ≥ start; the extra point lies outside every window and is never read).
     */
    long end(long requestStart, long requestEnd) {
      return Math.max(
          lastEvaluation(requestStart, requestEnd) - offsetMillis, start(requestStart, requestEnd));
    }

    /**
     * The time the subquery's window is taken at when evaluated at {@code time}: its @ time, if
     * any.
     */
    long evaluationTime(long time, long requestStart, long requestEnd) {
      return at == null ? time : atMillis(requestStart, requestEnd);
    }

    private long firstEvaluation(long requestStart, long requestEnd) {
      if (at != null) {
        return atMillis(requestStart, requestEnd);
      }
      return parent == null ? requestStart : parent.start(requestStart, requestEnd);
    }

    private long lastEvaluation(long requestStart, long requestEnd) {
      if (at != null) {
        return atMillis(requestStart, requestEnd);
      }
      return parent == null ? requestEnd : parent.end(requestStart, requestEnd);
    }

    private long atMillis(long requestStart, long requestEnd) {
      return switch (at.kind()) {
        case TIMESTAMP -> at.timestampMillis();
        case START -> requestStart;
        case END -> requestEnd;
      };
    }

    @Override
    public String toString() {
      String at =
          this.at == null
              ? ""
              : this.at.kind() == AtModifier.Kind.TIMESTAMP
                  ? ", @ " + this.at.timestampMillis() + "ms"
                  : ", @ " + this.at.kind().name().toLowerCase(java.util.Locale.ROOT) + "()";
      return "range "
          + rangeMillis
          + "ms, step "
          + stepMillis
          + "ms, offset "
          + offsetMillis
          + "ms"
          + at
          + (parent == null ? "" : ", in (" + parent + ")");
    }
  }

  /**
   * A subquery over a merged value: at each outer step, the inner plan evaluated at the grid's
   * points in {@code [t - offset - range, t - offset]} (closed, as 2.42; {@code t} its @ time if it
   * has one), one series per label set: the matrix a range function then reads.
   */
  record Subquery(PlanNode expr, Grid grid) implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      long evaluation = grid.evaluationTime(time, context.startMillis(), context.endMillis());
      long end = evaluation - grid.offsetMillis();
      long first = end - grid.rangeMillis();
      long point = Math.floorDiv(first, grid.stepMillis()) * grid.stepMillis();
      if (point < first) {
        point += grid.stepMillis();
      }
      Map<Labels, List<long[]>> times = new LinkedHashMap<>();
      Map<Labels, List<Double>> values = new LinkedHashMap<>();
      long held = 0;
      for (; point <= end; point += grid.stepMillis()) {
        context.cancellation().check();
        List<Sample> step = Nodes.vector(expr.evaluate(context, point));
        // The points of the matrix, held while this step is computed (Prometheus counts them too).
        context.samples().add(step.size());
        held += step.size();
        for (Sample sample : step) {
          if (sample.histogram() != null) {
            throw Errors.execution(
                "native histograms in a subquery over values merged across shards are not supported by the router");
          }
          times
              .computeIfAbsent(sample.labels(), unused -> new ArrayList<>())
              .add(new long[] {point});
          values.computeIfAbsent(sample.labels(), unused -> new ArrayList<>()).add(sample.value());
        }
      }
      List<Value.Series> series = new ArrayList<>();
      for (Map.Entry<Labels, List<long[]>> entry : times.entrySet()) {
        List<long[]> ts = entry.getValue();
        List<Double> vs = values.get(entry.getKey());
        long[] t = new long[ts.size()];
        double[] v = new double[ts.size()];
        for (int i = 0; i < t.length; i++) {
          t[i] = ts.get(i)[0];
          v[i] = vs.get(i);
        }
        series.add(new Value.Series(entry.getKey(), t, v));
      }
      context.samples().release(held);
      // With @, the window is not where the step is: as Prometheus, an offset that puts it there
      // (rate and its kin extrapolate towards the window's ends).
      return new Value.Matrix(
          series, grid.rangeMillis(), grid.offsetMillis() + (time - evaluation));
    }

    @Override
    public String print() {
      return "subquery(" + expr.print() + ", " + grid + ")";
    }

    @Override
    public List<PlanNode> children() {
      return List.of(expr);
    }
  }

  /**
   * A range argument read from raw samples ({@link RawSamples}): at each step, the samples of every
   * series in that step's window, in global label order (the shard label included), as the global
   * engine iterates its series; series with none are left out.
   *
   * @param fetch the shards' raw samples, one request per shard for the whole span
   * @param grid the subquery grid it is evaluated on (its steps), or null: the request's times
   */
  record RawRange(Fetch fetch, Grid grid) implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      context.cancellation().check();
      RawSamples raw = fetch.raw();
      long firstStep =
          grid == null
              ? context.startMillis()
              : grid.start(context.startMillis(), context.endMillis());
      long end = raw.windowEnd(time, context.startMillis(), context.endMillis());
      long first = raw.windowStart(time, firstStep, context.startMillis(), context.endMillis());
      List<Value.Series> windows = new ArrayList<>();
      long held = 0;
      for (Value.Series series : context.raw(fetch.index())) {
        long[] times = series.times();
        int from = firstAtOrAfter(times, first);
        int to = firstAtOrAfter(times, end + 1);
        if (to <= from) {
          continue;
        }
        // The window's copy, held while this step is computed (Prometheus counts its points too).
        context.samples().add(to - from);
        held += to - from;
        windows.add(
            new Value.Series(
                series.labels(),
                java.util.Arrays.copyOfRange(times, from, to),
                java.util.Arrays.copyOfRange(series.values(), from, to)));
      }
      context.samples().release(held);
      // The window as rate and its kin read it: its range, and where it ends as an offset from the
      // step.
      return new Value.Matrix(windows, end - first, time - end);
    }

    /** The index of the first time at or after {@code time} in ascending {@code times}. */
    private static int firstAtOrAfter(long[] times, long time) {
      int low = 0;
      int high = times.length;
      while (low < high) {
        int middle = (low + high) >>> 1;
        if (times[middle] < time) {
          low = middle + 1;
        } else {
          high = middle;
        }
      }
      return low;
    }

    @Override
    public String print() {
      return "windows(" + fetch.print() + ")";
    }

    @Override
    public List<PlanNode> children() {
      return List.of(fetch);
    }
  }

  /**
   * {@code absent(...)} sent to every shard: the global answer exists only where every shard
   * answers it (no shard has the series).
   */
  record EveryShard(Fetch fetch) implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      List<Sample> first = null;
      for (int shard = 0; shard < context.shardCount(fetch.index()); shard++) {
        List<Sample> samples = context.shard(fetch.index(), shard, time);
        if (samples.isEmpty()) {
          return new Value.Vector(List.of());
        }
        // A shard the selector reads answers without its shard matcher's label; one where it
        // matches nothing keeps the matcher, and the label, as the global view's absent() does.
        if (first == null || samples.get(0).labels().size() > first.get(0).labels().size()) {
          first = samples;
        }
      }
      return new Value.Vector(first == null ? List.of() : first);
    }

    @Override
    public String print() {
      return "every_shard(" + fetch.query() + ")";
    }

    @Override
    public List<PlanNode> children() {
      return List.of(fetch);
    }
  }

  record NumberNode(double value) implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      return new Value.Scalar(value);
    }

    @Override
    public String print() {
      return PromQL.print(new io.promroute.promql.ast.NumberLiteral(value));
    }

    @Override
    public List<PlanNode> children() {
      return List.of();
    }
  }

  record StringNode(String value) implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      return new Value.Str(value);
    }

    @Override
    public String print() {
      return PromQL.print(new io.promroute.promql.ast.StringLiteral(value));
    }

    @Override
    public List<PlanNode> children() {
      return List.of();
    }
  }

  /**
   * An aggregation computed by the router over its argument's global value; merges of shard
   * partials are aggregations too ({@code sum} of per-shard {@code count}s).
   */
  record Aggregate(
      AggregateOp op,
      PlanNode param,
      boolean without,
      List<String> grouping,
      PlanNode expr,
      boolean partials)
      implements PlanNode {
    /** An aggregation over a value, the shards' series or one the router computed. */
    Aggregate(
        AggregateOp op, PlanNode param, boolean without, List<String> grouping, PlanNode expr) {
      this(op, param, without, grouping, expr, false);
    }

    @Override
    public Value evaluate(EvalContext context, long time) {
      Object parameter = null;
      if (param != null) {
        Value value = param.evaluate(context, time);
        parameter =
            value instanceof Value.Str string ? string.value() : (Object) Nodes.scalar(value);
      }
      List<Sample> input = new ArrayList<>(Nodes.vector(expr.evaluate(context, time)));
      if (expr instanceof Fetch && !partials) {
        // The global engine sees series in storage order, which is label order (shard label
        // included), where the shards' answers come one shard after the other: that decides
        // topk/bottomk ties and the order of float additions. What the router computes itself
        // (x or vector(0), a merge) is already in the order Prometheus computes it in, which is
        // not label order: or puts its right side last. So are per-shard partial aggregates,
        // shard after shard: Prometheus's groups come in the order it first meets them, which
        // is each shard's own order, shard after shard (not the groups' label order).
        input.sort((a, b) -> a.labels().compareTo(b.labels()));
      }
      return new Value.Vector(Aggregation.evaluate(op, parameter, without, grouping, input));
    }

    @Override
    public String print() {
      StringBuilder builder = new StringBuilder(op.keyword());
      if (without || !grouping.isEmpty()) {
        builder
            .append(without ? " without (" : " by (")
            .append(String.join(", ", grouping))
            .append(") ");
      }
      builder.append('(');
      if (param != null) {
        builder.append(param.print()).append(", ");
      }
      return builder.append(expr.print()).append(')').toString();
    }

    @Override
    public List<PlanNode> children() {
      return param == null ? List.of(expr) : List.of(param, expr);
    }
  }

  /**
   * {@code avg} from per-shard means and counts. Prometheus 2.42 averages with an incremental mean
   * that never overflows, so the merge does not add up sums (which would turn {@code avg} of values
   * near the float maximum into +Inf): equal means are the mean; otherwise Σnᵢμᵢ/n, or, if that
   * overflows while every mean is finite, Σ(nᵢ/n)μᵢ. Infinite means combine as Prometheus's (+Inf
   * with -Inf is NaN).
   */
  record AverageMerge(boolean without, List<String> grouping, Fetch means, Fetch counts)
      implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      Map<Labels, Map<Integer, double[]>> groups = Nodes.partsByGroup(context, time, means, counts);
      List<Sample> out = new ArrayList<>(groups.size());
      for (Map.Entry<Labels, Map<Integer, double[]>> group : groups.entrySet()) {
        out.add(new Sample(group.getKey(), mean(group.getValue().values())));
      }
      out.sort((a, b) -> a.labels().compareTo(b.labels()));
      return new Value.Vector(out);
    }

    static double mean(java.util.Collection<double[]> shards) {
      double n = 0;
      boolean allEqual = true;
      boolean allFinite = true;
      Double first = null;
      for (double[] shard : shards) {
        n += shard[1];
        if (first == null) {
          first = shard[0];
        } else if (Double.compare(first, shard[0]) != 0) {
          allEqual = false;
        }
        allFinite &= Double.isFinite(shard[0]);
      }
      if (allEqual && first != null) {
        return first;
      }
      double weighted = 0;
      for (double[] shard : shards) {
        weighted += shard[1] * shard[0];
      }
      if (Double.isFinite(weighted) || !allFinite) {
        return weighted / n;
      }
      double scaled = 0;
      for (double[] shard : shards) {
        scaled += shard[1] / n * shard[0];
      }
      return scaled;
    }

    @Override
    public String print() {
      return "avg_merge"
          + Nodes.grouping(without, grouping)
          + "("
          + means.print()
          + ", "
          + counts.print()
          + ")";
    }

    @Override
    public List<PlanNode> children() {
      return List.of(means, counts);
    }
  }

  /**
   * {@code stdvar} or {@code stddev} from per-shard means, counts and variances (Chan et al.'s
   * parallel combination): n = Σnᵢ, the mean as {@link AverageMerge}, and the sum of squared
   * deviations Σnᵢvᵢ + Σnᵢ(μᵢ - μ)². It equals Prometheus's Welford over every series within
   * rounding (relative 1e-9 and far better in practice), from one triple per group and shard. A NaN
   * or infinite value on a shard makes that shard's variance NaN (but for a single series, 0), and
   * with other shards the result, as Welford's does.
   */
  record VarianceMerge(
      boolean standardDeviation,
      boolean without,
      List<String> grouping,
      Fetch means,
      Fetch counts,
      Fetch variances)
      implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      Map<Labels, Map<Integer, double[]>> groups =
          Nodes.partsByGroup(context, time, means, counts, variances);
      List<Sample> out = new ArrayList<>(groups.size());
      for (Map.Entry<Labels, Map<Integer, double[]>> group : groups.entrySet()) {
        java.util.Collection<double[]> shards = group.getValue().values();
        double mean = AverageMerge.mean(shards);
        double n = 0;
        double squares = 0;
        for (double[] shard : shards) {
          double deviation = shard[0] - mean;
          n += shard[1];
          // A shard whose means equal the global mean adds no spread: keep 0 * Inf out of it.
          squares += shard[1] * shard[2] + (deviation == 0 ? 0 : shard[1] * deviation * deviation);
        }
        // A group on one shard is that shard's own Welford, which is Prometheus's over the same
        // series in the same order: exact, and 0 for one series even if it is infinite or NaN
        // (Welford never updates a single value), where the combination would make Inf - Inf.
        double variance = shards.size() == 1 ? shards.iterator().next()[2] : squares / n;
        out.add(new Sample(group.getKey(), standardDeviation ? Math.sqrt(variance) : variance));
      }
      out.sort((a, b) -> a.labels().compareTo(b.labels()));
      return new Value.Vector(out);
    }

    @Override
    public String print() {
      return (standardDeviation ? "stddev_merge" : "stdvar_merge")
          + Nodes.grouping(without, grouping)
          + "("
          + means.print()
          + ", "
          + counts.print()
          + ", "
          + variances.print()
          + ")";
    }

    @Override
    public List<PlanNode> children() {
      return List.of(means, counts, variances);
    }
  }

  record Binary(
      BinaryOp op, boolean returnBool, VectorMatching matching, PlanNode lhs, PlanNode rhs)
      implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      Value left = lhs.evaluate(context, time);
      Value right = rhs.evaluate(context, time);
      if (left instanceof Value.Scalar l && right instanceof Value.Scalar r) {
        return new Value.Scalar(BinaryOperations.scalars(op, l.value(), r.value()));
      }
      List<Sample> out;
      if (right instanceof Value.Scalar r) {
        out = BinaryOperations.vectorScalar(op, Nodes.vector(left), r.value(), false, returnBool);
      } else if (left instanceof Value.Scalar l) {
        out = BinaryOperations.vectorScalar(op, Nodes.vector(right), l.value(), true, returnBool);
      } else {
        out =
            BinaryOperations.vectors(
                op, Nodes.vector(left), Nodes.vector(right), matching, returnBool);
      }
      Errors.checkDistinct(out);
      return new Value.Vector(out);
    }

    @Override
    public String print() {
      String modifiers = returnBool ? " bool" : "";
      if (!matching.equals(VectorMatching.DEFAULT)) {
        modifiers +=
            (matching.on() ? " on (" : " ignoring (") + String.join(", ", matching.labels()) + ")";
        switch (matching.cardinality()) {
          case MANY_TO_ONE ->
              modifiers += " group_left (" + String.join(", ", matching.include()) + ")";
          case ONE_TO_MANY ->
              modifiers += " group_right (" + String.join(", ", matching.include()) + ")";
          case ONE_TO_ONE -> {}
        }
      }
      return "(" + lhs.print() + " " + op.symbol() + modifiers + " " + rhs.print() + ")";
    }

    @Override
    public List<PlanNode> children() {
      return List.of(lhs, rhs);
    }
  }

  /**
   * A step-invariant aggregation whose parameter is not ({@link StepInvariance}): Prometheus 2.42
   * evaluates it once, at the first step of its evaluation (the request's start, or the first point
   * of the subquery grid it is in), parameter included, and repeats that value at every step.
   *
   * @param grid the subquery grid it is evaluated on, or null: the request's times
   */
  record AtFirstStep(PlanNode expr, Grid grid) implements PlanNode {
    /** The time it is evaluated at, whatever the step. */
    long firstStep(EvalContext context) {
      return grid == null
          ? context.startMillis()
          : grid.start(context.startMillis(), context.endMillis());
    }

    @Override
    public Value evaluate(EvalContext context, long time) {
      return expr.evaluate(context, firstStep(context));
    }

    @Override
    public String print() {
      return "atFirstStep(" + expr.print() + ")";
    }

    @Override
    public List<PlanNode> children() {
      return List.of(expr);
    }
  }

  /** Unary minus over a global value: negates and, for vectors, drops the metric name. */
  /**
   * A parenthesised range vector with {@code @} at the top of an instant query, computed by the
   * router: Prometheus 2.42 evaluates it as a step-invariant expression that is neither a matrix
   * selector nor a subquery (it does not look inside the parentheses), which must have one point
   * per series, and answers 422 {@code unexpected number of samples} for any other number.
   */
  record OnePointPerSeries(PlanNode expr) implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      Value value = expr.evaluate(context, time);
      if (value instanceof Value.Matrix matrix) {
        for (Value.Series series : matrix.series()) {
          if (series.times().length != 1) {
            throw Errors.execution("unexpected number of samples");
          }
        }
      }
      return value;
    }

    @Override
    public String print() {
      return "onePointPerSeries(" + expr.print() + ")";
    }

    @Override
    public List<PlanNode> children() {
      return List.of(expr);
    }
  }

  record Negate(PlanNode expr) implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      Value value = expr.evaluate(context, time);
      if (value instanceof Value.Scalar scalar) {
        return new Value.Scalar(-scalar.value());
      }
      List<Sample> out = new ArrayList<>();
      for (Sample sample : Nodes.vector(value)) {
        // Prometheus 2.42 negates the value only: a histogram stays as it is.
        out.add(
            new Sample(sample.labels().withoutMetricName(), -sample.value(), sample.histogram()));
      }
      Errors.checkDistinct(out);
      return new Value.Vector(out);
    }

    @Override
    public String print() {
      return "-" + expr.print();
    }

    @Override
    public List<PlanNode> children() {
      return List.of(expr);
    }
  }

  /** A function computed by the router from its arguments' global values. */
  record Function(KnownFunction function, List<PlanNode> args, Labels absentLabels)
      implements PlanNode {
    @Override
    public Value evaluate(EvalContext context, long time) {
      List<Value> values = new ArrayList<>(args.size());
      for (PlanNode arg : args) {
        values.add(arg.evaluate(context, time));
      }
      return RouterFunctions.call(function, values, absentLabels, time);
    }

    @Override
    public String print() {
      List<String> printed = new ArrayList<>();
      for (PlanNode arg : args) {
        printed.add(arg.print());
      }
      return function.functionName() + "(" + String.join(", ", printed) + ")";
    }

    @Override
    public List<PlanNode> children() {
      return args;
    }
  }

  private static List<Sample> sorted(List<Sample> samples) {
    List<Sample> copy = new ArrayList<>(samples);
    copy.sort((a, b) -> a.labels().compareTo(b.labels()));
    return copy;
  }

  /** Helpers shared by the nodes. */
  final class Nodes {
    private Nodes() {}

    static List<Sample> vector(Value value) {
      if (value instanceof Value.Vector vector) {
        return vector.samples();
      }
      throw new IllegalStateException("expected an instant vector, got " + value);
    }

    static double scalar(Value value) {
      if (value instanceof Value.Scalar scalar) {
        return scalar.value();
      }
      throw new IllegalStateException("expected a scalar, got " + value);
    }

    /**
     * Per output group, per shard: the values of one group in each partial query, in the order of
     * {@code parts} ({@code [mean, count, ...]}); a part a shard did not answer is NaN, a missing
     * count 0.
     */
    static Map<Labels, Map<Integer, double[]>> partsByGroup(
        EvalContext context, long time, Fetch... parts) {
      Map<Labels, Map<Integer, double[]>> groups = new LinkedHashMap<>();
      for (int part = 0; part < parts.length; part++) {
        for (int shard = 0; shard < context.shardCount(parts[part].index()); shard++) {
          for (Sample sample : context.shard(parts[part].index(), shard, time)) {
            groups.computeIfAbsent(sample.labels(), unused -> new java.util.TreeMap<>())
                    .computeIfAbsent(shard, unused -> emptyParts(parts.length))[part] =
                sample.value();
          }
        }
      }
      return groups;
    }

    private static double[] emptyParts(int count) {
      double[] values = new double[count];
      java.util.Arrays.fill(values, Double.NaN);
      values[1] = 0;
      return values;
    }

    static String grouping(boolean without, List<String> grouping) {
      if (!without && grouping.isEmpty()) {
        return "";
      }
      return (without ? " without (" : " by (") + String.join(", ", grouping) + ") ";
    }
  }
}
