/**
 * The immutable PromQL syntax tree: a sealed {@link io.promroute.promql.ast.Expr} with one record
 * per node type, a visitor and an identity-preserving rewriter.
 */
package io.promroute.promql.ast;
