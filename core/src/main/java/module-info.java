/**
 * PromRoute's core: the PromQL parser and printer ({@code io.promroute.promql}, {@code
 * io.promroute.promql.ast}), the shard rewriter ({@code io.promroute.shard}) and the transport-free
 * router engine with its shard-target and upstream-client SPI ({@code io.promroute.router}). The
 * Prometheus API layer and the Go/Prometheus compatibility code are exported only to PromRoute's
 * own servlet adapter; the cross-shard planner and the generated grammar are not exported.
 */
// "module": the qualified exports name io.promroute.servlet, which is compiled after this module;
// "requires-automatic": ANTLR and re2j have no module descriptor (re2j not even a module name).
@SuppressWarnings({"module", "requires-automatic"})
module io.promroute.core {
  // The ANTLR runtime is relocated into this jar (io.promroute.internal.antlr) when it is packaged,
  // so it is needed to compile only.
  requires static org.antlr.antlr4.runtime;
  requires com.fasterxml.jackson.core;
  requires re2j;
  requires java.net.http;
  // To read G1's region size (HeapArrays); optional: without it, arrays are counted at their bytes.
  requires static jdk.management;

  exports io.promroute.promql;
  exports io.promroute.promql.ast;
  exports io.promroute.shard;
  exports io.promroute.router;
  exports io.promroute.api to
      io.promroute.servlet;
  exports io.promroute.compat to
      io.promroute.servlet;
}
