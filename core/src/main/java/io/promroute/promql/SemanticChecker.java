package io.promroute.promql;

import io.promroute.compat.GoQuote;
import io.promroute.compat.PromRegex;
import io.promroute.promql.AstBuilder.Span;
import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.Function;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prometheus's {@code checkAST}: the type rules that apply once the whole tree is built, checked in
 * the same order so that the first error reported is Prometheus's first error.
 */
final class SemanticChecker {

  /**
   * Thrown instead of an error when the tree was built without positions: the caller builds it
   * again with positions and checks again.
   */
  static final class NeedsPositions extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private NeedsPositions() {
      super(null, null, false, false);
    }
  }

  private static final NeedsPositions NEEDS_POSITIONS = new NeedsPositions();

  private final SourceText source;
  private final Map<Expr, Span> spans;
  private final Map<Expr, Span> operatorSpans;

  /** The second argument of {@code info()} may select series by labels alone. */
  private final Set<Expr> emptyMatchersAllowed = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * @param spans where each node was written, or {@code null} when the tree was built without
   *     positions (then the first error throws {@link NeedsPositions})
   * @param operatorSpans where each binary expression's operator was written, or {@code null}
   */
  SemanticChecker(SourceText source, Map<Expr, Span> spans, Map<Expr, Span> operatorSpans) {
    this.source = source;
    this.spans = spans;
    this.operatorSpans = operatorSpans;
  }

  /** Checks the tree and returns its type. */
  ValueType check(Expr expr) {
    if (expr instanceof VectorSelector selector) {
      checkSelector(selector);
    } else if (expr instanceof MatrixSelector matrix) {
      checkSelector(matrix.selector());
    } else if (expr instanceof BinaryExpr binary) {
      return checkBinary(binary);
    } else if (expr instanceof Call call) {
      checkCall(call);
    } else if (expr instanceof AggregateExpr aggregate) {
      checkAggregate(aggregate);
    } else if (expr instanceof ParenExpr paren) {
      check(paren.expr());
    } else if (expr instanceof UnaryExpr unary) {
      ValueType type = check(unary.expr());
      if (type != ValueType.SCALAR && type != ValueType.INSTANT_VECTOR) {
        throw error(
            "unary expression only allowed on expressions of type scalar or instant vector, got "
                + GoQuote.quote(type.description()),
            expr);
      }
    } else if (expr instanceof SubqueryExpr subquery) {
      ValueType type = check(subquery.expr());
      if (type != ValueType.INSTANT_VECTOR) {
        throw error(
            "subquery is only allowed on instant vector, got " + type.resultType() + " instead",
            expr);
      }
    } else if (!(expr instanceof NumberLiteral) && !(expr instanceof StringLiteral)) {
      throw new IllegalStateException("unknown node " + expr);
    }
    return expr.type();
  }

  private void checkSelector(VectorSelector selector) {
    if (selector.name() != null) {
      for (LabelMatcher matcher : selector.matchers()) {
        if (matcher.name().equals(LabelMatcher.METRIC_NAME)) {
          throw error(
              "metric name must not be set twice: "
                  + GoQuote.quote(selector.name())
                  + " or "
                  + GoQuote.quote(matcher.value()),
              selector);
        }
      }
      return;
    }
    if (emptyMatchersAllowed.contains(selector) || hasNonEmptyMatcher(selector)) {
      return;
    }
    throw error("vector selector must contain at least one non-empty matcher", selector);
  }

  /** See {@link PromQL#hasNonEmptyMatcher}. */
  static boolean hasNonEmptyMatcher(VectorSelector selector) {
    if (selector.name() != null) {
      return true;
    }
    for (LabelMatcher matcher : selector.matchers()) {
      if (!matchesEmpty(matcher)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesEmpty(LabelMatcher matcher) {
    return switch (matcher.op()) {
      case EQUAL -> matcher.value().isEmpty();
      case NOT_EQUAL -> !matcher.value().isEmpty();
      case REGEX -> PromRegex.matchesEmpty(matcher.value());
      case NOT_REGEX -> !PromRegex.matchesEmpty(matcher.value());
    };
  }

  private void checkAggregate(AggregateExpr aggregate) {
    expectType(aggregate.expr(), ValueType.INSTANT_VECTOR, "aggregation expression");
    AggregateOp op = aggregate.op();
    if (op.hasParameter()) {
      expectType(aggregate.param(), op.parameterType(), "aggregation parameter");
    }
  }

  private void expectType(Expr expr, ValueType expected, String context) {
    ValueType type = check(expr);
    if (type != expected) {
      throw error(
          "expected type "
              + expected.description()
              + " in "
              + context
              + ", got "
              + type.description(),
          expr);
    }
  }

  /**
   * A left-associative chain ({@code a or b or c ...}) is checked in a loop down its left spine, in
   * the recursive order (leftmost operand first, then each right operand and its operator), so that
   * a chain of any length costs no stack and the first error is Prometheus's first.
   */
  private ValueType checkBinary(BinaryExpr binary) {
    java.util.ArrayDeque<BinaryExpr> chain = new java.util.ArrayDeque<>();
    Expr leftmost = binary;
    while (leftmost instanceof BinaryExpr link) {
      chain.push(link);
      leftmost = link.lhs();
    }
    ValueType leftType = check(leftmost);
    while (!chain.isEmpty()) {
      BinaryExpr link = chain.pop();
      ValueType rightType = check(link.rhs());
      checkOperator(link, leftType, rightType);
      leftType =
          leftType == ValueType.SCALAR && rightType == ValueType.SCALAR
              ? ValueType.SCALAR
              : ValueType.INSTANT_VECTOR;
    }
    return leftType;
  }

  private void checkOperator(BinaryExpr binary, ValueType leftType, ValueType rightType) {
    BinaryOp op = binary.op();
    VectorMatching matching = binary.matching();
    if (binary.returnBool() && !op.acceptsBool()) {
      throw operatorError("bool modifier can only be used on comparison operators", binary);
    }
    if (op.acceptsBool()
        && !binary.returnBool()
        && leftType == ValueType.SCALAR
        && rightType == ValueType.SCALAR) {
      throw operatorError("comparisons between scalars must use BOOL modifier", binary);
    }
    if (matching.on()) {
      for (String label : matching.labels()) {
        if (matching.include().contains(label)) {
          throw operatorError(
              "label " + GoQuote.quote(label) + " must not occur in ON and GROUP clause at once",
              binary);
        }
      }
    }
    if (leftType != ValueType.SCALAR && leftType != ValueType.INSTANT_VECTOR) {
      throw error(
          "binary expression must contain only scalar and instant vector types", binary.lhs());
    }
    if (rightType != ValueType.SCALAR && rightType != ValueType.INSTANT_VECTOR) {
      throw error(
          "binary expression must contain only scalar and instant vector types", binary.rhs());
    }
    boolean filled = matching.fill() != null;
    if (leftType != ValueType.INSTANT_VECTOR || rightType != ValueType.INSTANT_VECTOR) {
      if (!matching.labels().isEmpty()) {
        throw error("vector matching only allowed between instant vectors", binary);
      }
      if (filled) {
        throw error("filling in missing series only allowed between instant vectors", binary);
      }
    } else if (op.isSetOperator()) {
      if (matching.cardinality() != VectorMatching.Cardinality.ONE_TO_ONE) {
        throw error("no grouping allowed for " + GoQuote.quote(op.symbol()) + " operation", binary);
      }
      if (filled) {
        throw error("filling in missing series not allowed for set operators", binary);
      }
    }
    if ((leftType == ValueType.SCALAR || rightType == ValueType.SCALAR) && op.isSetOperator()) {
      throw error(
          "set operator " + GoQuote.quote(op.symbol()) + " not allowed in binary scalar expression",
          binary);
    }
  }

  private void checkCall(Call call) {
    Function function = call.function();
    List<ValueType> argTypes = function.argTypes();
    List<Expr> args = call.args();
    String quotedName = GoQuote.quote(function.name());
    if (function.variadic() == 0) {
      if (argTypes.size() != args.size()) {
        throw error(
            "expected "
                + argTypes.size()
                + " argument(s) in call to "
                + quotedName
                + ", got "
                + args.size(),
            call);
      }
    } else {
      int minimum = argTypes.size() - 1;
      if (minimum > args.size()) {
        throw error(
            "expected at least "
                + minimum
                + " argument(s) in call to "
                + quotedName
                + ", got "
                + args.size(),
            call);
      }
      int maximum = minimum + function.variadic();
      if (function.variadic() > 0 && maximum < args.size()) {
        throw error(
            "expected at most "
                + maximum
                + " argument(s) in call to "
                + quotedName
                + ", got "
                + args.size(),
            call);
      }
    }
    if (function.name().equals("info") && args.size() > 1) {
      Expr labels = args.get(1);
      if (labels.type() != ValueType.INSTANT_VECTOR) {
        throw error(
            "expected type instant vector in call to function "
                + quotedName
                + ", got "
                + labels.type().description(),
            call);
      }
      if (labels instanceof VectorSelector selector && selector.name() != null) {
        throw error("expected label selectors only, got vector selector instead", labels);
      } else if (labels instanceof VectorSelector) {
        emptyMatchersAllowed.add(labels);
      } else {
        throw error("expected label selectors only", labels);
      }
    }
    for (int index = 0; index < args.size(); index++) {
      int typeIndex = index;
      if (index >= argTypes.size()) {
        if (function.variadic() == 0) {
          break;
        }
        typeIndex = argTypes.size() - 1;
      }
      ValueType expected = argTypes.get(typeIndex);
      ValueType type = check(args.get(index));
      if (type != expected) {
        throw error(
            "expected type "
                + expected.description()
                + " in call to function "
                + quotedName
                + ", got "
                + type.description(),
            args.get(index));
      }
    }
  }

  private PromQLParseException error(String reason, Expr node) {
    if (spans == null) {
      throw NEEDS_POSITIONS;
    }
    Span span = spans.get(node);
    if (span == null) {
      return source.error(reason, 0, 0);
    }
    return source.error(reason, span.start(), span.end());
  }

  private PromQLParseException operatorError(String reason, BinaryExpr binary) {
    if (operatorSpans == null) {
      throw NEEDS_POSITIONS;
    }
    Span span = operatorSpans.get(binary);
    if (span == null) {
      return error(reason, binary);
    }
    return source.error(reason, span.start(), span.end());
  }
}
