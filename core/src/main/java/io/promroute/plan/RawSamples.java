package io.promroute.plan;

import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.DurationExpr;
import io.promroute.promql.ast.DurationLiteral;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.RangeSmoothing;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.VectorSelector;

/**
 * The raw samples of a range argument whose function the router computes because another
 * argument is computed across shards: {@code quantile_over_time(scalar(sum(y)), x[5m])}, {@code
 * predict_linear(x[1h], scalar(count(up)))}, {@code holt_winters(x[10m], scalar(avg(a)), 0.5)}.
 *
 * <p>Why this design, and not two phases (the router evaluates the scalar first, then sends
 * each shard the function with its value written in as a literal): that needs a second round of
 * shard requests after part of the plan is evaluated, and a parameter that changes at every step
 * becomes one shard request per step. Here every shard gets one request per selector, sent with
 * all the others: the range widened by the request's span, evaluated once at the last step, e.g.
 * {@code x[5m]} over a range query from {@code s} to {@code e} is asked as {@code x[5m + (e - s)]}
 * at {@code e}. Its answer holds every sample of every step's window (a shard's range selector
 * drops stale markers, as the global one does), and the router cuts each step's window out of it
 * and applies {@link RangeFunctions}' kernels, Prometheus 2.42's arithmetic. The cost: the
 * samples of the whole span cross the network and are held by the router, counted against the
 * query's sample limit and the memory budget as they are read; a shard that cannot load them at
 * once answers its own {@code --query.max-samples} error.
 *
 * <p>The windows are Prometheus 2.42's, the version whose answers the router reproduces (as its
 * subqueries over merged values do): closed, {@code [t - offset - range, t - offset]} (3.x leaves
 * out the left end). With {@code @}, 2.42 takes the modifier relative to the evaluation's start
 * when a function argument is not step-invariant, so the window moves with the step: at step
 * {@code t} it ends at {@code @ + (t - start) - offset} (3.0 keeps it at {@code @ - offset}).
 * {@code @ start()} and {@code @ end()} are the request's bounds, also inside subqueries.
 *
 * @param expr the range argument, parentheses removed: a matrix selector, or a subquery the
 *     shards compute whole
 * @param rangeMillis its range
 * @param offsetMillis its offset
 * @param at its {@code @} modifier, or null
 */
record RawSamples(Expr expr, long rangeMillis, long offsetMillis, AtModifier at) {

  /**
   * The raw samples of {@code argument}, or null when its durations are not literals or its
   * selector has a range modifier ({@code anchored}, {@code smoothed}) that changes the windows.
   */
  static RawSamples of(Expr argument) {
    Expr expr = unwrap(argument);
    if (expr instanceof MatrixSelector matrix) {
      VectorSelector selector = matrix.selector();
      Long range = millis(matrix.range());
      Long offset = selector.offset() == null ? Long.valueOf(0) : millis(selector.offset());
      if (range == null || offset == null || selector.smoothing() != RangeSmoothing.NONE) {
        return null;
      }
      return new RawSamples(expr, range, offset, selector.at());
    }
    if (expr instanceof SubqueryExpr subquery) {
      Long range = millis(subquery.range());
      Long offset = subquery.offset() == null ? Long.valueOf(0) : millis(subquery.offset());
      boolean literalStep = subquery.step() == null || millis(subquery.step()) != null;
      if (range == null || offset == null || !literalStep) {
        return null;
      }
      return new RawSamples(expr, range, offset, subquery.at());
    }
    return null;
  }

  /**
   * The instant query, to evaluate at {@code lastStep}, whose answer holds the samples of every
   * window from the step at {@code firstStep} to the one at {@code lastStep}.
   *
   * @param shardExpr {@link #expr()} as one shard evaluates it (its selectors rewritten for it)
   * @param requestStart the request's start, for {@code @ start()}
   * @param requestEnd the request's end, for {@code @ end()}
   */
  Expr widened(Expr shardExpr, long firstStep, long lastStep, long requestStart, long requestEnd) {
    Expr resolved = unwrap(AtStartEnd.resolve(unwrap(shardExpr), requestStart, requestEnd));
    long span = lastStep - firstStep;
    DurationLiteral range = DurationLiteral.ofMillis(rangeMillis + span);
    if (resolved instanceof MatrixSelector matrix) {
      VectorSelector selector = matrix.selector();
      return new MatrixSelector(selector.withAt(shifted(selector.at(), span)), range);
    }
    SubqueryExpr subquery = (SubqueryExpr) resolved;
    return new SubqueryExpr(subquery.expr(), range, subquery.step(), subquery.offset(), shifted(subquery.at(), span));
  }

  /**
   * Where the window of the step at {@code time} ends (it starts {@link #rangeMillis()} earlier),
   * for steps that start at {@code firstStep}.
   */
  long windowEnd(long time, long firstStep, long requestStart, long requestEnd) {
    if (at == null) {
      return time - offsetMillis;
    }
    return atMillis(requestStart, requestEnd) + (time - firstStep) - offsetMillis;
  }

  private long atMillis(long requestStart, long requestEnd) {
    return switch (at.kind()) {
      case TIMESTAMP -> at.timestampMillis();
      case START -> requestStart;
      case END -> requestEnd;
    };
  }

  /** A numeric {@code @} moved {@code span} later, so the widened window ends where the last step's does. */
  private static AtModifier shifted(AtModifier at, long span) {
    return at == null ? null : AtModifier.at(at.timestampMillis() + span);
  }

  private static Expr unwrap(Expr expr) {
    Expr unwrapped = expr;
    while (unwrapped instanceof ParenExpr paren) {
      unwrapped = paren.expr();
    }
    return unwrapped;
  }

  private static Long millis(DurationExpr duration) {
    return duration instanceof DurationLiteral literal ? literal.millis() : null;
  }
}
