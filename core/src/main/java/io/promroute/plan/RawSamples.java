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
 * The raw samples of a range argument whose function the router computes because another argument
 * is computed across shards: {@code quantile_over_time(scalar(sum(y)), x[5m])}, {@code
 * predict_linear(x[1h], scalar(count(up)))}, {@code holt_winters(x[10m], scalar(avg(a)), 0.5)}.
 *
 * <p>Why this design, and not two phases (the router evaluates the scalar first, then sends each
 * shard the function with its value written in as a literal): that needs a second round of shard
 * requests after part of the plan is evaluated, and a parameter that changes at every step becomes
 * one shard request per step. Here every shard gets one request per selector, sent with all the
 * others: the range widened by the request's span, evaluated once at the last step, e.g. {@code
 * x[5m]} over a range query from {@code s} to {@code e} is asked as {@code x[5m + (e - s)]} at
 * {@code e}. Its answer holds every sample of every step's window (a shard's range selector drops
 * stale markers, as the global one does), and the router cuts each step's window out of it and
 * applies {@link RangeFunctions}' kernels, Prometheus 2.42's arithmetic. The cost: the samples of
 * the whole span cross the network and are held by the router, counted against the query's sample
 * limit and the memory budget as they are read; a shard that cannot load them at once answers its
 * own {@code --query.max-samples} error.
 *
 * <p>The windows are Prometheus 2.42's, the version whose answers the router reproduces (as its
 * subqueries over merged values do): closed, {@code [t - offset - range, t - offset]} (3.x leaves
 * out the left end). With {@code @}, 2.42 reads only the samples of {@code [@ - offset - range, @ -
 * offset]} from storage (the selector's own time range), but when another argument is not
 * step-invariant it takes the modifier relative to the evaluation's first step, so the window moves
 * with the step: at step {@code t} it is {@code [@ + (t - first) - offset - range, @ - offset]},
 * shrinking until it is empty (3.0 keeps it whole at every step). The shards are then asked for the
 * range as written, {@code @ start()} and {@code @ end()} made the request's bounds. A subquery
 * argument with {@code @} is cut the same way; 2.42 also evaluates its inner query past the
 * {@code @} time there, over data it has cut off, which the router does not reproduce.
 *
 * @param expr the range argument, parentheses removed: a matrix selector, or a subquery the shards
 *     compute whole
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
    if (at != null) {
      return resolved; // every window lies in the range as written
    }
    DurationLiteral range = DurationLiteral.ofMillis(rangeMillis + lastStep - firstStep);
    if (resolved instanceof MatrixSelector matrix) {
      return new MatrixSelector(matrix.selector(), range);
    }
    SubqueryExpr subquery = (SubqueryExpr) resolved;
    return new SubqueryExpr(subquery.expr(), range, subquery.step(), subquery.offset(), null);
  }

  /** Where the window of the step at {@code time} ends (included). */
  long windowEnd(long time, long requestStart, long requestEnd) {
    return (at == null ? time : atMillis(requestStart, requestEnd)) - offsetMillis;
  }

  /**
   * Where the window of the step at {@code time} starts (included), for steps that start at {@code
   * firstStep}.
   */
  long windowStart(long time, long firstStep, long requestStart, long requestEnd) {
    long end = at == null ? time : atMillis(requestStart, requestEnd) + (time - firstStep);
    return end - offsetMillis - rangeMillis;
  }

  private long atMillis(long requestStart, long requestEnd) {
    return switch (at.kind()) {
      case TIMESTAMP -> at.timestampMillis();
      case START -> requestStart;
      case END -> requestEnd;
    };
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
