package io.promroute.promql;

import io.promroute.compat.GoFormat;
import io.promroute.compat.GoQuote;
import io.promroute.compat.GoStrings;
import io.promroute.compat.LabelNames;
import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.DurationBinary;
import io.promroute.promql.ast.DurationCall;
import io.promroute.promql.ast.DurationExpr;
import io.promroute.promql.ast.DurationLiteral;
import io.promroute.promql.ast.DurationNegation;
import io.promroute.promql.ast.DurationParen;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprVisitor;
import io.promroute.promql.ast.FillModifier;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.RangeSmoothing;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * The canonical single-line form of an expression, as Prometheus's {@code printer.go} ({@code
 * String()}) writes it. One instance appends to one buffer; not thread-safe.
 */
final class Printer implements ExprVisitor<Void> {

  /** How numbers print: Prometheus 3.3+ never uses an exponent, 2.x used Go's {@code %v}. */
  enum NumberStyle {
    /** {@code strconv.FormatFloat(v, 'f', -1, 64)}: {@code 1048576}. */
    PROMETHEUS_3,
    /** {@code fmt.Sprint(v)}: {@code 1.048576e+06}, what Prometheus 2.42's printer wrote. */
    PROMETHEUS_2
  }

  private final StringBuilder out;
  private final NumberStyle numberStyle;

  Printer(StringBuilder out, NumberStyle numberStyle) {
    this.out = out;
    this.numberStyle = numberStyle;
  }

  static String print(Expr expr) {
    return print(expr, NumberStyle.PROMETHEUS_3);
  }

  static String print(Expr expr, NumberStyle numberStyle) {
    StringBuilder out = new StringBuilder(64);
    expr.accept(new Printer(out, numberStyle));
    return out.toString();
  }

  void append(Expr expr) {
    expr.accept(this);
  }

  @Override
  public Void visitNumberLiteral(NumberLiteral node) {
    double value = node.value();
    if (node.duration()) {
      // Prometheus converts the seconds to a time.Duration (nanoseconds, truncated) and prints
      // that at millisecond precision.
      long millis = (long) (value * 1e9) / 1_000_000L;
      GoFormat.appendDuration(out, millis);
    } else {
      out.append(formatNumber(value));
    }
    return null;
  }

  private String formatNumber(double value) {
    return switch (numberStyle) {
      case PROMETHEUS_3 -> GoFormat.formatFloat(value);
      case PROMETHEUS_2 -> GoFormat.formatFloatShortestG(value);
    };
  }

  @Override
  public Void visitStringLiteral(StringLiteral node) {
    GoQuote.appendQuoted(out, node.value());
    return null;
  }

  @Override
  public Void visitVectorSelector(VectorSelector node) {
    appendSelectorWithoutModifiers(node);
    appendAt(node.at());
    appendSmoothing(node.smoothing());
    appendOffset(node.offset());
    return null;
  }

  private void appendSelectorWithoutModifiers(VectorSelector node) {
    String name = node.name();
    if (name != null) {
      out.append(name);
    }
    List<LabelMatcher> matchers = node.matchers();
    String[] printed = new String[matchers.size()];
    int count = 0;
    for (LabelMatcher matcher : matchers) {
      // Prometheus keeps the name among the matchers and skips it here; an explicit empty
      // name matcher still prints.
      if (name != null
          && matcher.op() == MatchOp.EQUAL
          && matcher.name().equals(LabelMatcher.METRIC_NAME)
          && matcher.value().equals(name)
          && !name.isEmpty()) {
        continue;
      }
      printed[count++] = matcherString(matcher);
    }
    if (count == 0) {
      if (name == null || name.isEmpty()) {
        // Deliberate deviation: Prometheus prints an empty selector (info()'s second argument)
        // as nothing, which does not parse again; we must send printed queries to shards.
        out.append("{}");
      }
      return;
    }
    if (count > 1) {
      Arrays.sort(printed, 0, count, GoStrings.ORDER);
    }
    out.append('{');
    for (int index = 0; index < count; index++) {
      if (index > 0) {
        out.append(',');
      }
      out.append(printed[index]);
    }
    out.append('}');
  }

  /** {@code name op "value"} as Prometheus's {@code Matcher.String()}; selectors sort by it. */
  static String matcherString(LabelMatcher matcher) {
    StringBuilder builder =
        new StringBuilder(matcher.name().length() + matcher.value().length() + 5);
    LabelNames.append(builder, matcher.name());
    builder.append(matcher.op().symbol());
    GoQuote.appendQuoted(builder, matcher.value());
    return builder.toString();
  }

  private void appendAt(AtModifier at) {
    if (at == null) {
      return;
    }
    switch (at.kind()) {
      case TIMESTAMP -> {
        out.append(" @ ");
        GoFormat.appendTimestamp(out, at.timestampMillis());
      }
      case START -> out.append(" @ start()");
      case END -> out.append(" @ end()");
    }
  }

  private void appendSmoothing(RangeSmoothing smoothing) {
    switch (smoothing) {
      case NONE -> {}
      case ANCHORED, SMOOTHED -> out.append(' ').append(smoothing.keyword());
    }
  }

  private void appendOffset(DurationExpr offset) {
    // Prometheus stores a literal offset as a plain duration and prints nothing when it is 0.
    if (offset == null
        || (offset instanceof DurationLiteral literal
            && literal.millis() == 0
            && !literal.number())) {
      return;
    }
    out.append(" offset ");
    appendDuration(offset);
  }

  @Override
  public Void visitMatrixSelector(MatrixSelector node) {
    VectorSelector selector = node.selector();
    appendSelectorWithoutModifiers(selector);
    out.append('[');
    appendDuration(node.range());
    out.append(']');
    appendSmoothing(selector.smoothing());
    appendAt(selector.at());
    appendOffset(selector.offset());
    return null;
  }

  @Override
  public Void visitSubqueryExpr(SubqueryExpr node) {
    append(node.expr());
    appendSubquerySuffix(node);
    return null;
  }

  /** {@code [range:step] @ t offset d}, Prometheus's {@code getSubqueryTimeSuffix}. */
  void appendSubquerySuffix(SubqueryExpr node) {
    out.append('[');
    appendDuration(node.range());
    out.append(':');
    DurationExpr step = node.step();
    // As with offsets, a literal step of 0 is Prometheus's "no step" and prints as nothing.
    if (step != null
        && !(step instanceof DurationLiteral literal
            && literal.millis() == 0
            && !literal.number())) {
      appendDuration(step);
    }
    out.append(']');
    appendAt(node.at());
    appendOffset(node.offset());
  }

  void appendDuration(DurationExpr duration) {
    if (duration instanceof DurationLiteral literal) {
      if (literal.number()) {
        out.append(formatNumber(literal.millis() / 1000.0));
      } else {
        GoFormat.appendDuration(out, literal.millis());
      }
    } else if (duration instanceof DurationBinary binary) {
      appendDuration(binary.lhs());
      out.append(' ').append(binary.op().symbol()).append(' ');
      appendDuration(binary.rhs());
    } else if (duration instanceof DurationNegation negation) {
      out.append('-');
      appendDuration(negation.expr());
    } else if (duration instanceof DurationParen paren) {
      out.append('(');
      appendDuration(paren.expr());
      out.append(')');
    } else if (duration instanceof DurationCall call) {
      out.append(call.function().functionName()).append('(');
      List<DurationExpr> args = call.args();
      for (int index = 0; index < args.size(); index++) {
        if (index > 0) {
          out.append(", ");
        }
        appendDuration(args.get(index));
      }
      out.append(')');
    } else {
      throw new IllegalStateException("unknown duration expression " + duration);
    }
  }

  @Override
  public Void visitCall(Call node) {
    out.append(node.function().name()).append('(');
    List<Expr> args = node.args();
    for (int index = 0; index < args.size(); index++) {
      if (index > 0) {
        out.append(", ");
      }
      append(args.get(index));
    }
    out.append(')');
    return null;
  }

  @Override
  public Void visitAggregateExpr(AggregateExpr node) {
    appendAggregatePrefix(node);
    out.append('(');
    if (node.param() != null) {
      append(node.param());
      out.append(", ");
    }
    append(node.expr());
    out.append(')');
    return null;
  }

  /**
   * The operator and its grouping, with a trailing space when there is one ({@code sum by (a) }),
   * Prometheus's {@code ShortString}. The grouping always comes first, wherever it was written.
   */
  void appendAggregatePrefix(AggregateExpr node) {
    out.append(node.op().keyword());
    if (node.without()) {
      out.append(" without (");
      appendLabels(node.grouping());
      out.append(") ");
    } else if (!node.grouping().isEmpty()) {
      out.append(" by (");
      appendLabels(node.grouping());
      out.append(") ");
    }
  }

  private void appendLabels(List<String> labels) {
    for (int index = 0; index < labels.size(); index++) {
      if (index > 0) {
        out.append(", ");
      }
      LabelNames.append(out, labels.get(index));
    }
  }

  @Override
  public Void visitBinaryExpr(BinaryExpr node) {
    // Left-deep chains (a + b + c ..., a or b or c ...) are the long shapes that queries and
    // rewrites build; a loop over the chain keeps the stack flat however long they get.
    if (!(node.lhs() instanceof BinaryExpr)) {
      append(node.lhs());
      out.append(' ');
      appendBinaryOperator(node);
      out.append(' ');
      append(node.rhs());
      return null;
    }
    ArrayDeque<BinaryExpr> chain = new ArrayDeque<>();
    Expr leftmost = node;
    while (leftmost instanceof BinaryExpr binary) {
      chain.push(binary);
      leftmost = binary.lhs();
    }
    append(leftmost);
    while (!chain.isEmpty()) {
      BinaryExpr binary = chain.pop();
      out.append(' ');
      appendBinaryOperator(binary);
      out.append(' ');
      append(binary.rhs());
    }
    return null;
  }

  /** The operator with {@code bool} and its matching modifiers, without surrounding spaces. */
  void appendBinaryOperator(BinaryExpr node) {
    out.append(node.op().symbol());
    if (node.returnBool()) {
      out.append(" bool");
    }
    VectorMatching matching = node.matching();
    boolean grouped = matching.cardinality() != VectorMatching.Cardinality.ONE_TO_ONE;
    // ignoring () alone means nothing and is dropped; on () is a real "match on no labels".
    if (matching.on() || !matching.labels().isEmpty() || grouped) {
      out.append(matching.on() ? " on (" : " ignoring (");
      appendLabels(matching.labels());
      out.append(')');
    }
    if (grouped) {
      out.append(
          matching.cardinality() == VectorMatching.Cardinality.MANY_TO_ONE
              ? " group_left ("
              : " group_right (");
      appendLabels(matching.include());
      out.append(')');
    }
    appendFill(matching.fill());
  }

  private void appendFill(FillModifier fill) {
    if (fill == null) {
      return;
    }
    NumberLiteral left = fill.left();
    NumberLiteral right = fill.right();
    // Prometheus prints fill values with Go's %v, whatever the number style, and folds equal
    // sides into one fill (NaN never equals NaN, so two NaN sides stay apart, as in Go).
    if (left != null && right != null && left.value() == right.value()) {
      out.append(" fill (").append(GoFormat.formatFloatShortestG(left.value())).append(')');
      return;
    }
    if (left != null) {
      out.append(" fill_left (").append(GoFormat.formatFloatShortestG(left.value())).append(')');
    }
    if (right != null) {
      out.append(" fill_right (").append(GoFormat.formatFloatShortestG(right.value())).append(')');
    }
  }

  @Override
  public Void visitUnaryExpr(UnaryExpr node) {
    out.append(node.negative() ? '-' : '+');
    append(node.expr());
    return null;
  }

  @Override
  public Void visitParenExpr(ParenExpr node) {
    out.append('(');
    append(node.expr());
    out.append(')');
    return null;
  }
}
