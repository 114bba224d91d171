package io.promroute.plan;

import io.promroute.api.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which evaluation error Prometheus raises when a query has several. The router evaluates a plan
 * one step at a time, the whole tree at each step; Prometheus 2.42 evaluates one node at a time,
 * over every step: all of a node's arguments first (in argument order, a function's range argument
 * before the others), then the node itself step by step. So when two nodes fail at different steps,
 * Prometheus raises the error of the node it evaluates first, not that of the earliest step: {@code
 * topk(scalar(count(missing)) - 10, x + on (method) y)} over a range is "found duplicate series"
 * (at a late step) in Prometheus, not the NaN parameter of the first step. Only for a query that
 * already failed: it evaluates the plan again, node after node, to find that error.
 */
final class ErrorOrder {

  private ErrorOrder() {}

  /**
   * The error Prometheus raises first for {@code root} evaluated at {@code times}, given that the
   * router's own step-by-step evaluation raised {@code raised}.
   *
   * @param raised a 422 {@code execution} error of the evaluation of {@code root}
   * @return the error to answer: {@code raised} when the node-by-node evaluation finds none
   */
  static ApiException prometheusFirst(
      ApiException raised, PlanNode root, EvalContext context, List<Long> times) {
    try {
      check(root, context, times);
    } catch (ApiException first) {
      return isEvaluationError(first) ? first : raised;
    }
    return raised;
  }

  /**
   * Whether Prometheus's order decides which of several of these a query answers: evaluation errors
   * of the query itself, not the limits (samples, time) the router counts in its own way.
   */
  static boolean isEvaluationError(ApiException e) {
    return e.error().status() == 422
        && "execution".equals(e.error().errorType())
        && !e.error().message().startsWith("query processing would load too many samples");
  }

  /** Evaluates {@code node} node by node, as Prometheus does, throwing the first error. */
  private static void check(PlanNode node, EvalContext context, List<Long> times) {
    if (node instanceof PlanNode.Subquery subquery) {
      // Its inner query is evaluated once over the subquery's whole grid.
      PlanNode.Grid grid = subquery.grid();
      long start = grid.start(context.startMillis(), context.endMillis());
      long end = grid.end(context.startMillis(), context.endMillis());
      List<Long> points = new ArrayList<>();
      for (long point = start; point <= end; point += grid.stepMillis()) {
        points.add(point);
      }
      check(subquery.expr(), context, points);
    } else if (node instanceof PlanNode.AtFirstStep first) {
      // Evaluated at its first step only.
      check(first.expr(), context, List.of(first.firstStep(context)));
    } else {
      List<PlanNode> children = new ArrayList<>(node.children());
      if (node instanceof PlanNode.Function) {
        // A range argument is evaluated before the function's other arguments.
        for (int i = 0; i < children.size(); i++) {
          if (children.get(i) instanceof PlanNode.Subquery
              || children.get(i) instanceof PlanNode.RawRange) {
            children.add(0, children.remove(i));
            break;
          }
        }
      }
      for (PlanNode child : children) {
        check(child, context, times);
      }
    }
    for (long time : times) {
      context.cancellation().check();
      node.evaluate(context, time);
    }
  }
}
