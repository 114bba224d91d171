package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A function call {@code name(args)}.
 *
 * @param function the function, from {@link Function#byName(String)}
 * @param args the arguments
 */
public record Call(Function function, List<Expr> args) implements Expr {

  /**
   * Checks the node and copies {@code args}.
   *
   * @param function the function
   * @param args the arguments, in order
   * @throws NullPointerException if {@code function} or {@code args} is null
   */
  public Call {
    requireNonNull(function, "function is null");
    args = List.copyOf(requireNonNull(args, "args is null"));
  }

  /**
   * A call of a known function by name; the arguments are not type-checked here (the parser does
   * that).
   *
   * @param functionName the function's name, e.g. {@code rate}
   * @param args the arguments, in order
   * @return the call
   * @throws IllegalArgumentException if no function has that name
   */
  public static Call of(String functionName, Expr... args) {
    Function function =
        Function.byName(functionName)
            .orElseThrow(() -> new IllegalArgumentException("unknown function: " + functionName));
    return new Call(function, List.of(args));
  }

  /**
   * This call with other arguments.
   *
   * @param newArgs the arguments
   * @return a copy with {@code newArgs}, calling the same function
   */
  public Call withArgs(List<Expr> newArgs) {
    return new Call(function, newArgs);
  }

  @Override
  public ValueType type() {
    return function.returnType();
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.visitCall(this);
  }
}
