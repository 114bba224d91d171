package io.promroute.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.DurationLiteral;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprRewriter;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * For random trees with shard matchers inserted at random selectors (and random positions among
 * their matchers), the strip rewrite gives back exactly the tree without them.
 */
class ShardStripPropertyTest {

  private static final String LABEL = "cluster";
  private static final int TREES = 2000;

  // Matchers inserted at random selectors name different shards: under the default global view
  // such a query keeps its matchers for the cross-shard planner; this property is about the
  // whole-query strip, which the compatibility policy always does.
  private final ShardRewriter rewriter =
      ShardRewriter.builder()
          .shardLabel(LABEL)
          .shards(List.of("a", "b", "c"))
          .unlabeledSelectors(UnlabeledSelectorPolicy.INHERIT)
          .build();

  @Test
  void strippingInsertedShardMatchersGivesBackTheTreeWithoutThem() {
    Random random = new Random(20261125L);
    int routed = 0;
    int refused = 0;
    for (int i = 0; i < TREES; i++) {
      Expr original = new Generator(random).instantVector(4);
      Expr withShardMatchers = new ShardMatcherInserter(random).rewrite(original);
      ShardedQuery result;
      try {
        result = rewriter.rewrite(withShardMatchers);
      } catch (ShardRoutingException e) {
        // Random trees compare labeled and aggregated sides on "cluster"; refusing those is right
        // (see ShardRewriterTest) and not what this property is about.
        assertThat(e.reason()).isEqualTo(ShardRoutingException.Reason.NOT_SHARDABLE);
        refused++;
        continue;
      }
      routed++;
      // Where one shard must see the label, the rewrite wraps a subtree in
      // label_replace(e, "cluster", "<key>", "", ""); apart from those it is the original tree.
      assertThat(WITHOUT_MATERIALIZATION.rewrite(result.expr()))
          .as("rewrite of %s", withShardMatchers)
          .isEqualTo(original);
      assertThat(shardMatcherCount(result.expr())).isZero();
    }
    assertThat(routed).as("routed trees (refused: %d)", refused).isGreaterThan(TREES / 3);
  }

  @Test
  void treesWithoutShardMatchersComeBackAsTheSameInstance() {
    Random random = new Random(7L);
    for (int i = 0; i < TREES / 4; i++) {
      Expr original = new Generator(random).instantVector(4);
      ShardedQuery result;
      try {
        result = rewriter.rewrite(original);
      } catch (ShardRoutingException e) {
        continue;
      }
      assertThat(result.expr()).isSameAs(original);
    }
  }

  @Test
  void keepModeLeavesEveryTreeAsTheSameInstance() {
    ShardRewriter keep =
        ShardRewriter.builder()
            .shardLabel(LABEL)
            .shards(List.of("a", "b", "c"))
            .mode(ShardLabelMode.KEEP)
            .build();
    Random random = new Random(11L);
    for (int i = 0; i < TREES / 4; i++) {
      Expr query = new ShardMatcherInserter(random).rewrite(new Generator(random).instantVector(4));
      ShardedQuery result = keep.rewrite(query);
      assertThat(result.expr()).isSameAs(query);
      assertThat(result.addShardLabel()).isFalse();
    }
  }

  /** Replaces label_replace(e, "cluster", key, "", "") by e. */
  private static final ExprRewriter WITHOUT_MATERIALIZATION =
      new ExprRewriter() {
        @Override
        public Expr visitCall(Call node) {
          Call call = (Call) super.visitCall(node);
          if (call.function().name().equals("label_replace")
              && call.args().get(1).equals(new StringLiteral(LABEL))
              && call.args().get(3).equals(new StringLiteral(""))
              && call.args().get(4).equals(new StringLiteral(""))) {
            return call.args().get(0);
          }
          return call;
        }
      };

  @Test
  void concurrentRewritesGiveTheSameResultsAsSequentialOnes() throws Exception {
    Random random = new Random(3L);
    List<Expr> queries = new ArrayList<>();
    for (int i = 0; i < TREES / 4; i++) {
      queries.add(new ShardMatcherInserter(random).rewrite(new Generator(random).instantVector(4)));
    }
    List<String> sequential = new ArrayList<>();
    for (Expr query : queries) {
      sequential.add(outcome(query));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        futures.add(
            pool.submit(
                () -> {
                  List<String> outcomes = new ArrayList<>();
                  for (Expr query : queries) {
                    outcomes.add(outcome(query));
                  }
                  return outcomes;
                }));
      }
      for (Future<List<String>> future : futures) {
        assertThat(future.get()).isEqualTo(sequential);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private String outcome(Expr query) {
    try {
      ShardedQuery result = rewriter.rewrite(query);
      return result.query()
          + " "
          + result.shards()
          + " "
          + result.addShardLabel()
          + " "
          + result.execution()
          + " "
          + result.warnings();
    } catch (ShardRoutingException e) {
      return e.reason() + ": " + e.getMessage();
    }
  }

  static int shardMatcherCount(Expr expr) {
    return shardMatcherCount(expr, LABEL);
  }

  static int shardMatcherCount(Expr expr, String label) {
    int[] count = {0};
    new ExprRewriter() {
      @Override
      public Expr visitVectorSelector(VectorSelector node) {
        for (LabelMatcher matcher : node.matchers()) {
          if (matcher.name().equals(label)) {
            count[0]++;
          }
        }
        return node;
      }
    }.rewrite(expr);
    return count[0];
  }

  /** Adds one or two matchers on the shard label to about half of the selectors. */
  static final class ShardMatcherInserter extends ExprRewriter {
    private final Random random;
    private final LabelMatcher everywhere;

    ShardMatcherInserter(Random random) {
      this(random, null);
    }

    /** With {@code everywhere}: that one matcher on every selector, as Grafana's $cluster. */
    ShardMatcherInserter(Random random, LabelMatcher everywhere) {
      this.random = random;
      this.everywhere = everywhere;
    }

    @Override
    public Expr visitVectorSelector(VectorSelector node) {
      if (everywhere != null) {
        List<LabelMatcher> matchers = new ArrayList<>(node.matchers());
        matchers.add(random.nextInt(matchers.size() + 1), everywhere);
        return node.withMatchers(matchers);
      }
      if (random.nextBoolean()) {
        return node;
      }
      List<LabelMatcher> matchers = new ArrayList<>(node.matchers());
      int count = 1 + random.nextInt(2);
      for (int i = 0; i < count; i++) {
        LabelMatcher shardMatcher =
            switch (random.nextInt(4)) {
              case 0 -> new LabelMatcher(LABEL, MatchOp.EQUAL, "a");
              case 1 -> new LabelMatcher(LABEL, MatchOp.REGEX, "a|b");
              case 2 -> new LabelMatcher(LABEL, MatchOp.NOT_EQUAL, "c");
              default -> new LabelMatcher(LABEL, MatchOp.NOT_REGEX, "b.*|c");
            };
        matchers.add(random.nextInt(matchers.size() + 1), shardMatcher);
      }
      return node.withMatchers(matchers);
    }
  }

  /** Random, well-typed instant vector expressions whose selectors always stay valid. */
  static final class Generator {
    private static final Function RATE =
        new Function(
            "rate", List.of(ValueType.RANGE_VECTOR), 0, ValueType.INSTANT_VECTOR, false, false);
    private static final Function ABS =
        new Function(
            "abs", List.of(ValueType.INSTANT_VECTOR), 0, ValueType.INSTANT_VECTOR, false, false);
    private static final Function MAX_OVER_TIME =
        new Function(
            "max_over_time",
            List.of(ValueType.RANGE_VECTOR),
            0,
            ValueType.INSTANT_VECTOR,
            false,
            false);
    private static final Function HISTOGRAM_QUANTILE =
        new Function(
            "histogram_quantile",
            List.of(ValueType.SCALAR, ValueType.INSTANT_VECTOR),
            0,
            ValueType.INSTANT_VECTOR,
            false,
            false);
    private static final List<String> LABELS = List.of("job", "instance", LABEL, "le");
    private static final AggregateOp[] AGGREGATIONS = {
      AggregateOp.SUM, AggregateOp.MAX, AggregateOp.COUNT, AggregateOp.AVG, AggregateOp.TOPK
    };
    private static final BinaryOp[] OPERATORS = {
      BinaryOp.ADD, BinaryOp.DIV, BinaryOp.GTR, BinaryOp.AND, BinaryOp.OR, BinaryOp.UNLESS
    };

    private final Random random;
    private final List<String> names;
    private final List<LabelMatcher> matchers;

    Generator(Random random) {
      this(
          random,
          List.of("x", "y", "up"),
          List.of(
              LabelMatcher.equal("instance", "i-0"),
              LabelMatcher.equal("instance", "i-1"),
              new LabelMatcher("job", MatchOp.NOT_EQUAL, "db")));
    }

    /**
     * @param names the metric names to pick from
     * @param matchers matchers to add to selectors, besides a nameless selector's own {@code
     *     job=~"api.*"}
     */
    Generator(Random random, List<String> names, List<LabelMatcher> matchers) {
      this(random, names, matchers, false);
    }

    /**
     * @param rich also operations that observe the shard label (count_values into it, label_replace
     *     from it, absent, group modifiers, or with vector(0), ...), whose rewrite is more than
     *     removing matchers
     */
    Generator(Random random, List<String> names, List<LabelMatcher> matchers, boolean rich) {
      this.random = random;
      this.names = names;
      this.matchers = matchers;
      this.rich = rich;
    }

    private final boolean rich;

    Expr instantVector(int depth) {
      if (depth == 0) {
        return selector();
      }
      if (rich && random.nextInt(3) == 0) {
        return richVector(depth);
      }
      return switch (random.nextInt(10)) {
        case 0 -> selector();
        case 1 -> new Call(RATE, List.of(matrix()));
        case 2 -> aggregation(depth);
        case 3, 4 -> binary(depth);
        case 5 -> new BinaryExpr(BinaryOp.MUL, instantVector(depth - 1), new NumberLiteral(2));
        case 6 -> new Call(ABS, List.of(instantVector(depth - 1)));
        case 7 -> new ParenExpr(instantVector(depth - 1));
        case 8 ->
            new Call(
                MAX_OVER_TIME,
                List.of(
                    new SubqueryExpr(
                        instantVector(depth - 1),
                        DurationLiteral.ofSeconds(3600),
                        DurationLiteral.ofSeconds(60),
                        null,
                        null)));
        default ->
            random.nextBoolean()
                ? new UnaryExpr(true, instantVector(depth - 1))
                : new Call(
                    HISTOGRAM_QUANTILE, List.of(new NumberLiteral(0.9), instantVector(depth - 1)));
      };
    }

    private static Call call(String name, Expr... args) {
      return new Call(Function.byName(name).orElseThrow(), List.of(args));
    }

    private static StringLiteral string(String value) {
      return new StringLiteral(value);
    }

    private String someLabel() {
      return LABELS.get(random.nextInt(LABELS.size()));
    }

    private Expr richVector(int depth) {
      Expr inner = instantVector(depth - 1);
      return switch (random.nextInt(12)) {
        case 0 ->
            new AggregateExpr(
                AggregateOp.COUNT_VALUES,
                inner,
                string(random.nextBoolean() ? LABEL : "v"),
                random.nextInt(3) == 0,
                labels());
        case 1 ->
            call(
                "label_replace",
                inner,
                string(someLabel()),
                string("x-$1"),
                string(someLabel()),
                string("(.*)"));
        case 2 ->
            call(
                "label_join",
                inner,
                string("dst"),
                string("-"),
                string(someLabel()),
                string(someLabel()));
        case 3 -> call("absent", random.nextBoolean() ? selector() : inner);
        case 4 ->
            new AggregateExpr(
                random.nextBoolean() ? AggregateOp.TOPK : AggregateOp.BOTTOMK,
                inner,
                new NumberLiteral(1),
                random.nextInt(3) == 0,
                labels());
        case 5 ->
            new BinaryExpr(
                BinaryOp.OR,
                inner,
                call("vector", new NumberLiteral(0)),
                false,
                random.nextBoolean() ? VectorMatching.DEFAULT : VectorMatching.on(labels()));
        case 6 ->
            new BinaryExpr(
                BinaryOp.MUL,
                inner,
                instantVector(depth - 1),
                false,
                new VectorMatching(
                    random.nextBoolean(),
                    labels(),
                    random.nextBoolean()
                        ? VectorMatching.Cardinality.MANY_TO_ONE
                        : VectorMatching.Cardinality.ONE_TO_MANY,
                    random.nextBoolean() ? List.of(LABEL) : List.of(),
                    null));
        case 7 ->
            new BinaryExpr(BinaryOp.GTR, inner, new NumberLiteral(5), true, VectorMatching.DEFAULT);
        case 8 -> call("sort_desc", inner);
        case 9 ->
            new BinaryExpr(
                BinaryOp.MUL,
                inner,
                call("scalar", instantVector(depth - 1)),
                false,
                VectorMatching.DEFAULT);
        case 10 ->
            new AggregateExpr(AggregateOp.QUANTILE, inner, new NumberLiteral(0.5), false, labels());
        default -> call("absent_over_time", matrix());
      };
    }

    private Expr aggregation(int depth) {
      AggregateOp op = AGGREGATIONS[random.nextInt(AGGREGATIONS.length)];
      Expr param = op == AggregateOp.TOPK ? new NumberLiteral(3) : null;
      boolean without = random.nextInt(3) == 0;
      return new AggregateExpr(op, instantVector(depth - 1), param, without, labels());
    }

    private Expr binary(int depth) {
      BinaryOp op = OPERATORS[random.nextInt(OPERATORS.length)];
      VectorMatching matching =
          switch (random.nextInt(3)) {
            case 0 -> VectorMatching.DEFAULT;
            case 1 -> VectorMatching.on(labels());
            default -> VectorMatching.ignoring(labels());
          };
      return new BinaryExpr(
          op, instantVector(depth - 1), instantVector(depth - 1), false, matching);
    }

    private List<String> labels() {
      List<String> labels = new ArrayList<>();
      for (String label : LABELS) {
        if (random.nextInt(3) == 0) {
          labels.add(label);
        }
      }
      return labels;
    }

    private MatrixSelector matrix() {
      return new MatrixSelector(selector(), DurationLiteral.ofSeconds(300));
    }

    VectorSelector selector() {
      List<LabelMatcher> selected = new ArrayList<>();
      String name = random.nextInt(4) == 0 ? null : names.get(random.nextInt(names.size()));
      if (name == null) {
        // A nameless selector needs a matcher that does not match the empty value.
        selected.add(new LabelMatcher("job", MatchOp.REGEX, "api.*"));
      }
      if (random.nextBoolean()) {
        selected.add(matchers.get(random.nextInt(matchers.size())));
      }
      DurationLiteral offset = random.nextInt(5) == 0 ? DurationLiteral.ofSeconds(60) : null;
      AtModifier at = random.nextInt(8) == 0 ? AtModifier.end() : null;
      return new VectorSelector(name, selected, offset, at, RangeSmoothing.NONE);
    }
  }
}
