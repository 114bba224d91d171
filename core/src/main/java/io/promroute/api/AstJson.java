package io.promroute.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.promroute.compat.GoFormat;
import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.AtModifier;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.DurationBinary;
import io.promroute.promql.ast.DurationExpr;
import io.promroute.promql.ast.DurationLiteral;
import io.promroute.promql.ast.DurationNegation;
import io.promroute.promql.ast.DurationParen;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.RangeSmoothing;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.ValueType;
import io.promroute.promql.ast.VectorMatching;
import io.promroute.promql.ast.VectorSelector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tree {@code /api/v1/parse_query} answers, in Prometheus 3's shape ({@code translateAST} in
 * its {@code web/api/v1}): Go maps, so every object's keys are written in sorted order.
 */
final class AstJson {

  private AstJson() {}

  static void write(Expr expr, JsonGenerator out) throws IOException {
    if (expr == null) {
      out.writeNull();
      return;
    }
    if (expr instanceof AggregateExpr node) {
      out.writeStartObject();
      out.writeFieldName("expr");
      write(node.expr(), out);
      strings(out, "grouping", node.grouping());
      out.writeStringField("op", node.op().keyword());
      out.writeFieldName("param");
      write(node.param(), out);
      out.writeStringField("type", "aggregation");
      out.writeBooleanField("without", node.without());
      out.writeEndObject();
    } else if (expr instanceof BinaryExpr node) {
      out.writeStartObject();
      out.writeBooleanField("bool", node.returnBool());
      out.writeFieldName("lhs");
      write(node.lhs(), out);
      out.writeFieldName("matching");
      boolean vectors =
          node.lhs().type() == ValueType.INSTANT_VECTOR
              && node.rhs().type() == ValueType.INSTANT_VECTOR;
      if (vectors) {
        matching(node, out);
      } else {
        out.writeNull(); // Prometheus drops the matching of operations with a scalar side
      }
      out.writeStringField("op", node.op().symbol());
      out.writeFieldName("rhs");
      write(node.rhs(), out);
      out.writeStringField("type", "binaryExpr");
      out.writeEndObject();
    } else if (expr instanceof Call node) {
      out.writeStartObject();
      out.writeFieldName("args");
      out.writeStartArray();
      for (Expr arg : node.args()) {
        write(arg, out);
      }
      out.writeEndArray();
      out.writeFieldName("func");
      out.writeStartObject();
      out.writeFieldName("argTypes");
      out.writeStartArray();
      for (ValueType type : node.function().argTypes()) {
        out.writeString(type.resultType());
      }
      out.writeEndArray();
      out.writeStringField("name", node.function().name());
      out.writeStringField("returnType", node.function().returnType().resultType());
      out.writeNumberField("variadic", node.function().variadic());
      out.writeEndObject();
      out.writeStringField("type", "call");
      out.writeEndObject();
    } else if (expr instanceof MatrixSelector node) {
      VectorSelector selector = node.selector();
      out.writeStartObject();
      out.writeBooleanField("anchored", selector.smoothing() == RangeSmoothing.ANCHORED);
      matchers(selector, out);
      out.writeStringField("name", selector.name() == null ? "" : selector.name());
      out.writeNumberField("offset", millis(selector.offset()));
      out.writeNumberField("range", millis(node.range()));
      out.writeBooleanField("smoothed", selector.smoothing() == RangeSmoothing.SMOOTHED);
      at(selector.at(), out);
      out.writeStringField("type", "matrixSelector");
      out.writeEndObject();
    } else if (expr instanceof SubqueryExpr node) {
      out.writeStartObject();
      out.writeBooleanField("alignEvalTime", false);
      out.writeFieldName("expr");
      write(node.expr(), out);
      out.writeNumberField("offset", millis(node.offset()));
      out.writeNumberField("range", millis(node.range()));
      // "startOrEnd" sorts before "step"
      writeStartOrEnd(node.at(), out);
      out.writeNumberField("step", millis(node.step()));
      writeTimestamp(node.at(), out);
      out.writeStringField("type", "subquery");
      out.writeEndObject();
    } else if (expr instanceof NumberLiteral node) {
      out.writeStartObject();
      out.writeStringField("type", "numberLiteral");
      out.writeStringField("val", GoFormat.formatFloat(node.value()));
      out.writeEndObject();
    } else if (expr instanceof ParenExpr node) {
      out.writeStartObject();
      out.writeFieldName("expr");
      write(node.expr(), out);
      out.writeStringField("type", "parenExpr");
      out.writeEndObject();
    } else if (expr instanceof StringLiteral node) {
      out.writeStartObject();
      out.writeStringField("type", "stringLiteral");
      out.writeStringField("val", node.value());
      out.writeEndObject();
    } else if (expr instanceof UnaryExpr node) {
      out.writeStartObject();
      out.writeFieldName("expr");
      write(node.expr(), out);
      out.writeStringField("op", node.negative() ? "-" : "+");
      out.writeStringField("type", "unaryExpr");
      out.writeEndObject();
    } else if (expr instanceof VectorSelector node) {
      out.writeStartObject();
      out.writeBooleanField("anchored", node.smoothing() == RangeSmoothing.ANCHORED);
      matchers(node, out);
      out.writeStringField("name", node.name() == null ? "" : node.name());
      out.writeNumberField("offset", millis(node.offset()));
      out.writeBooleanField("smoothed", node.smoothing() == RangeSmoothing.SMOOTHED);
      at(node.at(), out);
      out.writeStringField("type", "vectorSelector");
      out.writeEndObject();
    }
  }

  private static void matching(BinaryExpr node, JsonGenerator out) throws IOException {
    VectorMatching matching = node.matching();
    out.writeStartObject();
    String card =
        node.op().isSetOperator()
            ? "many-to-many"
            : switch (matching.cardinality()) {
              case ONE_TO_ONE -> "one-to-one";
              case MANY_TO_ONE -> "many-to-one";
              case ONE_TO_MANY -> "one-to-many";
            };
    out.writeStringField("card", card);
    out.writeFieldName("fillValues");
    out.writeStartObject();
    out.writeFieldName("lhs");
    fill(matching.fill() == null ? null : matching.fill().left(), out);
    out.writeFieldName("rhs");
    fill(matching.fill() == null ? null : matching.fill().right(), out);
    out.writeEndObject();
    strings(out, "include", matching.include());
    strings(out, "labels", matching.labels());
    out.writeBooleanField("on", matching.on());
    out.writeEndObject();
  }

  private static void fill(NumberLiteral value, JsonGenerator out) throws IOException {
    if (value == null) {
      out.writeNull();
    } else {
      out.writeNumber(GoFormat.formatFloat(value.value()));
    }
  }

  // Prometheus appends the matcher implied by the metric name after the written ones.
  private static void matchers(VectorSelector selector, JsonGenerator out) throws IOException {
    List<LabelMatcher> matchers = new ArrayList<>(selector.matchers());
    if (selector.name() != null) {
      matchers.add(LabelMatcher.equal(LabelMatcher.METRIC_NAME, selector.name()));
    }
    out.writeFieldName("matchers");
    out.writeStartArray();
    for (LabelMatcher matcher : matchers) {
      out.writeStartObject();
      out.writeStringField("name", matcher.name());
      out.writeStringField("type", matcher.op().symbol());
      out.writeStringField("value", matcher.value());
      out.writeEndObject();
    }
    out.writeEndArray();
  }

  private static void at(AtModifier at, JsonGenerator out) throws IOException {
    writeStartOrEnd(at, out);
    writeTimestamp(at, out);
  }

  private static void writeStartOrEnd(AtModifier at, JsonGenerator out) throws IOException {
    out.writeFieldName("startOrEnd");
    if (at == null || at.kind() == AtModifier.Kind.TIMESTAMP) {
      out.writeNull();
    } else {
      out.writeString(at.kind() == AtModifier.Kind.START ? "start" : "end");
    }
  }

  private static void writeTimestamp(AtModifier at, JsonGenerator out) throws IOException {
    out.writeFieldName("timestamp");
    if (at == null || at.kind() != AtModifier.Kind.TIMESTAMP) {
      out.writeNull();
    } else {
      out.writeNumber(at.timestampMillis());
    }
  }

  private static void strings(JsonGenerator out, String field, List<String> values)
      throws IOException {
    out.writeFieldName(field);
    out.writeStartArray();
    for (String value : values) {
      out.writeString(value);
    }
    out.writeEndArray();
  }

  /** Constant duration expressions in milliseconds; what only a query's evaluation knows is 0. */
  private static long millis(DurationExpr duration) {
    if (duration == null) {
      return 0;
    }
    if (duration instanceof DurationLiteral literal) {
      return literal.millis();
    }
    if (duration instanceof DurationParen paren) {
      return millis(paren.expr());
    }
    if (duration instanceof DurationNegation negation) {
      return -millis(negation.expr());
    }
    if (duration instanceof DurationBinary binary) {
      long lhs = millis(binary.lhs());
      long rhs = millis(binary.rhs());
      return switch (binary.op().symbol()) {
        case "+" -> lhs + rhs;
        case "-" -> lhs - rhs;
        case "*" -> lhs * rhs / 1000;
        case "/" -> rhs == 0 ? 0 : lhs * 1000 / rhs;
        case "%" -> rhs == 0 ? 0 : lhs % rhs;
        default -> 0;
      };
    }
    return 0;
  }
}
