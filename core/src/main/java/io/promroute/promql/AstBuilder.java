package io.promroute.promql;

import io.promroute.compat.GoFormat;
import io.promroute.compat.GoQuote;
import io.promroute.compat.PromRegex;
import io.promroute.promql.Literals.LiteralException;
import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.DurationBinary;
import io.promroute.promql.ast.DurationCall;
import io.promroute.promql.ast.DurationExpr;
import io.promroute.promql.ast.DurationLiteral;
import io.promroute.promql.ast.DurationNegation;
import io.promroute.promql.ast.DurationParen;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.FillModifier;
import io.promroute.promql.ast.Function;
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
import io.promroute.promql.internal.grammar.PromQLLexer;
import io.promroute.promql.internal.grammar.PromQLParser;
import io.promroute.promql.internal.grammar.PromQLParser.AggregationContext;
import io.promroute.promql.internal.grammar.PromQLParser.AtContext;
import io.promroute.promql.internal.grammar.PromQLParser.BinaryContext;
import io.promroute.promql.internal.grammar.PromQLParser.BinaryModifiersContext;
import io.promroute.promql.internal.grammar.PromQLParser.CallContext;
import io.promroute.promql.internal.grammar.PromQLParser.DurationBinaryContext;
import io.promroute.promql.internal.grammar.PromQLParser.DurationCallContext;
import io.promroute.promql.internal.grammar.PromQLParser.DurationExprContext;
import io.promroute.promql.internal.grammar.PromQLParser.DurationFunctionContext;
import io.promroute.promql.internal.grammar.PromQLParser.DurationLiteralContext;
import io.promroute.promql.internal.grammar.PromQLParser.DurationParenthesizedContext;
import io.promroute.promql.internal.grammar.PromQLParser.DurationUnaryContext;
import io.promroute.promql.internal.grammar.PromQLParser.ExprContext;
import io.promroute.promql.internal.grammar.PromQLParser.FillModifiersContext;
import io.promroute.promql.internal.grammar.PromQLParser.FillValueContext;
import io.promroute.promql.internal.grammar.PromQLParser.FunctionArgumentsContext;
import io.promroute.promql.internal.grammar.PromQLParser.GroupingContext;
import io.promroute.promql.internal.grammar.PromQLParser.GroupingLabelContext;
import io.promroute.promql.internal.grammar.PromQLParser.GroupingLabelsContext;
import io.promroute.promql.internal.grammar.PromQLParser.LabelMatcherContext;
import io.promroute.promql.internal.grammar.PromQLParser.LabelMatchersContext;
import io.promroute.promql.internal.grammar.PromQLParser.MatrixSelectorContext;
import io.promroute.promql.internal.grammar.PromQLParser.NumberContext;
import io.promroute.promql.internal.grammar.PromQLParser.OffsetContext;
import io.promroute.promql.internal.grammar.PromQLParser.OffsetDurationContext;
import io.promroute.promql.internal.grammar.PromQLParser.OffsetFunctionContext;
import io.promroute.promql.internal.grammar.PromQLParser.OffsetLiteralContext;
import io.promroute.promql.internal.grammar.PromQLParser.OffsetParenthesizedContext;
import io.promroute.promql.internal.grammar.PromQLParser.ParenthesizedContext;
import io.promroute.promql.internal.grammar.PromQLParser.SelectorContext;
import io.promroute.promql.internal.grammar.PromQLParser.SmoothingContext;
import io.promroute.promql.internal.grammar.PromQLParser.StringContext;
import io.promroute.promql.internal.grammar.PromQLParser.SubqueryContext;
import io.promroute.promql.internal.grammar.PromQLParser.UnaryContext;
import io.promroute.promql.internal.grammar.PromQLParser.VectorSelectorContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * Turns the parse tree into the immutable AST, and raises the errors that Prometheus raises in its
 * grammar actions (unknown functions, aggregation arity, misplaced {@code offset} and {@code @},
 * ranges, durations, regexes, experimental switches), in the order yacc reduces. Records where each
 * node came from, for the {@link SemanticChecker}.
 */
final class AstBuilder {

  /** Where a node was written, in code points, end exclusive. */
  record Span(int start, int end) {}

  /** A duration while it is built: a literal keeps Prometheus's value in seconds. */
  private record Duration(DurationExpr expr, double seconds, boolean number, Span span) {
    boolean isLiteral() {
      return expr == null;
    }
  }

  private final SourceText source;
  private final ParserOptions options;

  /**
   * Positions are only needed to report a semantic error, which is rare: the parser builds without
   * them first and builds again with them when the check fails.
   */
  private final boolean recordSpans;

  private final Map<Expr, Span> spans;

  /** For binary expressions, the operator and its modifiers, where Prometheus reports. */
  private final Map<Expr, Span> operatorSpans;

  private int depth;

  AstBuilder(SourceText source, ParserOptions options, boolean recordSpans) {
    this.source = source;
    this.options = options;
    this.recordSpans = recordSpans;
    this.spans = recordSpans ? new IdentityHashMap<>() : Map.of();
    this.operatorSpans = recordSpans ? new IdentityHashMap<>() : Map.of();
  }

  /** Where each node was written, or {@code null} when built without positions. */
  Map<Expr, Span> spans() {
    return recordSpans ? spans : null;
  }

  /** Where each binary operator was written, or {@code null} when built without positions. */
  Map<Expr, Span> operatorSpans() {
    return recordSpans ? operatorSpans : null;
  }

  Expr build(ExprContext context) {
    // Postfix modifiers (x[5m:][5m:]..., offset, @) are a flat chain in the text, as operator
    // chains are: only real nesting (parentheses, calls, aggregations, operands) counts.
    boolean nests =
        !(context instanceof SubqueryContext
            || context instanceof OffsetContext
            || context instanceof AtContext
            || context instanceof SmoothingContext
            || context instanceof MatrixSelectorContext);
    if (nests && ++depth > options.maxNestingDepth()) {
      depth--;
      throw tooDeep(context);
    }
    try {
      Expr expr = buildNode(context);
      if (recordSpans) {
        spans.putIfAbsent(expr, span(context));
      }
      return expr;
    } finally {
      if (nests) {
        depth--;
      }
    }
  }

  PromQLParseException tooDeep(ParserRuleContext context) {
    return source.error(
        "query is nested too deeply: more than "
            + options.maxNestingDepth()
            + " levels of nested expressions",
        context.start.getStartIndex(),
        context.start.getStopIndex() + 1);
  }

  private Expr buildNode(ExprContext context) {
    if (context instanceof SelectorContext selector) {
      return vectorSelector(selector.vectorSelector());
    }
    if (context instanceof BinaryContext binary) {
      return binary(binary);
    }
    if (context instanceof NumberContext number) {
      if (number.literal.getType() == PromQLLexer.DURATION && prometheus2()) {
        // A duration as a number came with Prometheus 3.
        throw source.error(
            "unexpected duration " + GoQuote.quote(number.literal.getText()),
            number.literal.getStartIndex(),
            number.literal.getStopIndex() + 1);
      }
      return numberLiteral(number.literal, 1, number.literal);
    }
    if (context instanceof CallContext call) {
      return call(call);
    }
    if (context instanceof AggregationContext aggregation) {
      return aggregation(aggregation);
    }
    if (context instanceof MatrixSelectorContext matrix) {
      return matrixSelector(matrix);
    }
    if (context instanceof ParenthesizedContext parenthesized) {
      return new ParenExpr(build(parenthesized.expr()));
    }
    if (context instanceof StringContext string) {
      return new StringLiteral(Literals.unquote(string.STRING().getSymbol().getText()));
    }
    if (context instanceof SubqueryContext subquery) {
      return subquery(subquery);
    }
    if (context instanceof OffsetContext offset) {
      return offset(offset);
    }
    if (context instanceof UnaryContext unary) {
      return unary(unary);
    }
    if (context instanceof AtContext at) {
      return at(at);
    }
    if (context instanceof SmoothingContext smoothing) {
      return smoothing(smoothing);
    }
    throw new IllegalStateException("unknown expression context " + context.getClass());
  }

  // ---- selectors ----

  VectorSelector vectorSelector(VectorSelectorContext context) {
    String name = context.metricIdentifier() == null ? null : context.metricIdentifier().getText();
    List<LabelMatcher> matchers = List.of();
    LabelMatchersContext braces = context.labelMatchers();
    if (braces != null && !braces.labelMatcher().isEmpty()) {
      List<LabelMatcherContext> written = braces.labelMatcher();
      matchers = new ArrayList<>(written.size());
      for (LabelMatcherContext matcher : written) {
        matchers.add(labelMatcher(matcher));
      }
    }
    VectorSelector selector = new VectorSelector(name, matchers);
    if (recordSpans) {
      spans.put(selector, span(context));
    }
    return selector;
  }

  private LabelMatcher labelMatcher(LabelMatcherContext context) {
    Token quoted =
        context.quotedName != null
            ? context.quotedName
            : context.labelName.getType() == PromQLLexer.STRING ? context.labelName : null;
    if (quoted != null && prometheus2()) {
      // Quoted names (UTF-8 names) came with Prometheus 3.0: 2.x expects an identifier there.
      throw source.error(
          "unexpected string "
              + GoQuote.quote(quoted.getText())
              + " in label matching, expected identifier or \"}\"",
          quoted.getStartIndex(),
          quoted.getStopIndex() + 1);
    }
    if (context.quotedName != null) {
      return LabelMatcher.equal(
          LabelMatcher.METRIC_NAME, Literals.unquote(context.quotedName.getText()));
    }
    String name =
        context.labelName.getType() == PromQLLexer.STRING
            ? Literals.unquote(context.labelName.getText())
            : context.labelName.getText();
    String value = Literals.unquote(context.value.getText());
    MatchOp op =
        switch (context.op.getType()) {
          case PromQLLexer.EQL -> MatchOp.EQUAL;
          case PromQLLexer.NEQ -> MatchOp.NOT_EQUAL;
          case PromQLLexer.EQL_REGEX -> MatchOp.REGEX;
          default -> MatchOp.NOT_REGEX;
        };
    if (op == MatchOp.REGEX || op == MatchOp.NOT_REGEX) {
      String problem = PromRegex.problem(value);
      if (problem != null) {
        throw source.error(
            problem, context.labelName.getStartIndex(), context.value.getStopIndex() + 1);
      }
    }
    return new LabelMatcher(name, op, value);
  }

  private Expr matrixSelector(MatrixSelectorContext context) {
    Expr inner = build(context.expr());
    prometheus2Duration(context.range, "missing unit character in duration");
    DurationExpr range = positiveDuration(context.range);
    String problem = null;
    if (!(inner instanceof VectorSelector selector)) {
      problem = "ranges only allowed for vector selectors";
    } else if (isSetOffset(selector.offset())) {
      problem = "no offset modifiers allowed before range";
    } else if (selector.at() != null) {
      problem = "no @ modifiers allowed before range";
    }
    if (problem != null) {
      throw source.error(
          problem,
          context.LEFT_BRACKET().getSymbol().getStartIndex(),
          context.RIGHT_BRACKET().getSymbol().getStopIndex() + 1);
    }
    return new MatrixSelector((VectorSelector) inner, range);
  }

  /** Prometheus treats an offset of zero as no offset at all. */
  private static boolean isSetOffset(DurationExpr offset) {
    return offset != null && !(offset instanceof DurationLiteral literal && literal.millis() == 0);
  }

  private Expr subquery(SubqueryContext context) {
    Expr inner = build(context.expr());
    prometheus2Duration(context.range, "missing unit character in duration");
    if (context.step instanceof DurationLiteralContext step
        && step.literal.getType() == PromQLLexer.NUMBER) {
      prometheus2Duration(
          context.step,
          "unexpected number "
              + GoQuote.quote(step.literal.getText())
              + " in subquery selector, expected duration or \"]\"");
    }
    DurationExpr range = positiveDuration(context.range);
    DurationExpr step = context.step == null ? null : positiveDuration(context.step);
    return new SubqueryExpr(inner, range, step, null, null);
  }

  private Expr offset(OffsetContext context) {
    Expr target = build(context.expr());
    DurationExpr offset = offsetDuration(context.offsetDuration());
    Span targetSpan = span(context.expr());
    if (target instanceof VectorSelector selector) {
      checkOffsetUnset(selector.offset(), targetSpan);
      return selector.withOffset(offset);
    }
    if (target instanceof MatrixSelector matrix) {
      checkOffsetUnset(matrix.selector().offset(), targetSpan);
      return new MatrixSelector(
          carry(matrix.selector(), matrix.selector().withOffset(offset)), matrix.range());
    }
    if (target instanceof SubqueryExpr subquery) {
      checkOffsetUnset(subquery.offset(), targetSpan);
      return new SubqueryExpr(
          subquery.expr(), subquery.range(), subquery.step(), offset, subquery.at());
    }
    throw source.error(
        "offset modifier must be preceded by an instant vector selector or range vector"
            + " selector or a subquery",
        targetSpan.start(),
        targetSpan.end());
  }

  /** A selector rebuilt with a modifier keeps the position of the one it replaces. */
  private VectorSelector carry(VectorSelector original, VectorSelector rebuilt) {
    Span span = recordSpans ? spans.get(original) : null;
    if (span != null) {
      spans.put(rebuilt, span);
    }
    return rebuilt;
  }

  private void checkOffsetUnset(DurationExpr existing, Span targetSpan) {
    if (isSetOffset(existing)) {
      throw source.error(
          "offset may not be set multiple times", targetSpan.start(), targetSpan.end());
    }
  }

  private Expr at(AtContext context) {
    PromQLParser.AtModifierContext modifier = context.atModifier();
    if (modifier.literal != null
        && modifier.literal.getType() == PromQLLexer.DURATION
        && prometheus2()) {
      // 2.x's parser wants a number there, before it looks at what @ follows.
      throw source.error(
          "unexpected duration "
              + GoQuote.quote(modifier.literal.getText())
              + " in @, expected timestamp",
          modifier.literal.getStartIndex(),
          modifier.literal.getStopIndex() + 1);
    }
    Expr target = build(context.expr());
    Span targetSpan = span(context.expr());
    AtModifier at;
    if (modifier.preprocessor != null) {
      at =
          modifier.preprocessor.getType() == PromQLLexer.START
              ? AtModifier.start()
              : AtModifier.end();
    } else {
      double seconds = tokenSeconds(modifier.literal);
      if (modifier.sign != null && modifier.sign.getType() == PromQLLexer.SUB) {
        seconds = -seconds;
      }
      if (Double.isInfinite(seconds)
          || Double.isNaN(seconds)
          || seconds >= 0x1p63
          || seconds <= -0x1p63) {
        throw source.error(
            "timestamp out of bounds for @ modifier: " + GoFormat.formatSixDecimals(seconds),
            targetSpan.start(),
            targetSpan.end());
      }
      at = AtModifier.at((long) roundHalfAwayFromZero(seconds * 1000));
    }
    if (target instanceof VectorSelector selector) {
      checkAtUnset(selector.at(), targetSpan);
      return selector.withAt(at);
    }
    if (target instanceof MatrixSelector matrix) {
      checkAtUnset(matrix.selector().at(), targetSpan);
      return new MatrixSelector(
          carry(matrix.selector(), matrix.selector().withAt(at)), matrix.range());
    }
    if (target instanceof SubqueryExpr subquery) {
      checkAtUnset(subquery.at(), targetSpan);
      return new SubqueryExpr(
          subquery.expr(), subquery.range(), subquery.step(), subquery.offset(), at);
    }
    throw source.error(
        "@ modifier must be preceded by an instant vector selector or range vector selector"
            + " or a subquery",
        targetSpan.start(),
        targetSpan.end());
  }

  private void checkAtUnset(AtModifier existing, Span targetSpan) {
    if (existing != null) {
      throw source.error(
          "@ <timestamp> may not be set multiple times", targetSpan.start(), targetSpan.end());
    }
  }

  private Expr smoothing(SmoothingContext context) {
    Expr target = build(context.expr());
    Span targetSpan = span(context.expr());
    boolean anchored = context.modifier.getType() == PromQLLexer.ANCHORED;
    String keyword = anchored ? "anchored" : "smoothed";
    if (!options.extendedRangeSelectors()) {
      throw source.error(
          keyword + " modifier is experimental and not enabled",
          targetSpan.start(),
          targetSpan.end());
    }
    RangeSmoothing smoothing = anchored ? RangeSmoothing.ANCHORED : RangeSmoothing.SMOOTHED;
    if (target instanceof VectorSelector selector) {
      return withSmoothing(selector, smoothing, targetSpan);
    }
    if (target instanceof MatrixSelector matrix) {
      return new MatrixSelector(
          carry(matrix.selector(), withSmoothing(matrix.selector(), smoothing, targetSpan)),
          matrix.range());
    }
    if (target instanceof SubqueryExpr) {
      throw source.error(
          keyword + " modifier is not supported for subqueries",
          targetSpan.start(),
          targetSpan.end());
    }
    throw source.error(keyword + " modifier not implemented", targetSpan.start(), targetSpan.end());
  }

  private VectorSelector withSmoothing(
      VectorSelector selector, RangeSmoothing smoothing, Span targetSpan) {
    if (selector.smoothing() != RangeSmoothing.NONE && selector.smoothing() != smoothing) {
      throw source.error(
          "anchored and smoothed modifiers cannot be used together",
          targetSpan.start(),
          targetSpan.end());
    }
    return new VectorSelector(
        selector.name(), selector.matchers(), selector.offset(), selector.at(), smoothing);
  }

  // ---- operators ----

  private Expr unary(UnaryContext context) {
    Expr operand = build(context.expr());
    boolean negative = context.op.getType() == PromQLLexer.SUB;
    if (operand instanceof NumberLiteral number) {
      // Prometheus folds the sign into the literal: `-1` is a number, and `- -1` is 1.
      return negative ? new NumberLiteral(-number.value(), number.duration()) : number;
    }
    return new UnaryExpr(negative, operand);
  }

  /**
   * A chain of left-associative operators ({@code a or b or c ...}, {@code 1 + 1 + 1 ...}) is built
   * in a loop down its left spine, not by recursion: its length is not nesting, and costs neither
   * stack nor the nesting limit. The order of work is the recursive one (the leftmost operand
   * first, then each operator's modifiers and right operand), so errors come in the same order.
   */
  private Expr binary(BinaryContext context) {
    java.util.ArrayDeque<BinaryContext> chain = new java.util.ArrayDeque<>();
    ExprContext leftmost = context;
    while (leftmost instanceof BinaryContext binary) {
      chain.push(binary);
      leftmost = binary.lhs;
    }
    Expr lhs = build(leftmost);
    while (!chain.isEmpty()) {
      BinaryContext link = chain.pop();
      lhs = binaryLink(link, lhs);
      if (recordSpans) {
        spans.putIfAbsent(lhs, span(link));
      }
    }
    return lhs;
  }

  private Expr binaryLink(BinaryContext context, Expr lhs) {
    BinaryOp op = binaryOp(context.op.getType());
    boolean returnBool = context.binaryModifiers().BOOL() != null;
    VectorMatching matching = vectorMatching(context.binaryModifiers());
    Expr rhs = build(context.rhs);
    BinaryExpr binary = new BinaryExpr(op, lhs, rhs, returnBool, matching);
    Span span = span(context);
    if (matching.fill() != null && !options.binopFillModifiers()) {
      throw source.error(
          "binop fill modifiers are experimental and not enabled", span.start(), span.end());
    }
    if (!recordSpans) {
      return binary;
    }
    spans.put(binary, span);
    BinaryModifiersContext modifiers = context.binaryModifiers();
    int operatorEnd =
        modifiers.getChildCount() > 0
            ? modifiers.stop.getStopIndex() + 1
            : context.op.getStopIndex() + 1;
    operatorSpans.put(binary, new Span(context.op.getStartIndex(), operatorEnd));
    return binary;
  }

  private static BinaryOp binaryOp(int tokenType) {
    return switch (tokenType) {
      case PromQLLexer.POW -> BinaryOp.POW;
      case PromQLLexer.MUL -> BinaryOp.MUL;
      case PromQLLexer.DIV -> BinaryOp.DIV;
      case PromQLLexer.MOD -> BinaryOp.MOD;
      case PromQLLexer.ATAN2 -> BinaryOp.ATAN2;
      case PromQLLexer.ADD -> BinaryOp.ADD;
      case PromQLLexer.SUB -> BinaryOp.SUB;
      case PromQLLexer.EQLC -> BinaryOp.EQL;
      case PromQLLexer.NEQ -> BinaryOp.NEQ;
      case PromQLLexer.LTE -> BinaryOp.LTE;
      case PromQLLexer.LSS -> BinaryOp.LSS;
      case PromQLLexer.GTE -> BinaryOp.GTE;
      case PromQLLexer.GTR -> BinaryOp.GTR;
      case PromQLLexer.TRIM_UPPER -> BinaryOp.TRIM_UPPER;
      case PromQLLexer.TRIM_LOWER -> BinaryOp.TRIM_LOWER;
      case PromQLLexer.LAND -> BinaryOp.AND;
      case PromQLLexer.LUNLESS -> BinaryOp.UNLESS;
      case PromQLLexer.LOR -> BinaryOp.OR;
      default -> throw new IllegalStateException("not a binary operator: " + tokenType);
    };
  }

  private VectorMatching vectorMatching(BinaryModifiersContext context) {
    if (context.matching == null && context.fillModifiers() == null) {
      return VectorMatching.DEFAULT;
    }
    boolean on = false;
    List<String> labels = List.of();
    VectorMatching.Cardinality cardinality = VectorMatching.Cardinality.ONE_TO_ONE;
    List<String> include = List.of();
    if (context.matching != null) {
      on = context.matching.getType() == PromQLLexer.ON;
      labels = groupingLabels(context.groupingLabels());
      PromQLParser.GroupModifierContext group = context.groupModifier();
      if (group != null) {
        cardinality =
            group.side.getType() == PromQLLexer.GROUP_LEFT
                ? VectorMatching.Cardinality.MANY_TO_ONE
                : VectorMatching.Cardinality.ONE_TO_MANY;
        include =
            group.groupingLabels() == null ? List.of() : groupingLabels(group.groupingLabels());
      }
    }
    FillModifier fill = null;
    FillModifiersContext fillContext = context.fillModifiers();
    if (fillContext != null) {
      if (fillContext.FILL() != null) {
        NumberLiteral value = fillValue(fillContext.fillValue(0));
        fill = new FillModifier(value, value);
      } else {
        NumberLiteral left = fillContext.left == null ? null : fillValue(fillContext.left);
        NumberLiteral right = fillContext.right == null ? null : fillValue(fillContext.right);
        fill = new FillModifier(left, right);
      }
    }
    return new VectorMatching(on, labels, cardinality, include, fill);
  }

  /** Prometheus keeps only a fill value's number, so `fill(5m)` equals `fill(300)`. */
  private NumberLiteral fillValue(FillValueContext context) {
    int sign = context.sign != null && context.sign.getType() == PromQLLexer.SUB ? -1 : 1;
    return new NumberLiteral(sign * tokenSeconds(context.literal));
  }

  private List<String> groupingLabels(GroupingLabelsContext context) {
    List<GroupingLabelContext> written = context.groupingLabel();
    if (written.isEmpty()) {
      return List.of();
    }
    List<String> labels = new ArrayList<>(written.size());
    for (GroupingLabelContext label : written) {
      if (label.STRING() != null) {
        Token token = label.STRING().getSymbol();
        if (prometheus2()) {
          // Quoted names came with Prometheus 3.0.
          throw source.error(
              "unexpected string "
                  + GoQuote.quote(token.getText())
                  + " in grouping opts, expected label",
              token.getStartIndex(),
              token.getStopIndex() + 1);
        }
        String value = Literals.unquote(token.getText());
        if (value.isEmpty()) {
          throw source.error(
              "invalid label name for grouping: " + GoQuote.quote(value),
              token.getStartIndex(),
              token.getStopIndex() + 1);
        }
        labels.add(value);
      } else {
        labels.add(label.getText());
      }
    }
    return labels;
  }

  // ---- calls and aggregations ----

  private List<Expr> arguments(FunctionArgumentsContext context) {
    List<ExprContext> written = context.expr();
    List<Expr> arguments = new ArrayList<>(written.size());
    for (ExprContext argument : written) {
      arguments.add(build(argument));
    }
    if (context.trailingComma != null) {
      throw source.error(
          "trailing commas not allowed in function call args",
          context.trailingComma.getStartIndex(),
          context.trailingComma.getStopIndex() + 1);
    }
    return arguments;
  }

  private Expr call(CallContext context) {
    List<Expr> arguments = arguments(context.functionArguments());
    Token nameToken = context.functionName().start;
    String name = nameToken.getText();
    Function function = Function.byName(name).orElse(null);
    // Prometheus 2 (before 2.49) had no experimental functions: each is a name it does not know.
    boolean unknownToPrometheus2 =
        function != null
            && function.experimental()
            && !options.experimentalFunctions()
            && prometheus2();
    if (function == null
        || unknownToPrometheus2
        || (function.removedInPrometheus3() && !prometheus2())) {
      throw source.error(
          "unknown function with name " + GoQuote.quote(name),
          nameToken.getStartIndex(),
          nameToken.getStopIndex() + 1);
    }
    if (function.experimental() && !options.experimentalFunctions()) {
      throw source.error(
          "function " + GoQuote.quote(name) + " is not enabled",
          nameToken.getStartIndex(),
          nameToken.getStopIndex() + 1);
    }
    return new Call(function, arguments);
  }

  private Expr aggregation(AggregationContext context) {
    AggregateOp op = aggregateOp(context.aggregateOp().start.getType());
    GroupingContext grouping = context.grouping();
    // Built in the order written, so that the first error is the one yacc reduces first.
    boolean groupingFirst =
        grouping != null
            && grouping.start.getTokenIndex() < context.functionArguments().start.getTokenIndex();
    List<String> labels = groupingFirst ? groupingLabels(grouping.groupingLabels()) : List.of();
    List<Expr> arguments = arguments(context.functionArguments());
    if (grouping != null && !groupingFirst) {
      labels = groupingLabels(grouping.groupingLabels());
    }
    boolean without = grouping != null && grouping.WITHOUT() != null;
    Span span = span(context);
    if (arguments.isEmpty()) {
      throw source.error(
          "no arguments for aggregate expression provided", span.start(), span.end());
    }
    int expected = 1;
    if (op.hasParameter()) {
      if (op.isExperimental() && !options.experimentalFunctions() && prometheus2()) {
        // Prometheus 2 has no such keyword: limitk( is a call of a function it does not know.
        Token keyword = context.aggregateOp().start;
        throw source.error(
            "unknown function with name " + GoQuote.quote(op.keyword()),
            keyword.getStartIndex(),
            keyword.getStopIndex() + 1);
      }
      if (op.isExperimental() && !options.experimentalFunctions()) {
        throw source.error(
            op.keyword()
                + "() is experimental and must be enabled with"
                + " --enable-feature=promql-experimental-functions",
            span.start(),
            span.end());
      }
      expected = 2;
    }
    if (arguments.size() != expected) {
      throw source.error(
          "wrong number of arguments for aggregate expression provided, expected "
              + expected
              + ", got "
              + arguments.size(),
          span.start(),
          span.end());
    }
    Expr param = expected == 2 ? arguments.get(0) : null;
    return new AggregateExpr(op, arguments.get(expected - 1), param, without, labels);
  }

  private static AggregateOp aggregateOp(int tokenType) {
    return switch (tokenType) {
      case PromQLLexer.SUM -> AggregateOp.SUM;
      case PromQLLexer.AVG -> AggregateOp.AVG;
      case PromQLLexer.COUNT -> AggregateOp.COUNT;
      case PromQLLexer.MIN -> AggregateOp.MIN;
      case PromQLLexer.MAX -> AggregateOp.MAX;
      case PromQLLexer.GROUP -> AggregateOp.GROUP;
      case PromQLLexer.STDDEV -> AggregateOp.STDDEV;
      case PromQLLexer.STDVAR -> AggregateOp.STDVAR;
      case PromQLLexer.TOPK -> AggregateOp.TOPK;
      case PromQLLexer.BOTTOMK -> AggregateOp.BOTTOMK;
      case PromQLLexer.COUNT_VALUES -> AggregateOp.COUNT_VALUES;
      case PromQLLexer.QUANTILE -> AggregateOp.QUANTILE;
      case PromQLLexer.LIMITK -> AggregateOp.LIMITK;
      case PromQLLexer.LIMIT_RATIO -> AggregateOp.LIMIT_RATIO;
      default -> throw new IllegalStateException("not an aggregation operator: " + tokenType);
    };
  }

  // ---- literals ----

  /** A NUMBER or DURATION token, negated when {@code sign} is -1, spanning from {@code first}. */
  private NumberLiteral numberLiteral(Token token, int sign, Token first) {
    NumberLiteral literal =
        new NumberLiteral(sign * tokenSeconds(token), token.getType() == PromQLLexer.DURATION);
    if (recordSpans) {
      spans.put(literal, new Span(first.getStartIndex(), token.getStopIndex() + 1));
    }
    return literal;
  }

  /** A NUMBER's value, or a DURATION's in seconds. */
  private double tokenSeconds(Token token) {
    try {
      if (token.getType() == PromQLLexer.DURATION) {
        return Literals.durationNanos(token.getText()) / 1e9;
      }
      int underscore = token.getText().indexOf('_');
      if (underscore >= 0 && prometheus2()) {
        // Underscores between digits came with Prometheus 3: 2.x's lexer stops at one.
        throw source.error(
            "bad number or duration syntax: "
                + GoQuote.quote(token.getText().substring(0, underscore)),
            token.getStartIndex(),
            token.getStartIndex() + underscore);
      }
      return Literals.number(token.getText());
    } catch (LiteralException e) {
      throw source.error(e.getMessage(), token.getStartIndex(), token.getStopIndex() + 1);
    }
  }

  /**
   * Whether the query is read as Prometheus 2.x reads it ({@link
   * ParserOptions#prometheus2Functions()}): its functions, and none of 3.x's syntax.
   */
  private boolean prometheus2() {
    return options.prometheus2Functions();
  }

  // ---- durations ----

  /**
   * A number where Prometheus 2.x wants a duration (a range, a subquery's step, an offset): 3.0
   * reads it as seconds, 2.x's lexer or parser refuses it, saying {@code reason}.
   */
  private void prometheus2Duration(DurationExprContext context, String reason) {
    if (prometheus2()
        && context instanceof DurationLiteralContext literal
        && literal.literal.getType() == PromQLLexer.NUMBER) {
      throw source.error(
          reason, literal.literal.getStartIndex(), literal.literal.getStopIndex() + 1);
    }
  }

  private DurationExpr positiveDuration(DurationExprContext context) {
    Duration duration = duration(context);
    if (duration.isLiteral() && !(duration.seconds() > 0)) {
      throw source.error(
          "duration must be greater than 0", duration.span().start(), duration.span().end());
    }
    return whole(duration);
  }

  /** A whole range, step or offset that is one literal is a duration however it was written. */
  private static DurationExpr whole(Duration duration) {
    if (duration.isLiteral()) {
      return DurationLiteral.ofMillis(millis(duration.seconds()));
    }
    return duration.expr();
  }

  private DurationExpr offsetDuration(OffsetDurationContext context) {
    Duration duration;
    Token sign;
    if (context instanceof OffsetLiteralContext literal) {
      sign = literal.sign;
      if (literal.literal.getType() == PromQLLexer.NUMBER && prometheus2()) {
        throw source.error(
            "unexpected number "
                + GoQuote.quote(literal.literal.getText())
                + " in offset, expected duration",
            literal.literal.getStartIndex(),
            literal.literal.getStopIndex() + 1);
      }
      duration = literalDuration(literal.literal);
      if (duration.isLiteral() && duration.seconds() == 0 && prometheus2()) {
        // 2.x reads every duration literal as it reads a range: zero is no duration (3.0 allows
        // offset 0s).
        throw source.error(
            "duration must be greater than 0",
            literal.literal.getStartIndex(),
            literal.literal.getStopIndex() + 1);
      }
    } else if (context instanceof OffsetFunctionContext function) {
      sign = function.sign;
      duration = durationFunction(function.durationFunction());
    } else {
      OffsetParenthesizedContext parenthesized = (OffsetParenthesizedContext) context;
      sign = parenthesized.sign;
      Duration inner = duration(parenthesized.durationExpr());
      if (sign == null) {
        duration = parenthesize(inner, span(parenthesized));
      } else {
        duration =
            inner.isLiteral()
                ? inner
                : new Duration(new DurationParen(inner.expr()), 0, false, inner.span());
      }
    }
    if (sign != null) {
      duration = negate(sign, duration, span(context));
    }
    return whole(duration);
  }

  private Duration duration(DurationExprContext context) {
    if (++depth > options.maxNestingDepth()) {
      throw tooDeep(context);
    }
    try {
      return durationNode(context);
    } finally {
      depth--;
    }
  }

  private Duration durationNode(DurationExprContext context) {
    if (context instanceof DurationLiteralContext literal) {
      return literalDuration(literal.literal);
    }
    if (context instanceof DurationBinaryContext binary) {
      Duration lhs = duration(binary.lhs);
      Duration rhs = duration(binary.rhs);
      experimental(lhs.span());
      BinaryOp op = binaryOp(binary.op.getType());
      if ((op == BinaryOp.DIV || op == BinaryOp.MOD) && rhs.isLiteral() && rhs.seconds() == 0) {
        throw source.error(
            op == BinaryOp.DIV ? "division by zero" : "modulo by zero",
            binary.op.getStartIndex(),
            binary.op.getStopIndex() + 1);
      }
      return new Duration(new DurationBinary(op, inner(lhs), inner(rhs)), 0, false, span(binary));
    }
    if (context instanceof DurationUnaryContext unary) {
      return negate(unary.sign, duration(unary.durationExpr()), span(unary));
    }
    if (context instanceof DurationCallContext call) {
      return durationFunction(call.durationFunction());
    }
    DurationParenthesizedContext parenthesized = (DurationParenthesizedContext) context;
    return parenthesize(duration(parenthesized.durationExpr()), span(parenthesized));
  }

  private Duration parenthesize(Duration inner, Span span) {
    experimental(inner.span());
    if (inner.isLiteral()) {
      return inner;
    }
    return new Duration(new DurationParen(inner.expr()), 0, false, span);
  }

  private Duration negate(Token sign, Duration operand, Span span) {
    boolean negative = sign.getType() == PromQLLexer.SUB;
    if (operand.isLiteral()) {
      double seconds = negative ? -operand.seconds() : operand.seconds();
      if (outOfRange(seconds)) {
        throw source.error("duration out of range", sign.getStartIndex(), sign.getStopIndex() + 1);
      }
      return new Duration(null, seconds, operand.number(), span);
    }
    if (!negative) {
      return operand;
    }
    return new Duration(new DurationNegation(operand.expr()), 0, false, span);
  }

  private Duration durationFunction(DurationFunctionContext context) {
    Span span = span(context);
    experimental(span);
    DurationCall call =
        switch (context.name.getType()) {
          case PromQLLexer.STEP -> new DurationCall(DurationCall.Function.STEP, List.of());
          case PromQLLexer.RANGE -> new DurationCall(DurationCall.Function.RANGE, List.of());
          default -> {
            DurationExpr first = inner(duration(context.first));
            DurationExpr second = inner(duration(context.second));
            yield new DurationCall(
                context.name.getType() == PromQLLexer.MIN_OF
                    ? DurationCall.Function.MIN_OF
                    : DurationCall.Function.MAX_OF,
                List.of(first, second));
          }
        };
    return new Duration(call, 0, false, span);
  }

  private Duration literalDuration(Token token) {
    double seconds = tokenSeconds(token);
    Span span = new Span(token.getStartIndex(), token.getStopIndex() + 1);
    if (outOfRange(seconds)) {
      throw source.error("duration out of range", span.start(), span.end());
    }
    return new Duration(null, seconds, token.getType() == PromQLLexer.NUMBER, span);
  }

  /** A part of a duration expression: a literal keeps how it was written. */
  private static DurationExpr inner(Duration duration) {
    if (duration.isLiteral()) {
      return new DurationLiteral(millis(duration.seconds()), duration.number());
    }
    return duration.expr();
  }

  private void experimental(Span span) {
    if (!options.durationExpressions()) {
      throw source.error(
          "experimental duration expression is not enabled", span.start(), span.end());
    }
  }

  private static boolean outOfRange(double seconds) {
    return seconds > 0x1p63 / 1e9 || seconds < -0x1p63 / 1e9;
  }

  private static long millis(double seconds) {
    return (long) roundHalfAwayFromZero(seconds * 1000);
  }

  private static double roundHalfAwayFromZero(double value) {
    return Math.signum(value) * Math.floor(Math.abs(value) + 0.5);
  }

  private static Span span(ParserRuleContext context) {
    int start = context.start.getStartIndex();
    int end = context.stop == null ? start : Math.max(start, context.stop.getStopIndex() + 1);
    return new Span(start, end);
  }
}
