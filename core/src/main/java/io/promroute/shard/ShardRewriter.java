package io.promroute.shard;

import static java.util.Objects.requireNonNull;

import io.promroute.compat.GoQuote;
import io.promroute.promql.ParserOptions;
import io.promroute.promql.PromQL;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import io.promroute.promql.ast.VectorSelector;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Routes PromQL to shards: finds the shard(s) a query selects through the shard label, removes the
 * shard matchers from every selector, and says how to turn the shards' answers into the global
 * answer. Immutable and thread-safe; build once with {@link #builder()}.
 *
 * <p>The reference for every decision is the "global view": one Prometheus holding every shard's
 * series, each carrying {@code shardLabel="<key>"}. A query is routed only when the shards'
 * answers, with the label added back where {@link ShardedQuery#addShardLabel()} says, are that
 * global answer; otherwise it fails with a {@link ShardRoutingException} that says why.
 *
 * <p>By default ({@link UnlabeledSelectorPolicy#GLOBAL_VIEW}) every selector reads the shards its
 * own shard matchers select, and every shard without one; selectors that read different shards are
 * combined by the router ({@link ShardedQuery#selectorShards()}). Under the compatibility policy
 * {@link UnlabeledSelectorPolicy#INHERIT} a query runs on the intersection of the shards its
 * selectors name (a selector naming more gets a warning in {@link ShardedQuery#warnings()}), and a
 * selector without the label reads the chosen shards only: exact only when every selector names the
 * same shards, as Grafana's {@code cluster=~"$cluster"} does.
 */
public final class ShardRewriter {

  private final String shardLabel;
  private final List<String> shards;
  private final MissingShardMatcherPolicy missingShardMatcher;
  private final String defaultShard;
  private final UnlabeledSelectorPolicy unlabeledSelectors;
  private final UnknownShardPolicy unknownShard;
  private final ShardLabelMode mode;
  private final ParserOptions parserOptions;
  private final ShardMatcherSets matcherSets;

  private ShardRewriter(Builder builder) {
    this.shardLabel = builder.shardLabel;
    this.shards = builder.shards;
    this.missingShardMatcher = builder.missingShardMatcher;
    this.defaultShard = builder.defaultShard;
    this.unlabeledSelectors = builder.unlabeledSelectors;
    this.unknownShard = builder.unknownShard;
    this.mode = builder.mode;
    this.parserOptions = builder.parserOptions;
    this.matcherSets = new ShardMatcherSets(shards);
  }

  /**
   * A builder with the default policies and no shard label or shards yet.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The shard label's name.
   *
   * @return e.g. {@code cluster}
   */
  public String shardLabel() {
    return shardLabel;
  }

  /**
   * Whether the shards store their series without the shard label (strip) or with it (keep).
   *
   * @return the mode
   */
  public ShardLabelMode mode() {
    return mode;
  }

  /**
   * The options queries and selectors are parsed with.
   *
   * @return the parser options
   */
  public ParserOptions parserOptions() {
    return parserOptions;
  }

  /**
   * This rewriter with other parser options and the same routing settings (the router's PromQL
   * dialect follows the shards' Prometheus versions).
   *
   * @param options the options to parse with
   * @return a new rewriter
   * @throws NullPointerException if {@code options} is null
   */
  public ShardRewriter withParserOptions(ParserOptions options) {
    requireNonNull(options, "options is null");
    return new ShardRewriter(this, options);
  }

  private ShardRewriter(ShardRewriter other, ParserOptions parserOptions) {
    this.shardLabel = other.shardLabel;
    this.shards = other.shards;
    this.missingShardMatcher = other.missingShardMatcher;
    this.defaultShard = other.defaultShard;
    this.unlabeledSelectors = other.unlabeledSelectors;
    this.unknownShard = other.unknownShard;
    this.mode = other.mode;
    this.parserOptions = parserOptions;
    this.matcherSets = other.matcherSets;
  }

  /**
   * The known shard keys, in configuration order.
   *
   * @return an immutable list, not empty
   */
  public List<String> shards() {
    return shards;
  }

  /**
   * Builds a {@link ShardRewriter}. Required: {@link #shardLabel(String)} and at least one shard.
   * Validates eagerly, with messages naming the conflicting settings.
   */
  public static final class Builder {
    private String shardLabel;
    private List<String> shards;
    private MissingShardMatcherPolicy missingShardMatcher = MissingShardMatcherPolicy.ALL_SHARDS;
    private String defaultShard;
    private UnlabeledSelectorPolicy unlabeledSelectors = UnlabeledSelectorPolicy.GLOBAL_VIEW;
    private UnknownShardPolicy unknownShard = UnknownShardPolicy.EMPTY_RESULT;
    private ShardLabelMode mode = ShardLabelMode.STRIP;
    private ParserOptions parserOptions = ParserOptions.defaults();

    private Builder() {}

    /**
     * The label that tells shards apart, e.g. {@code cluster}. Required.
     *
     * @param shardLabel the label's name
     * @return this builder
     * @throws NullPointerException if {@code shardLabel} is null
     * @throws IllegalArgumentException if it is empty or {@code __name__}
     */
    public Builder shardLabel(String shardLabel) {
      requireNonNull(shardLabel, "shardLabel is null");
      if (shardLabel.isEmpty()) {
        throw new IllegalArgumentException("shardLabel is empty");
      }
      if (shardLabel.equals(LabelMatcher.METRIC_NAME)) {
        throw new IllegalArgumentException("shardLabel cannot be the metric name label __name__");
      }
      this.shardLabel = shardLabel;
      return this;
    }

    /**
     * The known shard keys (the shard label's values), in the order answers are concatenated.
     * Required.
     *
     * @param shardKeys the keys, at least one
     * @return this builder
     * @throws NullPointerException if the list or a key is null
     * @throws IllegalArgumentException if the list is empty, a key is empty (a series cannot carry
     *     an empty label value) or a key is listed twice
     */
    public Builder shards(List<String> shardKeys) {
      requireNonNull(shardKeys, "shardKeys is null");
      if (shardKeys.isEmpty()) {
        throw new IllegalArgumentException("shards is empty: configure at least one shard");
      }
      Set<String> distinct = new LinkedHashSet<>();
      for (String key : shardKeys) {
        requireNonNull(key, "a shard key is null");
        // A global series with an empty label value has no such label at all, so an empty key
        // could never be selected by a matcher.
        if (key.isEmpty()) {
          throw new IllegalArgumentException("a shard key is empty");
        }
        if (!distinct.add(key)) {
          throw new IllegalArgumentException("shard key \"" + key + "\" is configured twice");
        }
      }
      this.shards = List.copyOf(distinct);
      return this;
    }

    /**
     * What to do with a query that names the shard label nowhere. Default {@link
     * MissingShardMatcherPolicy#ALL_SHARDS}.
     *
     * @param policy the policy; {@link MissingShardMatcherPolicy#DEFAULT_SHARD} also needs {@link
     *     #defaultShard(String)}
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder missingShardMatcher(MissingShardMatcherPolicy policy) {
      this.missingShardMatcher = requireNonNull(policy, "policy is null");
      return this;
    }

    /**
     * Sets {@link MissingShardMatcherPolicy#DEFAULT_SHARD} with this shard.
     *
     * @param shardKey the shard to send queries without a shard matcher to; {@link #build()} checks
     *     that it is configured
     * @return this builder
     * @throws NullPointerException if {@code shardKey} is null
     */
    public Builder defaultShard(String shardKey) {
      this.defaultShard = requireNonNull(shardKey, "shardKey is null");
      this.missingShardMatcher = MissingShardMatcherPolicy.DEFAULT_SHARD;
      return this;
    }

    /**
     * Which shards a selector without a shard matcher reads when others have one. Default {@link
     * UnlabeledSelectorPolicy#GLOBAL_VIEW}.
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder unlabeledSelectors(UnlabeledSelectorPolicy policy) {
      this.unlabeledSelectors = requireNonNull(policy, "policy is null");
      return this;
    }

    /**
     * What to do when a query's shard matchers select no configured shard. Default {@link
     * UnknownShardPolicy#EMPTY_RESULT}.
     *
     * @param policy the policy
     * @return this builder
     * @throws NullPointerException if {@code policy} is null
     */
    public Builder unknownShard(UnknownShardPolicy policy) {
      this.unknownShard = requireNonNull(policy, "policy is null");
      return this;
    }

    /**
     * Whether the shards store the shard label themselves. Default {@link ShardLabelMode#STRIP}.
     *
     * @param mode the mode
     * @return this builder
     * @throws NullPointerException if {@code mode} is null
     */
    public Builder mode(ShardLabelMode mode) {
      this.mode = requireNonNull(mode, "mode is null");
      return this;
    }

    /**
     * The options queries and selectors are parsed with: the PromQL the shards accept. Default
     * {@link io.promroute.promql.ParserOptions#defaults()}.
     *
     * @param options the options
     * @return this builder
     * @throws NullPointerException if {@code options} is null
     */
    public Builder parserOptions(ParserOptions options) {
      this.parserOptions = requireNonNull(options, "options is null");
      return this;
    }

    /**
     * The rewriter with the settings so far.
     *
     * @return a new rewriter
     * @throws IllegalStateException if the shard label or the shards are missing, or the default
     *     shard settings conflict
     */
    public ShardRewriter build() {
      if (shardLabel == null) {
        throw new IllegalStateException("shardLabel is not set");
      }
      if (shards == null) {
        throw new IllegalStateException("shards is not set: configure at least one shard");
      }
      if (missingShardMatcher == MissingShardMatcherPolicy.DEFAULT_SHARD) {
        if (defaultShard == null) {
          throw new IllegalStateException(
              "missingShardMatcher is DEFAULT_SHARD but defaultShard is not set");
        }
        if (!shards.contains(defaultShard)) {
          throw new IllegalStateException(
              "defaultShard \"" + defaultShard + "\" is not one of shards " + shards);
        }
      } else if (defaultShard != null) {
        throw new IllegalStateException(
            "defaultShard \""
                + defaultShard
                + "\" is set but missingShardMatcher is "
                + missingShardMatcher);
      }
      return new ShardRewriter(this);
    }
  }

  /**
   * Routes a query.
   *
   * @param query the PromQL text, parsed with {@link #parserOptions()}
   * @return the routed query
   * @throws io.promroute.promql.PromQLParseException if the query is not valid PromQL
   * @throws ShardRoutingException if the query cannot be routed
   */
  public ShardedQuery rewrite(String query) {
    requireNonNull(query, "query is null");
    return rewrite(PromQL.parse(query, parserOptions));
  }

  /**
   * Routes a parsed query. A tree without shard matchers (or any tree in {@link
   * ShardLabelMode#KEEP}) comes back as the same instance in {@link ShardedQuery#expr()}.
   *
   * @param written the parsed query
   * @return the routed query
   * @throws ShardRoutingException if the query cannot be routed
   * @throws io.promroute.promql.PromQLParseException if the tree is nested too deeply to walk even
   *     on a large stack
   * @throws IllegalArgumentException if a regex matcher on the shard label is not valid RE2 (only a
   *     hand-built tree can have one; the parser rejects it)
   */
  public ShardedQuery rewrite(Expr written) {
    requireNonNull(written, "query is null");
    // The analysis and the rewriting recurse over the tree: see DeepStack.
    return io.promroute.internal.DeepStack.call(
        () -> rewriteOnce(written),
        () ->
            new io.promroute.promql.PromQLParseException("query is nested too deeply", 1, 1, 0, 0));
  }

  /**
   * A shard's error from evaluating its part of {@code query}, worded as one Prometheus holding
   * every shard's series (with the shard label) words it: in {@link ShardLabelMode#STRIP} the shard
   * label is put back into the label sets the message prints (a "found duplicate series" error's
   * match group and series) where the global evaluation's series carry it, in Prometheus's label
   * order. Other messages, and any in {@link ShardLabelMode#KEEP}, come back unchanged, as does one
   * whose operator cannot be told (two operators of the query that could have raised it disagree
   * about the label).
   *
   * @param query the query as the client wrote it, which {@link #rewrite(String)} routed
   * @param shards the shards it was routed to, {@link ShardedQuery#shards()}
   * @param shard the key of the shard that answered {@code message}
   * @param message the shard's error message
   * @return the message as the global view words it
   */
  public String evaluationError(String query, List<String> shards, String shard, String message) {
    requireNonNull(message, "message is null");
    if (mode != ShardLabelMode.STRIP || shards.isEmpty() || !message.startsWith("found ")) {
      return message;
    }
    List<ShardQueryAnalyzer.ShardMatching> matchings;
    try {
      ShardQueryAnalyzer analyzer = new ShardQueryAnalyzer(shardLabel, shards, true);
      // The analysis that routed the query, done again: errors are rare, routing is not.
      analyzer.analyze(AbsentMatcherOrder.normalize(PromQL.parse(query, parserOptions)));
      matchings = analyzer.matchings();
    } catch (RuntimeException | StackOverflowError e) {
      // Not routable as a whole (selectors reading different shards), or too deep: as it is.
      return message;
    }
    return EvaluationErrors.inGlobalView(message, shardLabel, shard, matchings);
  }

  private ShardedQuery rewriteOnce(Expr written) {
    // Shard queries are printed with sorted matchers: absent()'s labels must not depend on it.
    Expr query = AbsentMatcherOrder.normalize(written);
    ShardSelection selection = ShardSelection.of(query, shardLabel, matcherSets);
    List<String> warnings = new ArrayList<>();
    if (unlabeledSelectors != UnlabeledSelectorPolicy.INHERIT && selection.hasLabeledSelector()) {
      return routePerSelector(query, selection, warnings);
    }
    return route(query, selectShards(selection, warnings), warnings);
  }

  /**
   * The global view: each selector reads the shards its own matchers select. When they all read the
   * same shards, the query is routed to those as a whole; otherwise the router combines the shards'
   * answers to its parts.
   */
  private ShardedQuery routePerSelector(
      Expr query, ShardSelection selection, List<String> warnings) {
    if (!selection.unknownMatchers().isEmpty() && unknownShard == UnknownShardPolicy.REJECT) {
      throw unknownShard(selection.unknownMatchers().get(0));
    }
    if (selection.firstUnlabeledSelector() != null
        && unlabeledSelectors == UnlabeledSelectorPolicy.REJECT) {
      throw unlabeledSelector(selection.firstUnlabeledSelector());
    }
    SelectorShards selectorShards =
        new SelectorShards(shardLabel, shards, matcherSets, mode == ShardLabelMode.STRIP);
    BitSet first = null;
    BitSet union = new BitSet(shards.size());
    boolean same = true;
    for (VectorSelector selector : SelectorShards.selectors(query)) {
      BitSet read = selectorShards.of(selector);
      union.or(read);
      if (first == null) {
        first = read;
      } else {
        same &= first.equals(read);
      }
    }
    if (same) {
      for (LabelMatcher matcher : selection.unknownMatchers()) {
        warnings.add(
            describeUnknown(matcher)
                + " (known shards: "
                + knownShards()
                + "); the result is empty");
      }
      return route(query, selectorShards.keys(union), warnings);
    }
    for (LabelMatcher matcher : selection.unknownMatchers()) {
      warnings.add(
          describeUnknown(matcher)
              + " (known shards: "
              + knownShards()
              + "); the selectors with it match nothing");
    }
    return new ShardedQuery(
        shardLabel,
        selectorShards.keys(union),
        query,
        PromQL.print(query),
        false,
        ShardedQuery.Execution.CROSS_SHARD_MERGE,
        warnings,
        "the selectors of the query read different shards",
        selectorShards);
  }

  /** Routes a query whose selectors all read {@code selected}. */
  private ShardedQuery route(Expr query, List<String> selected, List<String> warnings) {
    if (selected.isEmpty()) {
      // Only unknown shards: one Prometheus holding every shard's series finds none of them, but
      // what it makes of no series (absent, or vector(0), scalar NaN) is still an answer: any one
      // shard computes it from a query that matches nothing there.
      Expr nothing = NoShardQuery.of(query, shardLabel, mode == ShardLabelMode.STRIP);
      return new ShardedQuery(
          shardLabel,
          List.of(),
          nothing,
          PromQL.print(nothing),
          false,
          ShardedQuery.Execution.NONE,
          warnings,
          "");
    }
    ShardQueryAnalyzer analyzer =
        new ShardQueryAnalyzer(shardLabel, selected, mode == ShardLabelMode.STRIP);
    ShardQueryAnalyzer.Node root = analyzer.analyze(query);
    boolean addShardLabel = mode == ShardLabelMode.STRIP && root.presence().addsShardLabel();
    ShardedQuery.Execution execution;
    String crossShardReason = "";
    if (analyzer.routerReason() != null) {
      // No shard can compute it, not even alone: the router must (io.promroute.plan).
      execution = ShardedQuery.Execution.CROSS_SHARD_MERGE;
      crossShardReason = analyzer.routerReason();
      addShardLabel = false;
    } else if (selected.size() == 1) {
      execution = ShardedQuery.Execution.SINGLE_SHARD;
    } else if (root.local()) {
      execution = ShardedQuery.Execution.CONCATENATE;
    } else if (analyzer.ordersLocalSeriesAtTop(root)) {
      execution = ShardedQuery.Execution.CONCATENATE_IF_RANGE;
      crossShardReason = analyzer.crossShardReason(root);
    } else {
      execution = ShardedQuery.Execution.CROSS_SHARD_MERGE;
      crossShardReason = analyzer.crossShardReason(root);
    }
    return new ShardedQuery(
        shardLabel,
        selected,
        root.expr(),
        PromQL.print(root.expr()),
        addShardLabel,
        execution,
        warnings,
        crossShardReason);
  }

  /**
   * Routes one {@code match[]} series selector ({@code /api/v1/series}, {@code /api/v1/labels},
   * {@code /api/v1/label/<name>/values}).
   *
   * @param matchSelector one {@code match[]} value, e.g. {@code up{cluster="a"}}
   * @return the routed selector
   * @throws io.promroute.promql.PromQLParseException if it is not a valid selector
   * @throws ShardRoutingException if it cannot be routed
   */
  public ShardedQuery rewriteSelector(String matchSelector) {
    requireNonNull(matchSelector, "matchSelector is null");
    return rewrite(PromQL.parseSelector(matchSelector, parserOptions));
  }

  /** Applies the policies to what the selectors name; adds warnings for unknown shards. */
  private List<String> selectShards(ShardSelection selection, List<String> warnings) {
    if (!selection.unknownMatchers().isEmpty()) {
      String known = knownShards();
      if (unknownShard == UnknownShardPolicy.REJECT) {
        throw unknownShard(selection.unknownMatchers().get(0));
      }
      for (LabelMatcher matcher : selection.unknownMatchers()) {
        warnings.add(
            describeUnknown(matcher) + " (known shards: " + known + "); the result is empty");
      }
      return List.of();
    }
    if (selection.conflict() != null) {
      throw new ShardRoutingException(
          ShardRoutingException.Reason.CONFLICTING_SHARDS,
          "query selects no shard: "
              + selection.conflict()
              + "; use the same shard matcher in every selector");
    }
    if (!selection.hasLabeledSelector()) {
      if (!selection.hasSelector()) {
        // 1 + 1, vector(1), time(): every shard gives the same answer; ask one.
        String only =
            missingShardMatcher == MissingShardMatcherPolicy.DEFAULT_SHARD
                ? defaultShard
                : shards.get(0);
        return List.of(only);
      }
      return switch (missingShardMatcher) {
        case ALL_SHARDS -> shards;
        case DEFAULT_SHARD -> List.of(defaultShard);
        case REJECT ->
            throw new ShardRoutingException(
                ShardRoutingException.Reason.NO_SHARD_MATCHER,
                "query selects no shard: add a matcher on label \""
                    + shardLabel
                    + "\" (known shards: "
                    + knownShards()
                    + ")");
      };
    }
    if (selection.firstUnlabeledSelector() != null
        && unlabeledSelectors == UnlabeledSelectorPolicy.REJECT) {
      throw unlabeledSelector(selection.firstUnlabeledSelector());
    }
    warnings.addAll(selection.widerSelectors(matcherSets));
    return selection.selectedKeys(shards);
  }

  private ShardRoutingException unknownShard(LabelMatcher matcher) {
    return new ShardRoutingException(
        ShardRoutingException.Reason.UNKNOWN_SHARD,
        "query selects an unknown shard: "
            + describeUnknown(matcher)
            + " (known shards: "
            + knownShards()
            + ")");
  }

  private ShardRoutingException unlabeledSelector(VectorSelector selector) {
    return new ShardRoutingException(
        ShardRoutingException.Reason.UNLABELED_SELECTOR,
        "selector "
            + Describe.selector(selector)
            + " has no matcher on label \""
            + shardLabel
            + "\" but other selectors of the query have one: add one to it (known shards: "
            + knownShards()
            + ")");
  }

  private String describeUnknown(LabelMatcher matcher) {
    if (matcher.op() == MatchOp.EQUAL) {
      return "unknown shard " + GoQuote.quote(matcher.value()) + " in " + Describe.matcher(matcher);
    }
    return "shard matcher " + Describe.matcher(matcher) + " selects no known shard";
  }

  private String knownShards() {
    return String.join(", ", shards);
  }
}
