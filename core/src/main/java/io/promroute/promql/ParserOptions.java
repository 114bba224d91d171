package io.promroute.promql;

/**
 * Which optional PromQL syntax the parser accepts, mirroring Prometheus's parser options and {@code
 * --enable-feature} flags, plus limits that protect a server from hostile input.
 *
 * <p>{@link #defaults()} accepts what a Prometheus 3.x server accepts without feature flags
 * (duration expressions are on by default since 3.14); {@link #allFeatures()} turns on every
 * experimental switch.
 *
 * @param experimentalFunctions {@code promql-experimental-functions}: {@code limitk}, {@code
 *     limit_ratio}, {@code info}, {@code mad_over_time}, {@code sort_by_label}, ...
 * @param durationExpressions {@code promql-duration-expr}: arithmetic in ranges and offsets, {@code
 *     step()}, {@code range()}, {@code min_of}, {@code max_of}
 * @param extendedRangeSelectors {@code promql-extended-range-selectors}: {@code anchored}, {@code
 *     smoothed}
 * @param binopFillModifiers {@code promql-binop-fill-modifiers}: {@code fill}, {@code fill_left},
 *     {@code fill_right}
 * @param prometheus2Functions Prometheus 2.x's PromQL, for shards that still run 2.x: the functions
 *     3.0 removed ({@code holt_winters}) are accepted, and what 2.x does not have is refused in
 *     2.x's words (experimental functions, {@code limitk}, quoted label names, numbers as durations
 *     and durations as numbers, {@code _} in numbers, {@code offset 0s})
 * @param maxQueryLength the longest query accepted, in characters
 * @param maxNestingDepth the deepest nesting of expressions accepted
 */
public record ParserOptions(
    boolean experimentalFunctions,
    boolean durationExpressions,
    boolean extendedRangeSelectors,
    boolean binopFillModifiers,
    boolean prometheus2Functions,
    int maxQueryLength,
    int maxNestingDepth) {

  /** The default longest query, in characters: 1 Mi, far above any query a dashboard sends. */
  public static final int DEFAULT_MAX_QUERY_LENGTH = 1 << 20;

  /**
   * The default deepest nesting: 1000 levels of nested expressions (parentheses, calls,
   * aggregations).
   */
  public static final int DEFAULT_MAX_NESTING_DEPTH = 1000;

  private static final ParserOptions DEFAULTS = builder().build();
  private static final ParserOptions ALL_FEATURES =
      builder()
          .experimentalFunctions(true)
          .durationExpressions(true)
          .extendedRangeSelectors(true)
          .binopFillModifiers(true)
          .build();

  /**
   * Checks the limits.
   *
   * @param experimentalFunctions whether experimental functions and aggregations are accepted
   * @param durationExpressions whether duration expressions are accepted
   * @param extendedRangeSelectors whether {@code anchored} and {@code smoothed} are accepted
   * @param binopFillModifiers whether the {@code fill} modifiers are accepted
   * @param prometheus2Functions whether the query is read as Prometheus 2.x reads it: its functions
   *     accepted, the syntax it does not have refused
   * @param maxQueryLength the longest query accepted, in characters
   * @param maxNestingDepth the deepest nesting accepted
   * @throws IllegalArgumentException if a limit is not positive
   */
  public ParserOptions {
    if (maxQueryLength <= 0) {
      throw new IllegalArgumentException("maxQueryLength must be positive, got " + maxQueryLength);
    }
    if (maxNestingDepth <= 0) {
      throw new IllegalArgumentException(
          "maxNestingDepth must be positive, got " + maxNestingDepth);
    }
  }

  /**
   * What a Prometheus 3.x server accepts without feature flags.
   *
   * @return the default options
   */
  public static ParserOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Every experimental switch on (not {@link #prometheus2Functions()}).
   *
   * @return options with every experimental feature enabled
   */
  public static ParserOptions allFeatures() {
    return ALL_FEATURES;
  }

  /**
   * A builder starting from {@link #defaults()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from a copy of these options.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder()
        .experimentalFunctions(experimentalFunctions)
        .durationExpressions(durationExpressions)
        .extendedRangeSelectors(extendedRangeSelectors)
        .binopFillModifiers(binopFillModifiers)
        .prometheus2Functions(prometheus2Functions)
        .maxQueryLength(maxQueryLength)
        .maxNestingDepth(maxNestingDepth);
  }

  /** Builds {@link ParserOptions}; starts from {@link ParserOptions#defaults()}. */
  public static final class Builder {
    private boolean experimentalFunctions;
    private boolean durationExpressions = true;
    private boolean extendedRangeSelectors;
    private boolean binopFillModifiers;
    private boolean prometheus2Functions;
    private int maxQueryLength = DEFAULT_MAX_QUERY_LENGTH;
    private int maxNestingDepth = DEFAULT_MAX_NESTING_DEPTH;

    private Builder() {}

    /**
     * Whether to accept the experimental functions and aggregations ({@code
     * promql-experimental-functions}); off by default.
     *
     * @param enabled {@code true} to accept them
     * @return this builder
     */
    public Builder experimentalFunctions(boolean enabled) {
      this.experimentalFunctions = enabled;
      return this;
    }

    /**
     * Whether to accept duration expressions ({@code promql-duration-expr}); on by default, as in
     * Prometheus 3.14.
     *
     * @param enabled {@code true} to accept them
     * @return this builder
     */
    public Builder durationExpressions(boolean enabled) {
      this.durationExpressions = enabled;
      return this;
    }

    /**
     * Whether to accept {@code anchored} and {@code smoothed} ({@code
     * promql-extended-range-selectors}); off by default.
     *
     * @param enabled {@code true} to accept them
     * @return this builder
     */
    public Builder extendedRangeSelectors(boolean enabled) {
      this.extendedRangeSelectors = enabled;
      return this;
    }

    /**
     * Whether to accept {@code fill}, {@code fill_left} and {@code fill_right} ({@code
     * promql-binop-fill-modifiers}); off by default.
     *
     * @param enabled {@code true} to accept them
     * @return this builder
     */
    public Builder binopFillModifiers(boolean enabled) {
      this.binopFillModifiers = enabled;
      return this;
    }

    /**
     * Whether to accept the functions Prometheus 3 removed ({@code holt_winters}), for shards that
     * still run 2.x; off by default.
     *
     * @param enabled {@code true} to accept them
     * @return this builder
     */
    public Builder prometheus2Functions(boolean enabled) {
      this.prometheus2Functions = enabled;
      return this;
    }

    /**
     * The longest query accepted; a longer one fails with a {@link PromQLParseException} before it
     * is lexed. Default {@link #DEFAULT_MAX_QUERY_LENGTH}.
     *
     * @param characters the limit in characters (UTF-16 code units), checked by {@link #build()}
     * @return this builder
     */
    public Builder maxQueryLength(int characters) {
      this.maxQueryLength = characters;
      return this;
    }

    /**
     * The deepest nesting accepted; a deeper query fails with a {@link PromQLParseException} rather
     * than a stack overflow. Default {@link #DEFAULT_MAX_NESTING_DEPTH}.
     *
     * @param depth the limit in levels of nested expressions, checked by {@link #build()}
     * @return this builder
     */
    public Builder maxNestingDepth(int depth) {
      this.maxNestingDepth = depth;
      return this;
    }

    /**
     * The options set so far.
     *
     * @return the options
     * @throws IllegalArgumentException if a limit is not positive
     */
    public ParserOptions build() {
      return new ParserOptions(
          experimentalFunctions,
          durationExpressions,
          extendedRangeSelectors,
          binopFillModifiers,
          prometheus2Functions,
          maxQueryLength,
          maxNestingDepth);
    }
  }
}
