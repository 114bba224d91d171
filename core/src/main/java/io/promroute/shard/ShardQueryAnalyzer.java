package io.promroute.shard;

import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AggregateOp;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.BinaryOp;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprVisitor;
import io.promroute.promql.ast.Function;
import io.promroute.promql.ast.KnownFunction;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass over a query that (in strip mode) removes the shard matchers and, bottom-up, works out
 * how each node's result on a shard relates to the global view.
 *
 * <p>The model: in the global view every series of shard {@code s} carries {@code C="s"} ({@code C}
 * the shard label); in strip mode the shard's own series lack {@code C}. So a shard computes the
 * global answer restricted to its series exactly, except where the query observes {@code C}: output
 * labels (the label must be added back: {@link Presence}), grouping and vector matching on {@code
 * C}, and functions that read label values. Each of those is handled here: either it is provably
 * the same on the shard (every input series of the operation carries the same value, so comparing
 * or grouping by it changes nothing), or the query is rewritten so that the shard sees the value,
 * or it is refused as {@link ShardRoutingException.Reason#NOT_SHARDABLE}.
 *
 * <p>{@code C} in {@code by}, {@code without}, {@code on} and {@code ignoring} is left as written:
 * on a shard the label is absent from every series, which is what grouping or matching by a label
 * with one value for all series does. That is only equal to the global view when all the series
 * involved carry {@code C} there (one shard, one value) or none do; {@link Presence} tracks which,
 * and the mixed cases are refused. Example: {@code x{cluster="a"} * on (cluster) y} on shard a
 * matches everything as one group, and so does the global view, whose series of both sides all have
 * {@code cluster="a"}; {@code sum by (cluster, job) (x) / sum by (job) (y)} never matches in the
 * global view but would on the shard, so it is refused.
 *
 * <p>For several shards a node is <em>local</em> (class L of CROSS-SHARD.md) when each output
 * series is computed from one shard's series and keeps {@code C}: then concatenating the shards'
 * answers is the global answer.
 */
final class ShardQueryAnalyzer implements ExprVisitor<ShardQueryAnalyzer.Node> {

  /**
   * How a node's output relates to the global view regarding the shard label. In keep mode the
   * shards see the label themselves, and this only feeds the classification.
   */
  enum Presence {
    /**
     * Every output series carries {@code C="<its shard>"} in the global view, and lacks it on the
     * shard (strip mode): add it back.
     */
    EVERY_SERIES,
    /**
     * The shard's output agrees with the global view about {@code C}: no series carries it, or the
     * query computes it the same way on both (e.g. {@code count_values("cluster", x)}).
     */
    NO_SERIES,
    /** Some output series carry the shard's key in the global view and others do not. */
    SOME_SERIES;

    boolean addsShardLabel() {
      return this == EVERY_SERIES;
    }
  }

  /**
   * A rewritten node and what is known about it.
   *
   * @param expr the rewritten node (the same instance when nothing changed)
   * @param presence the relation of its output to the global view, regarding the shard label
   * @param local whether concatenating the shards' results of this node is its global result
   * @param constant whether it reads no series at all (literals, {@code time()}, {@code vector(1)})
   */
  record Node(Expr expr, Presence presence, boolean local, boolean constant) {}

  /**
   * The matching of one vector operator a shard evaluates, and what its sides' series carry in the
   * global view regarding the shard label.
   *
   * @param matching the operator's vector matching
   * @param lhs its left side
   * @param rhs its right side
   */
  record ShardMatching(VectorMatching matching, Presence lhs, Presence rhs) {}

  /**
   * {@code {__name__=~".+"}}: selects every series, as {@code {}} would if Prometheus allowed it.
   */
  static final LabelMatcher ANY_METRIC_NAME =
      new LabelMatcher(LabelMatcher.METRIC_NAME, MatchOp.REGEX, ".+");

  private final String shardLabel;
  private final List<String> shards;
  private final boolean strip;
  private String crossShardReason;
  private String routerReason;
  private final List<ShardMatching> matchings = new ArrayList<>();
  // The ordering calls (sort, sort_desc, ...) over arguments each shard evaluates for its own
  // series: by identity, the rewritten call.
  private final java.util.Set<Expr> orderingsOfLocalArguments =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  /**
   * @param shardLabel the shard label
   * @param shards the selected shards, at least one
   * @param strip strip mode: remove the shard matchers and check what the shards cannot see
   */
  ShardQueryAnalyzer(String shardLabel, List<String> shards, boolean strip) {
    this.shardLabel = shardLabel;
    this.shards = shards;
    this.strip = strip;
  }

  Node analyze(Expr query) {
    Node root = query.accept(this);
    if (strip && root.presence() == Presence.SOME_SERIES) {
      routerOnly(
          "in the global view some result series carry label \""
              + shardLabel
              + "\" and others do not (as with \"x or on() vector(0)\"), so the label cannot be"
              + " added back to the shard's answer");
    }
    return root;
  }

  /**
   * Why no shard can compute the query as it is, while the router can from the shards' answers to
   * its parts (e.g. {@code x or vector(0)} over several shards: on a shard the series lack the
   * label and would match {@code vector(0)}); {@code null} when the shards can.
   */
  String routerReason() {
    return routerReason;
  }

  private void routerOnly(String reason) {
    if (routerReason == null) {
      routerReason = reason;
    }
  }

  /**
   * The vector matchings of the arithmetic and comparison operators a shard evaluates (not those
   * only the router can), in the order they were visited, with what their sides carry after the
   * rewriting: where a shard's "duplicate series" error comes from.
   */
  List<ShardMatching> matchings() {
    return List.copyOf(matchings);
  }

  /** Why the query is not {@link Node#local()}, for the first (innermost) node that breaks it. */
  /**
   * Whether {@code root} (under parentheses) orders the series of an argument that each shard
   * evaluates for its own series ({@code sort_desc(rate(x[5m]))}): only its order crosses shards.
   */
  boolean ordersLocalSeriesAtTop(Node root) {
    Expr top = root.expr();
    while (top instanceof ParenExpr paren) {
      top = paren.expr();
    }
    return orderingsOfLocalArguments.contains(top);
  }

  String crossShardReason(Node root) {
    if (crossShardReason != null) {
      return crossShardReason;
    }
    return "the query combines series of several shards";
  }

  @Override
  public Node visitNumberLiteral(NumberLiteral node) {
    return new Node(node, Presence.NO_SERIES, false, true);
  }

  @Override
  public Node visitStringLiteral(StringLiteral node) {
    return new Node(node, Presence.NO_SERIES, false, true);
  }

  @Override
  public Node visitVectorSelector(VectorSelector node) {
    return new Node(stripSelector(node, false), Presence.EVERY_SERIES, true, false);
  }

  @Override
  public Node visitMatrixSelector(MatrixSelector node) {
    VectorSelector selector = stripSelector(node.selector(), false);
    Expr rewritten =
        selector == node.selector() ? node : new MatrixSelector(selector, node.range());
    return new Node(rewritten, Presence.EVERY_SERIES, true, false);
  }

  @Override
  public Node visitSubqueryExpr(SubqueryExpr node) {
    Node inner = node.expr().accept(this);
    Expr rewritten = inner.expr() == node.expr() ? node : node.withExpr(inner.expr());
    return new Node(rewritten, inner.presence(), inner.local(), inner.constant());
  }

  @Override
  public Node visitParenExpr(ParenExpr node) {
    Node inner = node.expr().accept(this);
    Expr rewritten = inner.expr() == node.expr() ? node : node.withExpr(inner.expr());
    return new Node(rewritten, inner.presence(), inner.local(), inner.constant());
  }

  @Override
  public Node visitUnaryExpr(UnaryExpr node) {
    Node inner = node.expr().accept(this);
    Expr rewritten = inner.expr() == node.expr() ? node : node.withExpr(inner.expr());
    return new Node(rewritten, inner.presence(), inner.local(), inner.constant());
  }

  @Override
  public Node visitAggregateExpr(AggregateExpr node) {
    Node param = node.param() == null ? null : node.param().accept(this);
    Node inner = node.expr().accept(this);
    AggregateOp op = node.op();
    Expr rewritten =
        (param == null || param.expr() == node.param()) && inner.expr() == node.expr()
            ? node
            : new AggregateExpr(
                node.op(),
                inner.expr(),
                param == null ? null : param.expr(),
                node.without(),
                node.grouping());
    // by (L) with C in L, or without (L) with C not in L: the grouping key includes C, so every
    // group holds series of one shard only.
    boolean groupsByShardLabel = node.without() != node.grouping().contains(shardLabel);
    // count_values("cluster", ...) overwrites C with the value before grouping: on a shard and in
    // the global view alike, so the original C is never read.
    boolean writesShardLabel =
        op == AggregateOp.COUNT_VALUES && shardLabel.equals(stringValue(node.param()));
    if (strip
        && groupsByShardLabel
        && !writesShardLabel
        && inner.presence() == Presence.SOME_SERIES) {
      // The router, which sees the label, aggregates the shards' answers (io.promroute.plan).
      routerOnly(
          op.keyword()
              + " groups by label \""
              + shardLabel
              + "\", which only some of its input series carry in the global view; the shards"
              + " do not store it");
    }
    // limitk keeps the first series of a group in label order, limit_ratio those whose label set
    // hashes low: in the global view both see the shard label, which the shards do not store.
    boolean readsWholeLabelSet = op == AggregateOp.LIMITK || op == AggregateOp.LIMIT_RATIO;
    if (strip
        && readsWholeLabelSet
        && inner.presence() == Presence.EVERY_SERIES
        && canMaterialize()) {
      // One shard: it sees the label set of the global view.
      inner = materialize(inner);
      rewritten =
          new AggregateExpr(op, inner.expr(), param.expr(), node.without(), node.grouping());
    }
    // Otherwise the router picks from the shards' series, label added (io.promroute.plan).
    boolean pickedByRouter = strip && readsWholeLabelSet && inner.presence() != Presence.NO_SERIES;
    if (pickedByRouter) {
      crossShard(
          op.keyword()
              + " picks series by their whole label set, which in the global view includes \""
              + shardLabel
              + "\"; the shards do not store it");
    }
    Presence presence =
        switch (op) {
          // These select input series and keep all their labels.
          case TOPK, BOTTOMK, LIMITK, LIMIT_RATIO -> inner.presence();
          case COUNT_VALUES ->
              writesShardLabel || !groupsByShardLabel ? Presence.NO_SERIES : inner.presence();
          case SUM, AVG, COUNT, MIN, MAX, GROUP, STDDEV, STDVAR, QUANTILE ->
              groupsByShardLabel ? inner.presence() : Presence.NO_SERIES;
        };
    boolean paramConstant = param == null || param.constant();
    boolean constant = inner.constant() && paramConstant;
    boolean local =
        groupsByShardLabel
            && inner.local()
            && paramConstant
            && presence == Presence.EVERY_SERIES
            && !pickedByRouter;
    if (!local && !constant && (inner.local() || inner.constant())) {
      if (!groupsByShardLabel) {
        crossShard(
            op.keyword()
                + " combines series of several shards (it does not group by \""
                + shardLabel
                + "\")");
      } else if (!paramConstant) {
        crossShard(op.keyword() + "'s parameter is computed from several shards");
      } else {
        crossShard(op.keyword() + " drops label \"" + shardLabel + "\"");
      }
    }
    return new Node(rewritten, presence, local, constant);
  }

  @Override
  public Node visitBinaryExpr(BinaryExpr node) {
    Node lhs = node.lhs().accept(this);
    Node rhs = node.rhs().accept(this);
    Expr rewritten =
        lhs.expr() == node.lhs() && rhs.expr() == node.rhs()
            ? node
            : node.withOperands(lhs.expr(), rhs.expr());
    boolean constant = lhs.constant() && rhs.constant();
    boolean lhsScalar = node.lhs().type() == ValueType.SCALAR;
    boolean rhsScalar = node.rhs().type() == ValueType.SCALAR;
    if (lhsScalar && rhsScalar) {
      return new Node(rewritten, Presence.NO_SERIES, false, constant);
    }
    if (lhsScalar || rhsScalar) {
      // vector op scalar: per series, the vector side's labels (comparisons filter, bool and
      // arithmetic drop __name__ only).
      Node vector = lhsScalar ? rhs : lhs;
      Node scalar = lhsScalar ? lhs : rhs;
      boolean local = vector.local() && scalar.constant();
      if (!local && !constant && vector.local()) {
        crossShard(
            "the scalar operand of \"" + node.op().symbol() + "\" is computed from several shards");
      }
      return new Node(rewritten, vector.presence(), local, constant);
    }
    return vectorBinary(node, rewritten, lhs, rhs, constant);
  }

  private Node vectorBinary(
      BinaryExpr node, Expr rewrittenOperands, Node lhs, Node rhs, boolean constant) {
    VectorMatching matching = node.matching();
    BinaryOp op = node.op();
    Expr rewritten = rewrittenOperands;
    // Whether the series' signatures compare C: on (L) with C in L, or ignoring (L) without it
    // (the default is ignoring ()).
    boolean matchesOnShardLabel = matching.on() == matching.labels().contains(shardLabel);
    boolean mismatched = lhs.presence() != rhs.presence() || lhs.presence() == Presence.SOME_SERIES;
    // Global view: a side that carries C="s" never matches one that lacks C. On the shard
    // neither side has C, so they would match. When both sides carry it (or both lack it), every
    // series of one shard has the same value and matching on it changes nothing. And "or" of a
    // side that carries C with one that does not leaves some output series with C, some without.
    if (strip && mismatched && (matchesOnShardLabel || op == BinaryOp.OR)) {
      if (!canMaterialize()
          || lhs.presence() == Presence.SOME_SERIES
          || rhs.presence() == Presence.SOME_SERIES) {
        if (!matchesOnShardLabel) {
          // "or" without C in the matching, over several shards: refused at the root.
          return new Node(rewritten, Presence.SOME_SERIES, false, constant);
        }
        // The router, which sees the label, computes it from the shards' answers to both sides
        // (io.promroute.plan).
        routerOnly(
            "operator \""
                + op.symbol()
                + "\" matches on label \""
                + shardLabel
                + "\", which in the global view "
                + describeSides(lhs.presence(), rhs.presence())
                + "; the shards do not store it. Aggregate both sides by (\""
                + shardLabel
                + "\") or leave it out of the matching (ignoring (\""
                + shardLabel
                + "\") or on (...))");
        return new Node(rewritten, Presence.SOME_SERIES, false, constant);
      }
      lhs = materialize(lhs);
      rhs = materialize(rhs);
      rewritten = node.withOperands(lhs.expr(), rhs.expr());
    }
    if (!op.isSetOperator()) {
      matchings.add(new ShardMatching(matching, lhs.presence(), rhs.presence()));
    }
    Presence presence;
    if (op.isSetOperator()) {
      if (op == BinaryOp.OR) {
        presence = lhs.presence() == rhs.presence() ? lhs.presence() : Presence.SOME_SERIES;
      } else {
        presence = lhs.presence();
      }
    } else {
      List<String> include = matching.include();
      presence =
          switch (matching.cardinality()) {
            // on (L) keeps only L, ignoring (L) drops L.
            case ONE_TO_ONE -> matchesOnShardLabel ? lhs.presence() : Presence.NO_SERIES;
            // group_left keeps the left labels; included labels are copied from the right side
            // (and deleted where it lacks them). group_right mirrors it.
            case MANY_TO_ONE -> include.contains(shardLabel) ? rhs.presence() : lhs.presence();
            case ONE_TO_MANY -> include.contains(shardLabel) ? lhs.presence() : rhs.presence();
          };
    }
    boolean local =
        matchesOnShardLabel && lhs.local() && rhs.local() && presence == Presence.EVERY_SERIES;
    if (!local && !constant && (lhs.local() || lhs.constant()) && (rhs.local() || rhs.constant())) {
      if (lhs.constant() || rhs.constant()) {
        crossShard(
            "operator \""
                + op.symbol()
                + "\" combines the series of every shard with series that belong to no shard");
      } else if (!matchesOnShardLabel) {
        crossShard(
            "operator \""
                + op.symbol()
                + "\" matches series of different shards (its matching leaves out \""
                + shardLabel
                + "\")");
      } else {
        crossShard("operator \"" + op.symbol() + "\" drops label \"" + shardLabel + "\"");
      }
    }
    return new Node(rewritten, presence, local, constant);
  }

  @Override
  public Node visitCall(Call node) {
    KnownFunction function = node.function().known();
    if (function.shape() == KnownFunction.Shape.JOINS_OTHER_SERIES) {
      // Its data-label selector is visited on its own terms.
      return visitInfo(node);
    }
    String name = function.functionName();
    List<Node> args = new ArrayList<>(node.args().size());
    boolean changed = false;
    boolean constant = true;
    boolean argumentsLocal = true;
    Node vectorArgument = null;
    for (Expr arg : node.args()) {
      Node visited = arg.accept(this);
      args.add(visited);
      changed |= visited.expr() != arg;
      constant &= visited.constant();
      argumentsLocal &= visited.local() || visited.constant();
      ValueType type = arg.type();
      if (vectorArgument == null
          && (type == ValueType.INSTANT_VECTOR || type == ValueType.RANGE_VECTOR)) {
        vectorArgument = visited;
      }
    }
    Expr rewritten = changed ? node.withArgs(exprs(args)) : node;
    Presence argumentPresence =
        vectorArgument == null ? Presence.NO_SERIES : vectorArgument.presence();
    KnownFunction.LabelArguments labelArguments = function.labelArguments();
    return switch (function.shape()) {
      // Prometheus builds the output labels from the equality matchers of a selector argument;
      // the shard, whose selector lost C="s", builds them without it: add it back.
      case ABSENCE ->
          nonLocal(
              rewritten,
              absentPresence(node.args().get(0)),
              constant,
              argumentsLocal,
              name + "() is true only when no shard has the series");
      case NO_OUTPUT_LABELS ->
          nonLocal(
              rewritten,
              Presence.NO_SERIES,
              constant,
              argumentsLocal,
              name + "() needs the series of every shard together");
      case ORDERS -> {
        // A label absent on the shard sorts every series as a tie, exactly like a label with
        // the same value on every series: so "cluster" among the labels is harmless when every
        // input series carries it, and wrong when only some do.
        if (strip
            && argumentPresence == Presence.SOME_SERIES
            && readsShardLabel(node, labelArguments)) {
          throw notShardable(
              name
                  + "() sorts by label \""
                  + shardLabel
                  + "\", which only some of its input series carry in the global view");
        }
        if (argumentsLocal && !constant) {
          orderingsOfLocalArguments.add(rewritten);
        }
        yield nonLocal(
            rewritten,
            argumentPresence,
            constant,
            argumentsLocal,
            name + "() orders the series of several shards");
      }
      case WRITES_LABEL ->
          labelFunction(
              node,
              args,
              stringValue(node.args(), labelArguments.written()),
              readsShardLabel(node, labelArguments));
      case JOINS_OTHER_SERIES -> throw new IllegalStateException(name + "() is visited above");
      case PER_SERIES -> {
        boolean local = argumentPresence == Presence.EVERY_SERIES && argumentsLocal;
        if (!local && !constant && argumentsLocal) {
          crossShard(name + "() drops label \"" + shardLabel + "\"");
        }
        yield new Node(rewritten, argumentPresence, local, constant);
      }
    };
  }

  /**
   * label_replace, label_join and histogram_quantiles: functions that write a label (the
   * destination) and possibly read labels (the sources).
   */
  private Node labelFunction(
      Call node, List<Node> args, String destination, boolean readsShardLabel) {
    Node vector = args.get(0);
    boolean constant = true;
    boolean argumentsLocal = true;
    for (Node arg : args) {
      constant &= arg.constant();
      argumentsLocal &= arg.local() || arg.constant();
    }
    List<Expr> rewrittenArgs = exprs(args);
    Expr rewritten = sameExprs(rewrittenArgs, node.args()) ? node : node.withArgs(rewrittenArgs);
    String name = node.function().name();
    if (shardLabel.equals(destination)) {
      if (strip && vector.presence() == Presence.EVERY_SERIES && canMaterialize()) {
        // The function then overwrites (or keeps) the label exactly as in the global view.
        vector = materialize(vector);
        List<Expr> withKey = new ArrayList<>(rewrittenArgs);
        withKey.set(0, vector.expr());
        rewritten = node.withArgs(withKey);
      }
      if (strip) {
        if (vector.presence() != Presence.NO_SERIES) {
          // The router, which sees the label, applies the function to the shards' series
          // (io.promroute.plan).
          routerOnly(
              name
                  + "() writes label \""
                  + shardLabel
                  + "\" of series that carry it in the global view, keeping the shard's value"
                  + " where nothing is replaced; the shards do not store it");
          return new Node(rewritten, Presence.SOME_SERIES, false, constant);
        }
        // The input lacks C in the global view too: the shard computes the same label.
        return nonLocal(
            rewritten,
            Presence.NO_SERIES,
            constant,
            argumentsLocal,
            name + "() overwrites label \"" + shardLabel + "\"");
      }
      // Keep mode: the shard computes it right, but the output no longer tells shards apart.
      return nonLocal(
          rewritten,
          vector.presence() == Presence.NO_SERIES ? Presence.NO_SERIES : Presence.SOME_SERIES,
          constant,
          argumentsLocal,
          name + "() overwrites label \"" + shardLabel + "\"");
    }
    if (strip && readsShardLabel && vector.presence() != Presence.NO_SERIES) {
      if (vector.presence() == Presence.SOME_SERIES || shards.size() != 1) {
        // The router, which sees the label, applies the function to the shards' series
        // (io.promroute.plan).
        routerOnly(
            name
                + "() reads label \""
                + shardLabel
                + "\", whose value differs between the selected shards "
                + String.join(", ", shards)
                + " or which only some of its input series carry");
        return new Node(rewritten, vector.presence(), false, constant);
      }
      rewritten = readShardLabel((Call) rewritten, vector.presence());
    }
    boolean local = vector.presence() == Presence.EVERY_SERIES && argumentsLocal;
    if (!local && !constant && argumentsLocal) {
      crossShard(name + "() drops label \"" + shardLabel + "\"");
    }
    return new Node(rewritten, vector.presence(), local, constant);
  }

  /**
   * Makes the shard see the value the global view reads: {@code f(v, ...)} becomes {@code
   * label_replace(f(label_replace(v, "C", "<key>", "", ""), ...), "C", "", "", "")}. The inner call
   * sets {@code C} to the shard's key on every input series (its empty regex matches the empty
   * source value), the outer one deletes it again (an empty replacement deletes the label) so that
   * the answer looks like every other shard answer and gets the label added back. Exact for any
   * source list, separator, regex and template, because the function then runs on exactly the
   * global view's input.
   */
  private Expr readShardLabel(Call call, Presence inputPresence) {
    String name = call.function().name();
    if (inputPresence == Presence.SOME_SERIES) {
      throw notShardable(
          name
              + "() reads label \""
              + shardLabel
              + "\", which only some of its input series carry in the global view");
    }
    if (shards.size() != 1) {
      throw notShardable(
          name
              + "() reads label \""
              + shardLabel
              + "\", whose value differs between the selected shards "
              + String.join(", ", shards)
              + "; select one shard");
    }
    Function labelReplace =
        call.function().known() == KnownFunction.LABEL_REPLACE
            ? call.function()
            : labelReplaceFunction();
    String template = shards.get(0).replace("$", "$$");
    Expr withKey =
        new Call(
            labelReplace,
            List.of(
                call.args().get(0),
                new StringLiteral(shardLabel),
                new StringLiteral(template),
                new StringLiteral(""),
                new StringLiteral("")));
    List<Expr> args = new ArrayList<>(call.args());
    args.set(0, withKey);
    return new Call(
        labelReplace,
        List.of(
            call.withArgs(args),
            new StringLiteral(shardLabel),
            new StringLiteral(""),
            new StringLiteral(""),
            new StringLiteral("")));
  }

  /**
   * Whether the shard can be made to see its key: one shard, so one value to write into the query.
   */
  private boolean canMaterialize() {
    return strip && shards.size() == 1;
  }

  /**
   * Gives the shard's series of a node the shard label, as the global view has them: {@code
   * label_replace(e, "C", "<key>", "", "")} (the empty regex matches the empty source value on
   * every series). Afterwards the shard computes what the global view computes, label included, so
   * the node's output needs no add-back ({@link Presence#NO_SERIES}). Used where the shard would
   * otherwise compare or rewrite a label it lacks. Only for one shard and for an input whose series
   * all carry the label.
   */
  private Node materialize(Node node) {
    if (node.presence() != Presence.EVERY_SERIES) {
      return node;
    }
    Expr withKey =
        new Call(
            labelReplaceFunction(),
            List.of(
                node.expr(),
                new StringLiteral(shardLabel),
                new StringLiteral(shards.get(0).replace("$", "$$")),
                new StringLiteral(""),
                new StringLiteral("")));
    return new Node(withKey, Presence.NO_SERIES, false, node.constant());
  }

  private static Function labelReplaceFunction() {
    return KnownFunction.LABEL_REPLACE.signature();
  }

  /**
   * info(v, selector): the data-label selector may be {@code {}} (Prometheus exempts it), so its
   * shard matchers are removed without substitute.
   */
  private Node visitInfo(Call node) {
    Node vector = node.args().get(0).accept(this);
    List<Expr> args = new ArrayList<>(node.args());
    args.set(0, vector.expr());
    boolean constant = vector.constant();
    if (args.size() > 1) {
      Expr dataSelector = args.get(1);
      if (dataSelector instanceof VectorSelector selector) {
        args.set(1, stripSelector(selector, true));
      } else {
        Node visited = dataSelector.accept(this);
        args.set(1, visited.expr());
        constant &= visited.constant();
      }
    }
    Expr rewritten = sameExprs(args, node.args()) ? node : node.withArgs(args);
    return nonLocal(
        rewritten,
        vector.presence(),
        constant,
        vector.local(),
        "info() joins series with the info metrics of every shard");
  }

  private Node nonLocal(
      Expr rewritten, Presence presence, boolean constant, boolean argumentsLocal, String reason) {
    if (!constant && argumentsLocal) {
      crossShard(reason);
    }
    return new Node(rewritten, presence, false, constant);
  }

  /** The label set Prometheus gives absent(x{...}): does it hold C (set by C="v")? */
  private Presence absentPresence(Expr written) {
    // The engine unwraps parenthesised arguments before it looks at them.
    Expr argument = written;
    while (argument instanceof ParenExpr paren) {
      argument = paren.expr();
    }
    List<LabelMatcher> matchers;
    if (argument instanceof VectorSelector selector) {
      matchers = selector.matchers();
    } else if (argument instanceof MatrixSelector matrix) {
      matchers = matrix.selector().matchers();
    } else {
      // Prometheus does not look into other expressions: no labels.
      return Presence.NO_SERIES;
    }
    // As createLabelsForAbsentFunction: the first equality matcher of a label sets it, any other
    // matcher on the same label deletes it.
    boolean seen = false;
    boolean set = false;
    for (LabelMatcher matcher : matchers) {
      if (!matcher.name().equals(shardLabel)) {
        continue;
      }
      if (matcher.op() == MatchOp.EQUAL && !seen) {
        set = true;
        seen = true;
      } else {
        set = false;
      }
    }
    return set ? Presence.EVERY_SERIES : Presence.NO_SERIES;
  }

  /**
   * Removes the shard matchers (strip mode). A selector left without a matcher that needs a
   * non-empty value (e.g. {@code {cluster="a"}} → {@code {}}) would select every series and is
   * rejected by Prometheus; it gets {@code __name__=~".+"}, which selects every series too.
   */
  private VectorSelector stripSelector(VectorSelector node, boolean mayBeEmpty) {
    return strip ? stripped(node, shardLabel, mayBeEmpty) : node;
  }

  /** {@code node} without its matchers on the shard label, as a shard that reads it sees it. */
  static VectorSelector stripped(VectorSelector node, String shardLabel, boolean mayBeEmpty) {
    List<LabelMatcher> kept = null;
    List<LabelMatcher> matchers = node.matchers();
    for (int i = 0; i < matchers.size(); i++) {
      LabelMatcher matcher = matchers.get(i);
      if (matcher.name().equals(shardLabel)) {
        if (kept == null) {
          kept = new ArrayList<>(matchers.subList(0, i));
        }
      } else if (kept != null) {
        kept.add(matcher);
      }
    }
    if (kept == null) {
      return node;
    }
    if (!mayBeEmpty && node.name() == null && everyMatcherMatchesEmpty(kept)) {
      kept.add(0, ANY_METRIC_NAME);
    }
    return node.withMatchers(kept);
  }

  private static boolean everyMatcherMatchesEmpty(List<LabelMatcher> matchers) {
    for (LabelMatcher matcher : matchers) {
      if (!Regexes.matchesEmpty(matcher)) {
        return false;
      }
    }
    return true;
  }

  /** Whether a string argument naming a label the function reads names the shard label. */
  private boolean readsShardLabel(Call node, KnownFunction.LabelArguments labelArguments) {
    for (int i = 0; i < node.args().size(); i++) {
      if (labelArguments.reads(i) && shardLabel.equals(stringValue(node.args().get(i)))) {
        return true;
      }
    }
    return false;
  }

  private void crossShard(String reason) {
    if (crossShardReason == null) {
      crossShardReason = reason;
    }
  }

  private ShardRoutingException notShardable(String reason) {
    return new ShardRoutingException(
        ShardRoutingException.Reason.NOT_SHARDABLE,
        "query cannot be answered by the shards alone: " + reason);
  }

  private String describeSides(Presence lhs, Presence rhs) {
    if (lhs == Presence.SOME_SERIES || rhs == Presence.SOME_SERIES) {
      return "only some series carry";
    }
    return lhs == Presence.EVERY_SERIES
        ? "the left side carries and the right side does not"
        : "the right side carries and the left side does not";
  }

  private static String stringValue(List<Expr> args, int index) {
    return index >= 0 && index < args.size() ? stringValue(args.get(index)) : null;
  }

  /** The value of a string literal, looking through parentheses; {@code null} otherwise. */
  private static String stringValue(Expr expr) {
    Expr unwrapped = expr;
    while (unwrapped instanceof ParenExpr paren) {
      unwrapped = paren.expr();
    }
    return unwrapped instanceof StringLiteral string ? string.value() : null;
  }

  private static List<Expr> exprs(List<Node> nodes) {
    List<Expr> exprs = new ArrayList<>(nodes.size());
    for (Node node : nodes) {
      exprs.add(node.expr());
    }
    return exprs;
  }

  private static boolean sameExprs(List<Expr> rewritten, List<Expr> original) {
    for (int i = 0; i < rewritten.size(); i++) {
      if (rewritten.get(i) != original.get(i)) {
        return false;
      }
    }
    return true;
  }
}
