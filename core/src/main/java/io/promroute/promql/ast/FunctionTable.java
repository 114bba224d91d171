package io.promroute.promql.ast;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The parser's table of PromQL function signatures, by name: one per {@link KnownFunction}. */
final class FunctionTable {

  static final Map<String, Function> FUNCTIONS;

  static {
    Map<String, Function> table = new LinkedHashMap<>();
    for (KnownFunction function : KnownFunction.values()) {
      table.put(function.functionName(), function.signature());
    }
    FUNCTIONS = Collections.unmodifiableMap(table);
  }

  private FunctionTable() {}
}
