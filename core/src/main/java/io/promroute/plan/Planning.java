package io.promroute.plan;

import io.promroute.promql.PromQL;
import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprVisitor;
import io.promroute.promql.ast.KnownFunction;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import io.promroute.shard.EmptySideGuard;
import io.promroute.shard.SelectorShards;
import io.promroute.shard.ShardRoutingException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Classifies each node of a rewritten query (CROSS-SHARD.md's classes) and builds the plan:
 * shard-local subtrees are sent whole, decomposable aggregations as partials, the rest is computed
 * by the router from its children's global values. A parent operator is never pushed below a merge:
 * {@code 2 - max(x)} merges {@code max} first and subtracts in the router.
 */
final class Planning implements ExprVisitor<Planning.Planned> {

  /** The class of a node. */
  enum Kind {
    /**
     * Reads no series ({@code 1}, {@code time()}, {@code vector(0)}): the router computes it once.
     */
    CONSTANT,
    /** Every output series comes from one shard and keeps the shard label: sent whole (class L). */
    LOCAL,
    /** Needs series of several shards together: merged or computed by the router (D, R). */
    GLOBAL
  }

  /**
   * @param kind the class
   * @param expr the (rewritten) expression, sent to shards when LOCAL
   * @param node the router's plan for it; not called for LOCAL nodes
   */
  record Planned(Kind kind, Expr expr, Supplier<PlanNode> node) {}

  private final String shardLabel;
  private final boolean addShardLabel;
  // Set while the argument of a count_values computed in the router is materialized (see
  // routerAggregate), so not final.
  private boolean exactFloatOrder;
  private final List<String> shards;
  private final SelectorShards selectorShards;
  private final Map<String, PlanNode.Fetch> fetches = new LinkedHashMap<>();
  private final boolean routerMatching;
  // Whether a shard query got an EmptySideGuard.
  private boolean guarded;
  // The subquery grid the shard queries being planned are evaluated on; null: the request's times.
  private PlanNode.Grid grid;

  /**
   * The step of a subquery that names none: Prometheus uses its global {@code evaluation_interval},
   * whose default is one minute.
   */
  static final long DEFAULT_SUBQUERY_STEP_MILLIS = 60_000;

  /**
   * @param shardLabel the shard label
   * @param addShardLabel whether the shards' series lack the shard label (strip mode) and get it
   *     added
   */
  Planning(String shardLabel, boolean addShardLabel, boolean exactFloatOrder) {
    this(shardLabel, addShardLabel, exactFloatOrder, List.of(), null);
  }

  /**
   * @param shards the shards every shard query goes to
   * @param selectorShards the shards each selector reads, when they differ: every shard query is
   *     then rewritten for each shard; null when every shard gets the same query
   */
  Planning(
      String shardLabel,
      boolean addShardLabel,
      boolean exactFloatOrder,
      List<String> shards,
      SelectorShards selectorShards) {
    this(shardLabel, addShardLabel, exactFloatOrder, shards, selectorShards, false);
  }

  /**
   * @param routerMatching {@code true}: every arithmetic or comparison between vectors whose
   *     selectors read several shards is matched by the router (the plan after a guarded shard
   *     query failed with a one-side duplicate, see {@link EmptySideGuard}); {@code false}: the
   *     shards match where that is exact, their queries guarded
   */
  Planning(
      String shardLabel,
      boolean addShardLabel,
      boolean exactFloatOrder,
      List<String> shards,
      SelectorShards selectorShards,
      boolean routerMatching) {
    this.routerMatching = routerMatching;
    this.shardLabel = shardLabel;
    this.addShardLabel = addShardLabel;
    this.exactFloatOrder = exactFloatOrder;
    this.shards = List.copyOf(shards);
    this.selectorShards = selectorShards;
  }

  PlanNode plan(Expr root) {
    return materialize(root.accept(this));
  }

  List<PlanNode.Fetch> fetches() {
    return List.copyOf(fetches.values());
  }

  /** Whether a shard query of the plan is guarded ({@link EmptySideGuard}). */
  boolean guarded() {
    return guarded;
  }

  /**
   * {@code expr} guarded ({@link EmptySideGuard}) when its selectors read several shards. Where
   * they read one, that shard evaluates it over every series the global view has (the others over
   * none), its errors are the global evaluation's, and a guard would only turn them into a request
   * for the router to match the sides, which leaves the operation to that one shard again.
   */
  private Expr guard(Expr expr) {
    if (!readsSeveralShards(expr)) {
      return expr;
    }
    Expr guarded = EmptySideGuard.apply(expr, shardLabel);
    if (guarded != expr) {
      this.guarded = true;
    }
    return guarded;
  }

  private PlanNode materialize(Planned planned) {
    return switch (planned.kind()) {
      case LOCAL -> fetch(planned.expr(), addShardLabel);
      case CONSTANT, GLOBAL -> planned.node().get();
    };
  }

  private PlanNode.Fetch fetch(Expr unguarded, boolean addsLabel) {
    Expr expr = guard(unguarded);
    String query = PromQL.print(expr);
    String key = (addsLabel ? "+" : "-") + query;
    String gridKey = grid == null ? "" : grid.toString();
    return fetches.computeIfAbsent(
        key + "|" + gridKey,
        unused ->
            new PlanNode.Fetch(
                fetches.size(),
                query,
                addsLabel,
                grid,
                grid != null && AtStartEnd.uses(expr) ? expr : null,
                perShard(expr),
                null));
  }

  /**
   * The raw samples of a local range argument, for the steps the enclosing plan is evaluated at.
   */
  private PlanNode.Fetch fetchRaw(Expr unguarded, RawSamples raw) {
    Expr expr = guard(unguarded);
    String query = PromQL.print(expr);
    String gridKey = grid == null ? "" : grid.toString();
    return fetches.computeIfAbsent(
        "raw" + (addShardLabel ? "+" : "-") + query + "|" + gridKey,
        unused ->
            new PlanNode.Fetch(
                fetches.size(), query, addShardLabel, grid, null, perShard(expr), raw));
  }

  /**
   * What each shard evaluates of {@code expr} when the selectors read different shards; else null.
   */
  private List<Expr> perShard(Expr expr) {
    if (selectorShards == null) {
      return null;
    }
    List<Expr> perShard = new ArrayList<>(shards.size());
    for (String shard : shards) {
      perShard.add(selectorShards.forShard(expr, shard));
    }
    return perShard;
  }

  private static ShardRoutingException refuse(String construct) {
    return new ShardRoutingException(
        ShardRoutingException.Reason.CROSS_SHARD_NOT_SUPPORTED,
        "query cannot be answered across shards yet: " + construct);
  }

  private static Planned local(Expr expr) {
    return new Planned(
        Kind.LOCAL,
        expr,
        () -> {
          throw new IllegalStateException("a local node is fetched, not computed");
        });
  }

  // ---- leaves ----

  @Override
  public Planned visitNumberLiteral(NumberLiteral node) {
    return new Planned(Kind.CONSTANT, node, () -> new PlanNode.NumberNode(node.value()));
  }

  @Override
  public Planned visitStringLiteral(StringLiteral node) {
    return new Planned(Kind.CONSTANT, node, () -> new PlanNode.StringNode(node.value()));
  }

  @Override
  public Planned visitVectorSelector(VectorSelector node) {
    return local(node);
  }

  @Override
  public Planned visitMatrixSelector(MatrixSelector node) {
    return local(node);
  }

  @Override
  public Planned visitSubqueryExpr(SubqueryExpr node) {
    Planned inner = node.expr().accept(this);
    if (inner.kind() == Kind.LOCAL) {
      return local(node);
    }
    Long range = millis(node.range());
    Long step =
        node.step() == null ? Long.valueOf(DEFAULT_SUBQUERY_STEP_MILLIS) : millis(node.step());
    Long offset = node.offset() == null ? Long.valueOf(0) : millis(node.offset());
    if (range == null || step == null || offset == null || step <= 0) {
      throw refuse(
          "the subquery "
              + PromQL.print(node)
              + " is over a value merged across shards and its durations are not literals;"
              + " its inner query would have to be evaluated on the subquery's own step grid");
    }
    // Over a constant it reads no series either; over merged values its inner query's shard
    // queries are range queries on its grid (within the grid of a subquery it is nested in).
    return new Planned(
        inner.kind() == Kind.CONSTANT ? Kind.CONSTANT : Kind.GLOBAL,
        node,
        () -> {
          PlanNode.Grid outer = grid;
          PlanNode.Grid subqueryGrid = new PlanNode.Grid(range, step, offset, node.at(), outer);
          grid = subqueryGrid;
          try {
            return new PlanNode.Subquery(materialize(inner), subqueryGrid);
          } finally {
            grid = outer;
          }
        });
  }

  private static Long millis(io.promroute.promql.ast.DurationExpr duration) {
    return duration instanceof io.promroute.promql.ast.DurationLiteral literal
        ? literal.millis()
        : null;
  }

  @Override
  public Planned visitParenExpr(ParenExpr node) {
    Planned inner = node.expr().accept(this);
    return inner.kind() == Kind.LOCAL ? local(node) : new Planned(inner.kind(), node, inner.node());
  }

  @Override
  public Planned visitUnaryExpr(UnaryExpr node) {
    Planned inner = node.expr().accept(this);
    if (inner.kind() == Kind.LOCAL) {
      return local(node);
    }
    if (!node.negative()) {
      return new Planned(inner.kind(), node, inner.node());
    }
    return new Planned(inner.kind(), node, () -> new PlanNode.Negate(materialize(inner)));
  }

  // ---- aggregations ----

  @Override
  public Planned visitAggregateExpr(AggregateExpr node) {
    Planned planned = aggregate(node);
    if (planned.kind() == Kind.LOCAL
        || node.param() == null
        || StepInvariance.isStepInvariant(node.param())
        || !StepInvariance.isStepInvariant(node.expr())) {
      return planned;
    }
    // Prometheus 2.42 evaluates it at the first step only, its parameter too (sent whole, the
    // shards do the same).
    return new Planned(
        planned.kind(), node, () -> new PlanNode.AtFirstStep(planned.node().get(), grid));
  }

  private Planned aggregate(AggregateExpr node) {
    AggregateOp op = node.op();
    Planned param = node.param() == null ? null : node.param().accept(this);
    Planned inner = node.expr().accept(this);
    boolean paramConstant = param == null || param.kind() == Kind.CONSTANT;
    boolean groupsByShardLabel = node.without() != node.grouping().contains(shardLabel);
    boolean writesShardLabel =
        op == AggregateOp.COUNT_VALUES
            && node.param() instanceof StringLiteral label
            && label.value().equals(shardLabel);
    if (inner.kind() == Kind.CONSTANT && paramConstant) {
      return new Planned(Kind.CONSTANT, node, () -> routerAggregate(node, param, inner));
    }
    if (inner.kind() == Kind.LOCAL && paramConstant) {
      boolean sentWhole =
          switch (op) {
            // They pick series by the whole label set (order, hash): where the shards store
            // the shard label, as the global view has it; limit_ratio per series.
            case LIMITK -> !addShardLabel && groupsByShardLabel;
            case LIMIT_RATIO -> !addShardLabel;
            case SUM,
                AVG,
                COUNT,
                MIN,
                MAX,
                GROUP,
                STDDEV,
                STDVAR,
                TOPK,
                BOTTOMK,
                COUNT_VALUES,
                QUANTILE ->
                groupsByShardLabel && !writesShardLabel;
          };
      if (sentWhole) {
        return local(node);
      }
      return new Planned(Kind.GLOBAL, node, () -> partial(node, param));
    }
    return new Planned(Kind.GLOBAL, node, () -> routerAggregate(node, param, inner));
  }

  private PlanNode routerAggregate(AggregateExpr node, Planned param, Planned inner) {
    boolean outer = exactFloatOrder;
    // count_values turns each value into a label value, so a merged value's last bit becomes a
    // different series: what it counts is aggregated in Prometheus's own order (per series, as
    // the exact mode does), whatever the configured mode. Partials elsewhere stay within 1e-9.
    exactFloatOrder |= node.op() == AggregateOp.COUNT_VALUES;
    try {
      return new PlanNode.Aggregate(
          node.op(),
          param == null ? null : materialize(param),
          node.without(),
          node.grouping(),
          materialize(inner));
    } finally {
      exactFloatOrder = outer;
    }
  }

  /** An aggregation that drops the shard label, over a local argument: per-shard partials. */
  private PlanNode partial(AggregateExpr node, Planned param) {
    boolean without = node.without();
    List<String> grouping = node.grouping();
    if (exactFloatOrder
        && (node.op() == AggregateOp.SUM
            || node.op() == AggregateOp.AVG
            || node.op() == AggregateOp.STDDEV
            || node.op() == AggregateOp.STDVAR)) {
      // Prometheus's own additions (Welford for stddev/stdvar), in its series order: the same
      // result to the last bit, at the cost of fetching every input series.
      return new PlanNode.Aggregate(
          node.op(), null, without, grouping, fetch(node.expr(), addShardLabel));
    }
    return switch (node.op()) {
      case SUM, MIN, MAX, GROUP ->
          new PlanNode.Aggregate(node.op(), null, without, grouping, fetch(node, false), true);
      case COUNT ->
          new PlanNode.Aggregate(
              AggregateOp.SUM, null, without, grouping, fetch(node, false), true);
      case AVG ->
          new PlanNode.AverageMerge(
              without,
              grouping,
              fetch(as(node, AggregateOp.AVG), false),
              fetch(as(node, AggregateOp.COUNT), false));
      // Each shard's count, mean and variance, combined as Chan et al.'s parallel variance:
      // O(groups x shards), equal to Prometheus's Welford over every series within rounding.
      // (The exact mode above runs that Welford in the router, at the cost of every series.)
      case STDDEV, STDVAR ->
          new PlanNode.VarianceMerge(
              node.op() == AggregateOp.STDDEV,
              without,
              grouping,
              fetch(as(node, AggregateOp.AVG), false),
              fetch(as(node, AggregateOp.COUNT), false),
              fetch(as(node, AggregateOp.STDVAR), false));
      // Candidates keep all their labels, the shard label included: the router picks among
      // them in global label order.
      case TOPK, BOTTOMK ->
          new PlanNode.Aggregate(
              node.op(), materialize(param), without, grouping, fetch(node, addShardLabel));
      case COUNT_VALUES -> {
        List<String> outputGrouping = new ArrayList<>(grouping);
        if (!without) {
          outputGrouping.add(((StringLiteral) unwrap(node.param())).value());
        }
        yield new PlanNode.Aggregate(
            AggregateOp.SUM, null, without, outputGrouping, fetch(node, false), true);
      }
      // No exact partial: the shards send the argument, the router computes the quantile or
      // picks the series (by global label order or hash, the shard label included).
      case QUANTILE, LIMITK, LIMIT_RATIO ->
          new PlanNode.Aggregate(
              node.op(), materialize(param), without, grouping, fetch(node.expr(), addShardLabel));
    };
  }

  private static AggregateExpr as(AggregateExpr node, AggregateOp op) {
    return new AggregateExpr(op, node.expr(), null, node.without(), node.grouping());
  }

  private static Expr unwrap(Expr expr) {
    Expr unwrapped = expr;
    while (unwrapped instanceof ParenExpr paren) {
      unwrapped = paren.expr();
    }
    return unwrapped;
  }

  // ---- binary operators ----

  @Override
  public Planned visitBinaryExpr(BinaryExpr node) {
    Planned lhs = node.lhs().accept(this);
    Planned rhs = node.rhs().accept(this);
    if (lhs.kind() == Kind.CONSTANT && rhs.kind() == Kind.CONSTANT) {
      return new Planned(Kind.CONSTANT, node, () -> router(node, lhs, rhs));
    }
    boolean lhsScalar = node.lhs().type() == ValueType.SCALAR;
    boolean rhsScalar = node.rhs().type() == ValueType.SCALAR;
    if (lhsScalar || rhsScalar) {
      Planned vector = lhsScalar ? rhs : lhs;
      Planned scalar = lhsScalar ? lhs : rhs;
      if (vector.kind() == Kind.LOCAL && scalar.kind() == Kind.CONSTANT) {
        return local(node);
      }
      return new Planned(Kind.GLOBAL, node, () -> router(node, lhs, rhs));
    }
    VectorMatching matching = node.matching();
    boolean matchesOnShardLabel = matching.on() == matching.labels().contains(shardLabel);
    if (lhs.kind() == Kind.LOCAL && rhs.kind() == Kind.LOCAL && matchesOnShardLabel) {
      boolean keepsShardLabel =
          switch (matching.cardinality()) {
            case ONE_TO_ONE -> true;
            case MANY_TO_ONE, ONE_TO_MANY -> !matching.include().contains(shardLabel);
          };
      // Set operators never fail. Arithmetic and comparisons check the sides for duplicates,
      // which Prometheus does over every series of both sides once neither is empty: per shard
      // that is the same only where both sides read the same shards (else a shard where one side
      // reads nothing would skip the check); otherwise the router matches them.
      if (node.op().isSetOperator()
          || (keepsShardLabel
              && sameShards(node.lhs(), node.rhs())
              && !(routerMatching && readsSeveralShards(node)))) {
        return local(node);
      }
    }
    if ((node.op() == BinaryOp.AND || node.op() == BinaryOp.UNLESS)
        && matching.on()
        && rhs.kind() == Kind.LOCAL) {
      // Only the right side's signatures matter: fetch them grouped, not every series. A shard
      // groups by the labels it has: the shard label, if matched on, is put back on its groups.
      boolean groupsByShardLabel = addShardLabel && matching.labels().contains(shardLabel);
      return new Planned(
          Kind.GLOBAL,
          node,
          () ->
              new PlanNode.Binary(
                  node.op(),
                  node.returnBool(),
                  matching,
                  materialize(lhs),
                  fetch(
                      new AggregateExpr(
                          AggregateOp.GROUP, node.rhs(), null, false, matching.labels()),
                      groupsByShardLabel)));
    }
    return new Planned(Kind.GLOBAL, node, () -> router(node, lhs, rhs));
  }

  /** Whether the selectors of {@code expr} read more than one shard. */
  private boolean readsSeveralShards(Expr expr) {
    return (selectorShards == null ? shards.size() : selectorShards.shardsOf(expr).size()) > 1;
  }

  /** Whether the selectors of both expressions read the same shards. */
  private boolean sameShards(Expr lhs, Expr rhs) {
    return selectorShards == null
        || selectorShards.shardsOf(lhs).equals(selectorShards.shardsOf(rhs));
  }

  private PlanNode router(BinaryExpr node, Planned lhs, Planned rhs) {
    return new PlanNode.Binary(
        node.op(), node.returnBool(), node.matching(), materialize(lhs), materialize(rhs));
  }

  // ---- functions ----

  @Override
  public Planned visitCall(Call node) {
    KnownFunction function = node.function().known();
    String name = function.functionName();
    if (function.shape() == KnownFunction.Shape.JOINS_OTHER_SERIES) {
      throw refuse(name + "() joins series with the info metrics of every shard");
    }
    List<Planned> args = new ArrayList<>();
    boolean allConstant = true;
    boolean anyGlobal = false;
    for (Expr arg : node.args()) {
      Planned planned = arg.accept(this);
      args.add(planned);
      allConstant &= planned.kind() == Kind.CONSTANT;
      anyGlobal |= planned.kind() == Kind.GLOBAL;
    }
    if (allConstant) {
      return new Planned(Kind.CONSTANT, node, () -> routerCall(node, args));
    }
    Planned byShape =
        switch (function.shape()) {
          case ABSENCE -> absent(node, args.get(0));
          // The whole input at once, or its order: only the router has it.
          case NO_OUTPUT_LABELS, ORDERS ->
              new Planned(Kind.GLOBAL, node, () -> routerCall(node, args));
          // The shards do not store the shard label: the router applies a function that
          // reads or writes it.
          case WRITES_LABEL ->
              touchesShardLabel(node, function.labelArguments())
                  ? new Planned(Kind.GLOBAL, node, () -> routerCall(node, args))
                  : null;
          case JOINS_OTHER_SERIES -> throw new IllegalStateException(name + "() is refused above");
          case PER_SERIES -> null;
        };
    if (byShape != null) {
      return byShape;
    }
    if (!anyGlobal) {
      // Every series argument is local and every other argument constant.
      return local(node);
    }
    for (int i = 0; i < args.size(); i++) {
      Expr arg = node.args().get(i);
      if (args.get(i).kind() == Kind.LOCAL && arg.type() == ValueType.RANGE_VECTOR) {
        // Another argument is computed across shards (quantile_over_time(scalar(sum(y)), x[5m])):
        // the router applies the function to the raw samples of each step's window.
        RawSamples raw = RawSamples.of(arg);
        if (raw == null) {
          throw refuse(
              name
                  + "() over raw samples with a parameter computed across shards, where the range "
                  + PromQL.print(arg)
                  + " has durations that are not literals or a range modifier");
        }
        args.set(
            i,
            new Planned(
                Kind.GLOBAL, arg, () -> new PlanNode.RawRange(fetchRaw(raw.expr(), raw), grid)));
      }
    }
    return new Planned(Kind.GLOBAL, node, () -> routerCall(node, args));
  }

  /** A function writing the shard label, or reading it (label_replace's source, label_join's). */
  private boolean touchesShardLabel(Call node, KnownFunction.LabelArguments labelArguments) {
    List<Expr> args = node.args();
    for (int i = 1; i < args.size(); i++) {
      boolean labelArgument = i == labelArguments.written() || labelArguments.reads(i);
      if (labelArgument
          && unwrap(args.get(i)) instanceof StringLiteral label
          && label.value().equals(shardLabel)) {
        return true;
      }
    }
    return false;
  }

  private PlanNode routerCall(Call node, List<Planned> args) {
    KnownFunction function = node.function().known();
    if (!RouterFunctions.supports(function)) {
      throw refuse(function.functionName() + "() over a value merged across shards");
    }
    boolean outer = exactFloatOrder;
    // changes() and resets() compare each value with the one before: a merged sum or mean whose
    // last bit differs from Prometheus's at one point is a change there, so what they read is
    // aggregated in Prometheus's own order, as under count_values.
    exactFloatOrder |= function == KnownFunction.CHANGES || function == KnownFunction.RESETS;
    try {
      List<PlanNode> nodes = new ArrayList<>(args.size());
      for (Planned arg : args) {
        nodes.add(materialize(arg));
      }
      return new PlanNode.Function(function, nodes, Labels.EMPTY);
    } finally {
      exactFloatOrder = outer;
    }
  }

  /**
   * absent(E) over a local E, or over an aggregation of one (empty globally iff empty on every
   * shard): asked of every shard, true where every shard says so. Otherwise the router checks the
   * merged value (its labels are then empty, as Prometheus gives a non-selector argument).
   */
  private Planned absent(Call node, Planned argument) {
    Expr inner = unwrap(node.args().get(0));
    boolean emptinessPreserving = argument.kind() == Kind.LOCAL;
    if (!emptinessPreserving && inner instanceof AggregateExpr aggregate) {
      Planned aggregated = aggregate.expr().accept(this);
      Planned param = aggregate.param() == null ? null : aggregate.param().accept(this);
      emptinessPreserving =
          aggregated.kind() == Kind.LOCAL && (param == null || param.kind() == Kind.CONSTANT);
    }
    if (emptinessPreserving) {
      return new Planned(Kind.GLOBAL, node, () -> new PlanNode.EveryShard(fetch(node, false)));
    }
    // Over merged values (absent_over_time: a subquery of them): no labels, as Prometheus gives
    // an argument that is not a selector.
    return new Planned(
        Kind.GLOBAL,
        node,
        () ->
            new PlanNode.Function(
                node.function().known(), List.of(materialize(argument)), Labels.EMPTY));
  }
}
