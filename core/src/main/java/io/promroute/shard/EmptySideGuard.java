package io.promroute.shard;

import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprRewriter;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorMatching;
import java.util.List;

/**
 * Makes each shard check the "one" side of its vector operations for duplicates whatever its "many"
 * side holds, for a query that several shards evaluate each over its own series.
 *
 * <p>Prometheus checks the one side of an arithmetic or comparison operation between vectors (the
 * right side, the left for {@code group_right}) for two series of one match group only when neither
 * side is empty at that step (engine.go, {@code VectorBinop}'s short-circuit). One Prometheus
 * holding every shard's series sees the many side non-empty when any shard has it, so it fails with
 * "found duplicate series for the match group" where a shard holding the duplicates but none of the
 * many side, evaluating alone, answers nothing. Guarded, the many side gets a series that matches
 * nothing, present only while the side is empty ({@code many or on () <guard>}), so every shard
 * checks its one side at every step. A shard then also fails at steps where the many side is empty
 * on every shard, where the global evaluation does not: a guarded query's duplicate error is not
 * the answer, but the sign that the router must match the sides itself ({@link
 * #isOneSideDuplicate}).
 *
 * <p>For the planner and the router, not an API of its own.
 */
public final class EmptySideGuard extends ExprRewriter {

  /**
   * The label value of the guard series: the shard label's value on no shard (shards that strip the
   * label have none; shards that keep it have their key).
   */
  static final String NO_MATCH = "promroute:empty-side";

  /** The label the guard series sets when the operation matches on every label but some. */
  static final String GUARD_LABEL = "__promroute_empty_side__";

  private static final String DUPLICATE = "found duplicate series for the match group ";

  /**
   * The most operations guarded in one query: each guard adds about 60 characters to the shard
   * query, and a chain of thousands of operations would grow by megabytes.
   */
  static final int MAX_GUARDS = 200;

  private final String shardLabel;
  private int guards;

  private EmptySideGuard(String shardLabel) {
    this.shardLabel = shardLabel;
  }

  /**
   * {@code expr} with the many side of each operation that checks its one side for duplicates
   * guarded; the same instance when it has none, or more than {@link #MAX_GUARDS}.
   *
   * @param expr a query several shards evaluate, each over its own series
   * @param shardLabel the shard label
   * @return the guarded query
   */
  public static Expr apply(Expr expr, String shardLabel) {
    EmptySideGuard guard = new EmptySideGuard(shardLabel);
    Expr guarded = guard.rewrite(expr);
    return guard.guards > MAX_GUARDS ? expr : guarded;
  }

  /**
   * Whether a shard's error {@code message} is the one-side duplicate error a guard can cause.
   *
   * @param message the error as the shard (or the router, prefixing the shard's name) worded it
   * @return {@code true} for "found duplicate series for the match group ..."
   */
  public static boolean isOneSideDuplicate(String message) {
    return message.contains(DUPLICATE);
  }

  @Override
  public Expr visitBinaryExpr(BinaryExpr node) {
    BinaryExpr rewritten = (BinaryExpr) super.visitBinaryExpr(node);
    VectorMatching matching = rewritten.matching();
    if (rewritten.op().isSetOperator()
        || rewritten.lhs().type() != ValueType.INSTANT_VECTOR
        || rewritten.rhs().type() != ValueType.INSTANT_VECTOR
        || matching.fill() != null) { // filled, an unmatched guard would make a sample
      return rewritten;
    }
    Expr guard = guard(matching);
    if (guard == null) {
      return rewritten;
    }
    guards++;
    return matching.cardinality() == VectorMatching.Cardinality.ONE_TO_MANY
        ? rewritten.withOperands(rewritten.lhs(), guarded(rewritten.rhs(), guard))
        : rewritten.withOperands(guarded(rewritten.lhs(), guard), rewritten.rhs());
  }

  /**
   * A series that matches no series of the other side under {@code matching}, or {@code null} when
   * there is none ({@code on ()}: every series is of the one match group).
   */
  private Expr guard(VectorMatching matching) {
    String label;
    if (matching.on()) {
      if (matching.labels().isEmpty()) {
        return null;
      }
      label = matching.labels().contains(shardLabel) ? shardLabel : matching.labels().get(0);
    } else {
      if (matching.labels().contains(GUARD_LABEL)) {
        return null;
      }
      label = GUARD_LABEL;
    }
    return Call.of(
        "label_replace",
        Call.of("vector", new NumberLiteral(0)),
        new StringLiteral(label),
        new StringLiteral(NO_MATCH),
        new StringLiteral(""),
        new StringLiteral(""));
  }

  /** {@code (side or on () guard)}: the guard only while {@code side} is empty. */
  private static Expr guarded(Expr side, Expr guard) {
    return new ParenExpr(
        new BinaryExpr(
            BinaryOp.OR,
            side instanceof BinaryExpr ? new ParenExpr(side) : side,
            guard,
            false,
            new VectorMatching(
                true, List.of(), VectorMatching.Cardinality.ONE_TO_ONE, List.of(), null)));
  }
}
