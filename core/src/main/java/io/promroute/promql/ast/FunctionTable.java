package io.promroute.promql.ast;

import static io.promroute.promql.ast.ValueType.INSTANT_VECTOR;
import static io.promroute.promql.ast.ValueType.RANGE_VECTOR;
import static io.promroute.promql.ast.ValueType.SCALAR;
import static io.promroute.promql.ast.ValueType.STRING;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of PromQL functions: Prometheus 3.14's {@code promql/parser/functions.go}, plus
 * the 2.x function that 3.0 removed ({@code holt_winters}).
 */
final class FunctionTable {

  private static final ValueType V = INSTANT_VECTOR;
  private static final ValueType M = RANGE_VECTOR;
  private static final ValueType S = SCALAR;
  private static final ValueType STR = STRING;

  private static final Map<String, Function> TABLE = new LinkedHashMap<>();

  static {
    stable("abs", V, 0, V);
    stable("absent", V, 0, V);
    stable("absent_over_time", V, 0, M);
    stable("acos", V, 0, V);
    stable("acosh", V, 0, V);
    stable("asin", V, 0, V);
    stable("asinh", V, 0, V);
    stable("atan", V, 0, V);
    stable("atanh", V, 0, V);
    stable("avg_over_time", V, 0, M);
    stable("ceil", V, 0, V);
    stable("changes", V, 0, M);
    stable("clamp", V, 0, V, S, S);
    stable("clamp_max", V, 0, V, S);
    stable("clamp_min", V, 0, V, S);
    stable("cos", V, 0, V);
    stable("cosh", V, 0, V);
    stable("count_over_time", V, 0, M);
    stable("day_of_month", V, 1, V);
    stable("day_of_week", V, 1, V);
    stable("day_of_year", V, 1, V);
    stable("days_in_month", V, 1, V);
    stable("deg", V, 0, V);
    stable("delta", V, 0, M);
    stable("deriv", V, 0, M);
    experimental("double_exponential_smoothing", V, 0, M, S, S);
    experimental("end", S, 0);
    stable("exp", V, 0, V);
    stable("first_over_time", V, 0, M);
    stable("floor", V, 0, V);
    stable("histogram_avg", V, 0, V);
    stable("histogram_count", V, 0, V);
    stable("histogram_fraction", V, 0, S, S, V);
    stable("histogram_quantile", V, 0, S, V);
    experimental("histogram_quantiles", V, 9, V, STR, S, S);
    stable("histogram_stddev", V, 0, V);
    stable("histogram_stdvar", V, 0, V);
    stable("histogram_sum", V, 0, V);
    removed("holt_winters", V, 0, M, S, S);
    stable("hour", V, 1, V);
    stable("idelta", V, 0, M);
    stable("increase", V, 0, M);
    experimental("info", V, 1, V, V);
    stable("irate", V, 0, M);
    stable("label_join", V, -1, V, STR, STR, STR);
    stable("label_replace", V, 0, V, STR, STR, STR, STR);
    stable("last_over_time", V, 0, M);
    stable("ln", V, 0, V);
    stable("log10", V, 0, V);
    stable("log2", V, 0, V);
    experimental("mad_over_time", V, 0, M);
    experimental("max_of", S, 0, S, S);
    stable("max_over_time", V, 0, M);
    experimental("min_of", S, 0, S, S);
    stable("min_over_time", V, 0, M);
    stable("minute", V, 1, V);
    stable("month", V, 1, V);
    stable("pi", S, 0);
    stable("predict_linear", V, 0, M, S);
    stable("present_over_time", V, 0, M);
    stable("quantile_over_time", V, 0, S, M);
    stable("rad", V, 0, V);
    experimental("range", S, 0);
    stable("rate", V, 0, M);
    stable("resets", V, 0, M);
    stable("round", V, 1, V, S);
    stable("scalar", S, 0, V);
    stable("sgn", V, 0, V);
    stable("sin", V, 0, V);
    stable("sinh", V, 0, V);
    stable("sort", V, 0, V);
    experimental("sort_by_label", V, -1, V, STR);
    experimental("sort_by_label_desc", V, -1, V, STR);
    stable("sort_desc", V, 0, V);
    stable("sqrt", V, 0, V);
    experimental("start", S, 0);
    experimental("start_timestamp", V, 0, V);
    stable("stddev_over_time", V, 0, M);
    stable("stdvar_over_time", V, 0, M);
    experimental("step", S, 0);
    stable("sum_over_time", V, 0, M);
    stable("tan", V, 0, V);
    stable("tanh", V, 0, V);
    stable("time", S, 0);
    stable("timestamp", V, 0, V);
    experimental("ts_of_first_over_time", V, 0, M);
    experimental("ts_of_last_over_time", V, 0, M);
    experimental("ts_of_max_over_time", V, 0, M);
    experimental("ts_of_min_over_time", V, 0, M);
    stable("vector", V, 0, S);
    stable("year", V, 1, V);
  }

  static final Map<String, Function> FUNCTIONS = Collections.unmodifiableMap(TABLE);

  private FunctionTable() {}

  private static void stable(String name, ValueType returnType, int variadic, ValueType... argTypes) {
    add(new Function(name, List.of(argTypes), variadic, returnType, false, false));
  }

  /** Needs {@code --enable-feature=promql-experimental-functions} in Prometheus. */
  private static void experimental(
      String name, ValueType returnType, int variadic, ValueType... argTypes) {
    add(new Function(name, List.of(argTypes), variadic, returnType, true, false));
  }

  /** Exists only in Prometheus 2.x. */
  private static void removed(String name, ValueType returnType, int variadic, ValueType... argTypes) {
    add(new Function(name, List.of(argTypes), variadic, returnType, false, true));
  }

  private static void add(Function function) {
    TABLE.put(function.name(), function);
  }
}
