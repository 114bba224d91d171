package io.promroute.promql.ast;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A PromQL function's signature, as Prometheus's {@code promql/parser/functions.go} declares it.
 *
 * @param name the name (case-sensitive)
 * @param argTypes the declared argument types; with {@code variadic} != 0 the last one repeats or
 *     is optional
 * @param variadic 0: exactly {@code argTypes}; -1: the last argument repeats any number of times; n
 *     &gt; 0: up to n more of the last type; for optional arguments (e.g. {@code round}) the
 *     minimum is {@code argTypes.size() - 1}
 * @param returnType the type of the result
 * @param experimental whether Prometheus needs {@code
 *     --enable-feature=promql-experimental-functions}
 * @param removedInPrometheus3 whether the function exists only in Prometheus 2.x ({@code
 *     holt_winters})
 */
public record Function(
    String name,
    List<ValueType> argTypes,
    int variadic,
    ValueType returnType,
    boolean experimental,
    boolean removedInPrometheus3) {

  /**
   * Checks the signature and copies {@code argTypes}.
   *
   * @param name the name
   * @param argTypes the declared argument types
   * @param variadic how the last argument repeats, see the record's description
   * @param returnType the type of the result
   * @param experimental whether the function is experimental in Prometheus
   * @param removedInPrometheus3 whether only Prometheus 2.x has it
   * @throws NullPointerException if {@code name}, {@code argTypes} or {@code returnType} is null
   */
  public Function {
    requireNonNull(name, "name is null");
    argTypes = List.copyOf(requireNonNull(argTypes, "argTypes is null"));
    requireNonNull(returnType, "returnType is null");
  }

  /**
   * The function with this exact name, if PromQL has one. Experimental and 2.x-only functions are
   * found too: whether a query may use them is the parser options' decision.
   *
   * @param name the name, case-sensitive ({@code Rate} is no function)
   * @return the function, or empty
   */
  public static Optional<Function> byName(String name) {
    return Optional.ofNullable(FunctionTable.FUNCTIONS.get(name));
  }

  /**
   * The function's constant, which says how it treats its input.
   *
   * @return the constant of the function with this signature's name
   * @throws IllegalStateException for a signature PromQL does not know
   */
  public KnownFunction known() {
    KnownFunction known = KnownFunction.byName(name);
    if (known == null) {
      throw new IllegalStateException("not a PromQL function: " + name);
    }
    return known;
  }

  /**
   * Every known function, by name.
   *
   * @return an unmodifiable map
   */
  public static Map<String, Function> all() {
    return FunctionTable.FUNCTIONS;
  }
}
