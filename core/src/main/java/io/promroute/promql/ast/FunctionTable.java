package io.promroute.promql.ast;

import java.util.Map;

/** The table of PromQL functions (Prometheus 3.14, plus 2.x's removed ones). */
final class FunctionTable {

  // TODO(parser): fill in every function of functions.go.
  static final Map<String, Function> FUNCTIONS = Map.of();

  private FunctionTable() {}
}
