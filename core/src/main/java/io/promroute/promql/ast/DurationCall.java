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
    STEP("step", 0),
    RANGE("range", 0),
    MIN_OF("min_of", 2),
    MAX_OF("max_of", 2);

    private final String functionName;
    private final int arity;

    Function(String functionName, int arity) {
      this.functionName = functionName;
      this.arity = arity;
    }

    public String functionName() {
      return functionName;
    }

    public int arity() {
      return arity;
    }
  }

  public DurationCall {
    requireNonNull(function, "function is null");
    args = List.copyOf(requireNonNull(args, "args is null"));
    if (args.size() != function.arity()) {
      throw new IllegalArgumentException(
          function.functionName() + " takes " + function.arity() + " arguments, got " + args.size());
    }
  }
}
