package io.promroute.plan;

import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.VectorSelector;
import java.util.Set;

/**
 * Which expressions Prometheus 2.42 evaluates once, at the evaluation's first step, and repeats at
 * every other step: those its {@code PreprocessExpr} finds step-invariant. Selectors and subqueries
 * with {@code @}, literals, and functions (but those that read the evaluation time or the samples'
 * timestamps) and operators over such expressions. An aggregation is judged by its argument alone,
 * its parameter left out: {@code topk(scalar(count(x)) - 10, y @ t)} over a range uses the
 * parameter's value at the first step at every step (and fails there, and only there, if it is
 * NaN).
 */
final class StepInvariance {

  private StepInvariance() {}

  /**
   * Prometheus 2.42's {@code AtModifierUnsafeFunctions}: they read the evaluation time, or the
   * samples' timestamps ({@code timestamp}).
   */
  private static final Set<String> READ_THE_TIME =
      Set.of(
          "days_in_month",
          "day_of_month",
          "day_of_week",
          "day_of_year",
          "hour",
          "minute",
          "month",
          "year",
          "predict_linear",
          "time",
          "timestamp");

  static boolean isStepInvariant(Expr expr) {
    if (expr instanceof NumberLiteral || expr instanceof StringLiteral) {
      return true;
    }
    if (expr instanceof VectorSelector selector) {
      return selector.at() != null;
    }
    if (expr instanceof MatrixSelector matrix) {
      return matrix.selector().at() != null;
    }
    if (expr instanceof SubqueryExpr subquery) {
      return subquery.at() != null;
    }
    if (expr instanceof ParenExpr paren) {
      return isStepInvariant(paren.expr());
    }
    if (expr instanceof UnaryExpr unary) {
      return isStepInvariant(unary.expr());
    }
    if (expr instanceof AggregateExpr aggregate) {
      return isStepInvariant(aggregate.expr());
    }
    if (expr instanceof BinaryExpr binary) {
      return isStepInvariant(binary.lhs()) && isStepInvariant(binary.rhs());
    }
    Call call = (Call) expr;
    boolean invariant = !READ_THE_TIME.contains(call.function().name());
    for (Expr arg : call.args()) {
      invariant &= isStepInvariant(arg);
    }
    return invariant;
  }
}
