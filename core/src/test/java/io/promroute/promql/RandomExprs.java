package io.promroute.promql;

import static java.util.Objects.requireNonNull;

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
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded generator of random, well-typed PromQL trees, shaped exactly as the parser shapes them,
 * so that {@code PromQL.parse(PromQL.print(tree))} must give the tree back. A test utility for
 * anyone who needs many realistic trees (printer, parser, shard rewriter).
 *
 * <p>What "shaped as the parser shapes them" means, and is enforced here:
 *
 * <ul>
 *   <li>a sign in front of a number is folded into the literal, so there is never a {@link
 *       UnaryExpr} directly on a {@link NumberLiteral}, and a negative literal never stands where
 *       the sign would bind differently (the left side of {@code ^});
 *   <li>{@link ParenExpr} wherever precedence or associativity needs parentheses, around a binary
 *       operand of a unary operator (unless {@code ^}), around a binary or unary subquery body;
 *       extra parentheses elsewhere at random, since the parser keeps them;
 *   <li>the semantic checks hold: types of operands and arguments, {@code bool} only on comparisons
 *       and always between scalars, vector matching and {@code fill} only between instant vectors,
 *       set operators many-to-many without {@code fill}, no label both in {@code on} and in a group
 *       modifier, a selector without a name has a matcher that does not match the empty string,
 *       ranges and steps positive, offsets non-zero;
 *   <li>matchers in the printer's order (sorted by printed form), since that is the order a parse
 *       of the printed form keeps;
 *   <li>optional syntax only when the {@link ParserOptions} given enable it.
 * </ul>
 *
 * <p>Not thread-safe; one instance per thread.
 */
public final class RandomExprs {

  private static final List<String> METRIC_NAMES =
      List.of(
          "up",
          "foo",
          "http_requests_total",
          "node_cpu_seconds_total",
          "job:http_requests:rate5m",
          "apiserver_request_duration_seconds_bucket",
          "_private",
          "Mixed_Case1");

  // Grouping and matching labels: never a keyword, because keyword handling in label lists is
  // the parser's business and a printer round trip should not depend on it.
  private static final List<String> GROUPING_LABELS =
      List.of(
          "job",
          "instance",
          "le",
          "cluster",
          "mode",
          "__name__",
          "_x",
          "a1",
          "foo.bar",
          "üüü",
          "0");

  private static final List<String> MATCHER_LABELS =
      List.of(
          "job",
          "instance",
          "cluster",
          "code",
          "on",
          "by",
          "offset",
          "bool",
          "__name__x",
          "a.b",
          "ö",
          "0",
          "with space",
          "");

  private static final List<String> PLAIN_VALUES =
      List.of(
          "",
          "a",
          "node",
          "api-server",
          "5..",
          "x\"y",
          "back\\slash",
          "new\nline",
          "tab\t",
          "üüü",
          "日本",
          "😀",
          "\u0000\u007f",
          "\u00a0",
          "a:c",
          "$1");

  private static final List<String> REGEX_VALUES =
      List.of("a.*", "x|y", ".+", "", ".*", "api-.*", "foo\\d+", "(a|b)c?", "[a-z]+");

  // Strings that are valid as label names and regexes wherever a function takes a string.
  private static final List<String> SAFE_STRINGS =
      List.of("a", "job", "le", "instance", "$1", "(.*)", "dst");

  private static final long[] COMMON_DURATIONS = {
    1,
    1500,
    15_000,
    30_000,
    60_000,
    300_000,
    600_000,
    3_600_000,
    5_400_000,
    86_400_000L,
    604_800_000L,
    1_209_600_000L,
    31_536_000_000L,
    7_776_000_000L
  };

  private static final BinaryOp[] BINARY_OPS = BinaryOp.values();
  private static final AggregateOp[] AGGREGATE_OPS = AggregateOp.values();

  private final Random random;
  private final ParserOptions options;
  private final int maxDepth;
  private final List<Function> functions;

  /**
   * @param seed the seed; the same seed and options give the same trees
   * @param options which optional syntax the trees may use
   * @param maxDepth how deep the trees may nest (a depth of 0 gives leaves only)
   */
  public RandomExprs(long seed, ParserOptions options, int maxDepth) {
    this.random = new Random(seed);
    this.options = requireNonNull(options, "options is null");
    if (maxDepth < 0) {
      throw new IllegalArgumentException("maxDepth must not be negative, got " + maxDepth);
    }
    this.maxDepth = maxDepth;
    this.functions = usableFunctions(options);
  }

  /** Trees up to depth 4 with every optional syntax. */
  public static RandomExprs withAllFeatures(long seed) {
    return new RandomExprs(seed, ParserOptions.allFeatures(), 4);
  }

  private static List<Function> usableFunctions(ParserOptions options) {
    List<Function> usable = new ArrayList<>();
    for (Function function : Function.all().values()) {
      if (function.removedInPrometheus3() && !options.prometheus2Functions()) {
        continue;
      }
      if (function.experimental() && !options.experimentalFunctions()) {
        continue;
      }
      // info's second argument has rules of its own (label selectors only).
      if (function.name().equals("info")) {
        continue;
      }
      if (function.returnType() == ValueType.RANGE_VECTOR) {
        continue;
      }
      usable.add(function);
    }
    // The table is a map; sorting keeps a seed's trees the same from run to run.
    usable.sort(Comparator.comparing(Function::name));
    return List.copyOf(usable);
  }

  /** A random tree of a random type (mostly instant vectors, as in real queries). */
  public Expr next() {
    int choice = random.nextInt(10);
    if (choice < 6) {
      return instantVector(maxDepth);
    }
    if (choice < 8) {
      return scalar(maxDepth);
    }
    if (choice < 9) {
      return rangeVector(maxDepth);
    }
    return new StringLiteral(plainValue());
  }

  /** A random expression of the given type, nesting at most {@code depth} levels. */
  public Expr of(ValueType type, int depth) {
    return switch (type) {
      case INSTANT_VECTOR -> instantVector(depth);
      case SCALAR -> scalar(depth);
      case RANGE_VECTOR -> rangeVector(depth);
      case STRING -> new StringLiteral(SAFE_STRINGS.get(random.nextInt(SAFE_STRINGS.size())));
    };
  }

  // ---- instant vectors ----

  public Expr instantVector(int depth) {
    if (depth <= 0) {
      return vectorSelector(true);
    }
    int choice = random.nextInt(12);
    Expr expr =
        switch (choice) {
          case 0, 1 -> vectorSelector(true);
          case 2, 3 -> callReturning(ValueType.INSTANT_VECTOR, depth);
          case 4, 5 -> aggregate(depth);
          case 6, 7, 8 -> vectorBinary(depth);
          case 9 -> unary(instantVector(depth - 1));
          default -> new ParenExpr(instantVector(depth - 1));
        };
    return expr == null ? vectorSelector(true) : expr;
  }

  /** A selector with a name or a non-empty matcher; with modifiers when {@code modifiers}. */
  public VectorSelector vectorSelector(boolean modifiers) {
    String name = null;
    List<LabelMatcher> matchers = new ArrayList<>();
    int shape = random.nextInt(10);
    if (shape < 7) {
      name = METRIC_NAMES.get(random.nextInt(METRIC_NAMES.size()));
    } else if (shape < 8) {
      matchers.add(
          LabelMatcher.equal(LabelMatcher.METRIC_NAME, random.nextBoolean() ? "a.b" : "up"));
    } else {
      // Without a name, one matcher must not match the empty string.
      matchers.add(
          LabelMatcher.equal(MATCHER_LABELS.get(random.nextInt(MATCHER_LABELS.size())), "x"));
    }
    int extra = random.nextInt(4);
    for (int index = 0; index < extra; index++) {
      matchers.add(matcher());
    }
    // The printer sorts matchers and the parser keeps the printed order.
    List<LabelMatcher> sorted = CanonicalExprs.sortedMatchers(matchers);
    if (!modifiers) {
      return new VectorSelector(name, sorted);
    }
    return new VectorSelector(name, sorted, maybeOffset(), maybeAt(), smoothing());
  }

  private LabelMatcher matcher() {
    String label = MATCHER_LABELS.get(random.nextInt(MATCHER_LABELS.size()));
    MatchOp op = MatchOp.values()[random.nextInt(MatchOp.values().length)];
    String value =
        op == MatchOp.REGEX || op == MatchOp.NOT_REGEX
            ? REGEX_VALUES.get(random.nextInt(REGEX_VALUES.size()))
            : plainValue();
    return new LabelMatcher(label, op, value);
  }

  private String plainValue() {
    return PLAIN_VALUES.get(random.nextInt(PLAIN_VALUES.size()));
  }

  private RangeSmoothing smoothing() {
    if (!options.extendedRangeSelectors() || random.nextInt(6) != 0) {
      return RangeSmoothing.NONE;
    }
    return random.nextBoolean() ? RangeSmoothing.ANCHORED : RangeSmoothing.SMOOTHED;
  }

  private DurationExpr maybeOffset() {
    if (random.nextInt(5) != 0) {
      return null;
    }
    if (options.durationExpressions() && random.nextInt(4) == 0) {
      return offsetExpression();
    }
    long millis = duration();
    return DurationLiteral.ofMillis(random.nextInt(3) == 0 ? -millis : millis);
  }

  private AtModifier maybeAt() {
    return switch (random.nextInt(12)) {
      case 0 -> AtModifier.start();
      case 1 -> AtModifier.end();
      case 2, 3 -> AtModifier.at(random.nextLong() % 4_000_000_000_000L);
      default -> null;
    };
  }

  private long duration() {
    if (random.nextBoolean()) {
      return COMMON_DURATIONS[random.nextInt(COMMON_DURATIONS.length)];
    }
    return 1 + (random.nextLong() & Long.MAX_VALUE) % 400_000_000_000L;
  }

  private Expr aggregate(int depth) {
    AggregateOp op = AGGREGATE_OPS[random.nextInt(AGGREGATE_OPS.length)];
    if (op.isExperimental() && !options.experimentalFunctions()) {
      op = AggregateOp.SUM;
    }
    Expr param = null;
    if (op.hasParameter()) {
      param =
          op.parameterType() == ValueType.STRING
              ? new StringLiteral(SAFE_STRINGS.get(random.nextInt(SAFE_STRINGS.size())))
              : scalar(depth - 1);
    }
    boolean without = false;
    List<String> grouping = List.of();
    int shape = random.nextInt(4);
    if (shape == 1) {
      grouping = labels(1 + random.nextInt(3));
    } else if (shape == 2) {
      without = true;
      grouping = labels(random.nextInt(3));
    }
    return new AggregateExpr(op, instantVector(depth - 1), param, without, grouping);
  }

  private List<String> labels(int count) {
    List<String> labels = new ArrayList<>(count);
    for (int index = 0; index < count; index++) {
      labels.add(GROUPING_LABELS.get(random.nextInt(GROUPING_LABELS.size())));
    }
    return labels;
  }

  private Expr vectorBinary(int depth) {
    BinaryOp op = BINARY_OPS[random.nextInt(BINARY_OPS.length)];
    boolean bothVectors = op.isSetOperator() || random.nextInt(3) != 0;
    Expr lhs;
    Expr rhs;
    if (bothVectors) {
      lhs = instantVector(depth - 1);
      rhs = instantVector(depth - 1);
    } else if (random.nextBoolean() && !isTrim(op)) {
      lhs = scalar(depth - 1);
      rhs = instantVector(depth - 1);
    } else {
      lhs = instantVector(depth - 1);
      rhs = scalar(depth - 1);
    }
    boolean returnBool = op.acceptsBool() && random.nextInt(3) == 0;
    VectorMatching matching = bothVectors ? matching(op) : VectorMatching.DEFAULT;
    return binary(op, lhs, rhs, returnBool, matching);
  }

  private static boolean isTrim(BinaryOp op) {
    return op == BinaryOp.TRIM_UPPER || op == BinaryOp.TRIM_LOWER;
  }

  private VectorMatching matching(BinaryOp op) {
    VectorMatching matching;
    switch (random.nextInt(4)) {
      case 0 -> matching = VectorMatching.on(labels(random.nextInt(3)));
      case 1 -> matching = VectorMatching.ignoring(labels(1 + random.nextInt(2)));
      default -> matching = VectorMatching.DEFAULT;
    }
    if (op.isSetOperator()) {
      return matching;
    }
    if (random.nextInt(3) == 0) {
      VectorMatching.Cardinality cardinality =
          random.nextBoolean()
              ? VectorMatching.Cardinality.MANY_TO_ONE
              : VectorMatching.Cardinality.ONE_TO_MANY;
      List<String> include = new ArrayList<>(labels(random.nextInt(3)));
      // Prometheus rejects a label that is both in on (...) and in the group modifier.
      if (matching.on()) {
        include.removeAll(Set.copyOf(matching.labels()));
      }
      matching = matching.withGroup(cardinality, include);
    }
    if (options.binopFillModifiers() && random.nextInt(4) == 0) {
      matching = matching.withFill(fill());
    }
    return matching;
  }

  private FillModifier fill() {
    NumberLiteral left = new NumberLiteral(fillValue());
    NumberLiteral right = new NumberLiteral(fillValue());
    return switch (random.nextInt(4)) {
      case 0 -> new FillModifier(left, left);
      case 1 -> new FillModifier(left, null);
      case 2 -> new FillModifier(null, right);
      default -> new FillModifier(left, right);
    };
  }

  // Fill values print with Go's %v; -0 is left out because fill (-0) and fill (0) print alike
  // when the two sides differ only in the sign of zero.
  private double fillValue() {
    return switch (random.nextInt(6)) {
      case 0 -> 1e6;
      case 1 -> -23;
      case 2 -> 0.5;
      case 3 -> Double.NaN;
      default -> random.nextInt(100) + 1;
    };
  }

  // ---- scalars ----

  public Expr scalar(int depth) {
    if (depth <= 0) {
      return number();
    }
    Expr expr =
        switch (random.nextInt(9)) {
          case 0, 1, 2 -> number();
          case 3 -> callReturning(ValueType.SCALAR, depth);
          case 4, 5 -> scalarBinary(depth);
          case 6 -> {
            Expr operand = scalar(depth - 1);
            yield operand instanceof NumberLiteral ? new ParenExpr(operand) : unary(operand);
          }
          case 7 -> durationNumber();
          default -> new ParenExpr(scalar(depth - 1));
        };
    return expr == null ? number() : expr;
  }

  // A duration where a number goes (time() - 1h). Whole seconds: Prometheus truncates seconds
  // times 1e9 to nanoseconds, so a fraction of a millisecond could print one millisecond short.
  private NumberLiteral durationNumber() {
    long seconds = Math.max(1, duration() / 1000);
    return new NumberLiteral(random.nextInt(4) == 0 ? -seconds : seconds, true);
  }

  /** A number as the parser yields it: any double, the sign folded in. */
  public NumberLiteral number() {
    double value =
        switch (random.nextInt(12)) {
          case 0 -> random.nextInt(1000);
          case 1 -> -random.nextInt(1000);
          case 2 -> random.nextDouble();
          case 3 -> Math.scalb(random.nextDouble(), random.nextInt(200) - 100);
          case 4 -> Double.longBitsToDouble(random.nextLong() & 0x7fef_ffff_ffff_ffffL);
          case 5 -> Double.POSITIVE_INFINITY;
          case 6 -> Double.NEGATIVE_INFINITY;
          case 7 -> Double.NaN;
          case 8 -> 1048576;
          case 9 -> 0.99;
          case 10 -> -0.0;
          default -> random.nextInt(10);
        };
    return new NumberLiteral(value);
  }

  private Expr scalarBinary(int depth) {
    BinaryOp op;
    do {
      op = BINARY_OPS[random.nextInt(BINARY_OPS.length)];
    } while (op.isSetOperator() || isTrim(op));
    // Prometheus requires bool on a comparison between two scalars.
    return binary(
        op, scalar(depth - 1), scalar(depth - 1), op.isComparison(), VectorMatching.DEFAULT);
  }

  // ---- range vectors ----

  public Expr rangeVector(int depth) {
    if (depth <= 0 || random.nextInt(4) != 0) {
      return matrixSelector();
    }
    return subquery(depth);
  }

  public MatrixSelector matrixSelector() {
    VectorSelector selector = vectorSelector(true);
    return new MatrixSelector(selector, range());
  }

  private DurationExpr range() {
    if (options.durationExpressions() && random.nextInt(5) == 0) {
      return positiveDurationExpression(2);
    }
    return DurationLiteral.ofMillis(duration());
  }

  private Expr subquery(int depth) {
    Expr body = instantVector(depth - 1);
    if (body instanceof VectorSelector selector) {
      // A selector's own modifiers would be written before the brackets, which Prometheus does
      // not take; keep the modifiers on the subquery only.
      body = new VectorSelector(selector.name(), selector.matchers());
    } else if (body instanceof BinaryExpr || body instanceof UnaryExpr) {
      body = new ParenExpr(body);
    }
    DurationExpr step = random.nextBoolean() ? null : range();
    return new SubqueryExpr(body, range(), step, maybeOffset(), maybeAt());
  }

  // ---- duration expressions ----

  // Shapes the parser keeps: literals (durations, or plain numbers inside arithmetic), step(),
  // range(), min_of/max_of, parenthesised expressions, and + or * of positive parts, so that the
  // range stays positive.
  private DurationExpr positiveDurationExpression(int depth) {
    if (depth <= 0) {
      return random.nextBoolean()
          ? DurationLiteral.ofMillis(duration())
          : new DurationCall(DurationCall.Function.STEP, List.of());
    }
    return switch (random.nextInt(6)) {
      case 0 -> new DurationCall(DurationCall.Function.STEP, List.of());
      case 1 -> new DurationCall(DurationCall.Function.RANGE, List.of());
      case 2 ->
          new DurationCall(
              random.nextBoolean() ? DurationCall.Function.MIN_OF : DurationCall.Function.MAX_OF,
              List.of(
                  positiveDurationExpression(depth - 1), positiveDurationExpression(depth - 1)));
      case 3 ->
          new DurationBinary(
              BinaryOp.ADD,
              durationOperand(positiveDurationExpression(depth - 1), BinaryOp.ADD, true),
              durationOperand(positiveDurationExpression(depth - 1), BinaryOp.ADD, false));
      case 4 ->
          new DurationBinary(
              BinaryOp.MUL,
              durationOperand(positiveDurationExpression(depth - 1), BinaryOp.MUL, true),
              new DurationLiteral((1 + random.nextInt(5)) * 1000L, true));
      default -> parenthesised(positiveDurationExpression(depth - 1));
    };
  }

  // Prometheus marks a parenthesised duration expression as wrapped, but keeps a literal in
  // parentheses as a bare literal, and a second pair of parentheses changes nothing.
  private static DurationExpr parenthesised(DurationExpr expr) {
    if (expr instanceof DurationLiteral || expr instanceof DurationParen) {
      return expr;
    }
    return new DurationParen(expr);
  }

  private DurationExpr offsetExpression() {
    DurationExpr expr = positiveDurationExpression(1);
    if (expr instanceof DurationLiteral literal) {
      // The parser folds a sign into a literal offset: offset -5m is a literal of -5m.
      return random.nextBoolean() ? DurationLiteral.ofMillis(-literal.millis()) : literal;
    }
    if (expr instanceof DurationBinary) {
      // After offset a bare binary would bind to the selector; Prometheus needs parentheses.
      expr = new DurationParen(expr);
    }
    return random.nextBoolean() ? new DurationNegation(expr) : expr;
  }

  private static DurationExpr durationOperand(DurationExpr child, BinaryOp parent, boolean left) {
    if (child instanceof DurationBinary binary && needsParentheses(binary.op(), parent, left)) {
      return new DurationParen(child);
    }
    return child;
  }

  // ---- shared ----

  private Expr callReturning(ValueType type, int depth) {
    List<Function> candidates = new ArrayList<>();
    for (Function function : functions) {
      if (function.returnType() == type) {
        candidates.add(function);
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    Function function = candidates.get(random.nextInt(candidates.size()));
    List<ValueType> declared = function.argTypes();
    int count = declared.size();
    if (function.variadic() != 0) {
      int minimum = declared.size() - 1;
      int maximum = function.variadic() > 0 ? minimum + function.variadic() : minimum + 3;
      count = minimum + random.nextInt(maximum - minimum + 1);
    }
    List<Expr> args = new ArrayList<>(count);
    for (int index = 0; index < count; index++) {
      ValueType argType = declared.get(Math.min(index, declared.size() - 1));
      args.add(of(argType, depth - 1));
    }
    return new Call(function, args);
  }

  private Expr unary(Expr operand) {
    Expr wrapped = operand;
    // The sign binds tighter than everything but ^, and folds into a number literal.
    if (operand instanceof NumberLiteral
        || (operand instanceof BinaryExpr binary && binary.op() != BinaryOp.POW)) {
      wrapped = new ParenExpr(operand);
    }
    return new UnaryExpr(random.nextInt(4) != 0, wrapped);
  }

  private Expr binary(
      BinaryOp op, Expr lhs, Expr rhs, boolean returnBool, VectorMatching matching) {
    return new BinaryExpr(
        op, operand(lhs, op, true), operand(rhs, op, false), returnBool, matching);
  }

  /** Wraps an operand in parentheses where printing it bare would parse differently. */
  static Expr operand(Expr child, BinaryOp parent, boolean left) {
    if (child instanceof BinaryExpr binary && needsParentheses(binary.op(), parent, left)) {
      return new ParenExpr(child);
    }
    if (left && parent == BinaryOp.POW) {
      // -a ^ b is -(a ^ b), and -1 ^ b is -(1 ^ b): a sign on the left of ^ needs parentheses.
      if (child instanceof UnaryExpr) {
        return new ParenExpr(child);
      }
      if (child instanceof NumberLiteral number && printsWithSign(number)) {
        return new ParenExpr(child);
      }
    }
    return child;
  }

  // Negative numbers, -0 and +Inf print with a sign, which a parse reads as a unary operator.
  // Prometheus prints Inf ^ 2 as "+Inf ^ 2", which parses as +(Inf ^ 2): the generator keeps to
  // trees whose printed form parses back, (Inf) ^ 2 here.
  private static boolean printsWithSign(NumberLiteral number) {
    String printed = PromQL.print(number);
    return printed.startsWith("-") || printed.startsWith("+");
  }

  private static boolean needsParentheses(BinaryOp child, BinaryOp parent, boolean left) {
    if (child.precedence() != parent.precedence()) {
      return child.precedence() < parent.precedence();
    }
    // Same level: left-associative operators need them on the right, ^ on the left.
    return left == parent.isRightAssociative();
  }
}
