package io.promroute.promql.ast;

/** A binary operator, with its PromQL spelling and its precedence (higher binds tighter). */
public enum BinaryOp {
  /** {@code or}: the left-hand series, plus the right-hand ones whose labels match none of them. */
  OR("or", 1, Kind.SET),
  /** {@code and}: the left-hand series that have a match on the right. */
  AND("and", 2, Kind.SET),
  /** {@code unless}: the left-hand series that have no match on the right. */
  UNLESS("unless", 2, Kind.SET),
  /** {@code ==}: equal (a filter, or 0/1 with {@code bool}). */
  EQL("==", 3, Kind.COMPARISON),
  /** {@code !=}: not equal. */
  NEQ("!=", 3, Kind.COMPARISON),
  /** {@code <=}: less than or equal. */
  LTE("<=", 3, Kind.COMPARISON),
  /** {@code <}: less than. */
  LSS("<", 3, Kind.COMPARISON),
  /** {@code >=}: greater than or equal. */
  GTE(">=", 3, Kind.COMPARISON),
  /** {@code >}: greater than. */
  GTR(">", 3, Kind.COMPARISON),
  /** The native histogram trim operator {@code </} (Prometheus 3.11). */
  TRIM_UPPER("</", 3, Kind.COMPARISON),
  /** The native histogram trim operator {@code >/} (Prometheus 3.11). */
  TRIM_LOWER(">/", 3, Kind.COMPARISON),
  /** {@code +}: addition. */
  ADD("+", 4, Kind.ARITHMETIC),
  /** {@code -}: subtraction. */
  SUB("-", 4, Kind.ARITHMETIC),
  /** {@code *}: multiplication. */
  MUL("*", 5, Kind.ARITHMETIC),
  /** {@code /}: division (by zero gives {@code +Inf}, {@code -Inf} or {@code NaN}, as in Go). */
  DIV("/", 5, Kind.ARITHMETIC),
  /** {@code %}: the remainder, Go's {@code math.Mod}. */
  MOD("%", 5, Kind.ARITHMETIC),
  /** {@code atan2}: the arc tangent of lhs/rhs, by the signs of both (Prometheus 2.31). */
  ATAN2("atan2", 5, Kind.ARITHMETIC),
  /** {@code ^}: power; the only right-associative operator ({@code 2 ^ 3 ^ 2} is 512). */
  POW("^", 6, Kind.ARITHMETIC);

  /** The three families of binary operators, which PromQL treats differently. */
  public enum Kind {
    /** Computes a value from both sides; drops the metric name of vector results. */
    ARITHMETIC,
    /** Filters (or, with {@code bool}, returns 0 or 1) by comparing both sides. */
    COMPARISON,
    /**
     * Selects whole series by their labels ({@code and}, {@code or}, {@code unless}); vectors only.
     */
    SET
  }

  private final String symbol;
  private final int precedence;
  private final Kind kind;

  BinaryOp(String symbol, int precedence, Kind kind) {
    this.symbol = symbol;
    this.precedence = precedence;
    this.kind = kind;
  }

  /**
   * The operator as written, e.g. {@code !=} or {@code unless}.
   *
   * @return the PromQL spelling
   */
  public String symbol() {
    return symbol;
  }

  /**
   * How tightly the operator binds, as in Prometheus's grammar.
   *
   * @return 1 ({@code or}) to 6 ({@code ^}); higher binds tighter
   */
  public int precedence() {
    return precedence;
  }

  /**
   * The operator's family.
   *
   * @return arithmetic, comparison (including the trim operators) or set
   */
  public Kind kind() {
    return kind;
  }

  /**
   * Whether {@code a op b op c} groups as {@code a op (b op c)}.
   *
   * @return {@code true} for {@code ^} only
   */
  public boolean isRightAssociative() {
    return this == POW;
  }

  /**
   * Whether the operator is in the comparison family (the six comparisons and the trim operators).
   *
   * @return {@code true} for {@link Kind#COMPARISON}
   */
  public boolean isComparison() {
    return kind == Kind.COMPARISON;
  }

  /**
   * Whether the operator is {@code and}, {@code or} or {@code unless}, which take vectors only and
   * match many-to-many.
   *
   * @return {@code true} for {@link Kind#SET}
   */
  public boolean isSetOperator() {
    return kind == Kind.SET;
  }

  /**
   * Whether the operator is arithmetic. The trim operators count as comparisons for precedence but
   * Prometheus's {@code IsComparisonOperator} excludes them; see {@link #acceptsBool()}.
   *
   * @return {@code true} for {@link Kind#ARITHMETIC}
   */
  public boolean isArithmetic() {
    return kind == Kind.ARITHMETIC;
  }

  /**
   * Whether the {@code bool} modifier is allowed: the six comparison operators only.
   *
   * @return {@code true} for {@code == != <= < >= >}
   */
  public boolean acceptsBool() {
    return kind == Kind.COMPARISON && this != TRIM_UPPER && this != TRIM_LOWER;
  }
}
