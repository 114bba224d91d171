package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A function in a duration expression: {@code step()}, {@code range()}, {@code min_of(a, b)},
 * {@code max_of(a, b)}.
 *
 * @param function which function
 * @param args its arguments (none for step and range, two for min_of and max_of)
 */
public record DurationCall(Function function, List<DurationExpr> args) implements DurationExpr {

  /** The functions allowed in duration expressions. */
  public enum Function {
    /** {@code step()}: the step of the query being evaluated (Prometheus 3.6). */
    STEP("step", 0),
    /** {@code range()}: the time range of the query being evaluated, end minus start (3.10). */
    RANGE("range", 0),
    /** {@code min_of(a, b)}: the shorter of two durations (Prometheus 3.13). */
    MIN_OF("min_of", 2),
    /** {@code max_of(a, b)}: the longer of two durations (Prometheus 3.13). */
    MAX_OF("max_of", 2);

    private final String functionName;
    private final int arity;

    Function(String functionName, int arity) {
      this.functionName = functionName;
      this.arity = arity;
    }

    /**
     * The function's name as written.
     *
     * @return e.g. {@code min_of}
     */
    public String functionName() {
      return functionName;
    }

    /**
     * The number of arguments the function takes.
     *
     * @return 0 or 2
     */
    public int arity() {
      return arity;
    }
  }

  /**
   * Checks the node and copies {@code args}.
   *
   * @param function which function
   * @param args its arguments
   * @throws NullPointerException if {@code function} or {@code args} is null
   * @throws IllegalArgumentException if the number of arguments is not the function's arity
   */
  public DurationCall {
    requireNonNull(function, "function is null");
    args = List.copyOf(requireNonNull(args, "args is null"));
    if (args.size() != function.arity()) {
      throw new IllegalArgumentException(
          function.functionName()
              + " takes "
              + function.arity()
              + " arguments, got "
              + args.size());
    }
  }
}
