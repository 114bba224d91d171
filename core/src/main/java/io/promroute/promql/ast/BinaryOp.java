package io.promroute.promql.ast;

/** A binary operator, with its PromQL spelling and its precedence (higher binds tighter). */
public enum BinaryOp {
  OR("or", 1, Kind.SET),
  AND("and", 2, Kind.SET),
  UNLESS("unless", 2, Kind.SET),
  EQL("==", 3, Kind.COMPARISON),
  NEQ("!=", 3, Kind.COMPARISON),
  LTE("<=", 3, Kind.COMPARISON),
  LSS("<", 3, Kind.COMPARISON),
  GTE(">=", 3, Kind.COMPARISON),
  GTR(">", 3, Kind.COMPARISON),
  /** The native histogram trim operator {@code </} (Prometheus 3.11). */
  TRIM_UPPER("</", 3, Kind.COMPARISON),
  /** The native histogram trim operator {@code >/} (Prometheus 3.11). */
  TRIM_LOWER(">/", 3, Kind.COMPARISON),
  ADD("+", 4, Kind.ARITHMETIC),
  SUB("-", 4, Kind.ARITHMETIC),
  MUL("*", 5, Kind.ARITHMETIC),
  DIV("/", 5, Kind.ARITHMETIC),
  MOD("%", 5, Kind.ARITHMETIC),
  ATAN2("atan2", 5, Kind.ARITHMETIC),
  POW("^", 6, Kind.ARITHMETIC);

  /** The three families of binary operators, which PromQL treats differently. */
  public enum Kind {
    ARITHMETIC,
    COMPARISON,
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

  /** The operator as written, e.g. {@code !=} or {@code unless}. */
  public String symbol() {
    return symbol;
  }

  public int precedence() {
    return precedence;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isRightAssociative() {
    return this == POW;
  }

  public boolean isComparison() {
    return kind == Kind.COMPARISON;
  }

  public boolean isSetOperator() {
    return kind == Kind.SET;
  }

  /**
   * Whether the operator is arithmetic. The trim operators count as comparisons for precedence
   * but Prometheus's {@code IsComparisonOperator} excludes them; see {@link #acceptsBool()}.
   */
  public boolean isArithmetic() {
    return kind == Kind.ARITHMETIC;
  }

  /** Whether the {@code bool} modifier is allowed: the six comparison operators only. */
  public boolean acceptsBool() {
    return kind == Kind.COMPARISON && this != TRIM_UPPER && this != TRIM_LOWER;
  }
}
