package io.promroute.promql;

import io.promroute.compat.GoFormat;
import io.promroute.promql.ast.AggregateExpr;
import io.promroute.promql.ast.BinaryExpr;
import io.promroute.promql.ast.Call;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.ExprVisitor;
import io.promroute.promql.ast.MatrixSelector;
import io.promroute.promql.ast.NumberLiteral;
import io.promroute.promql.ast.ParenExpr;
import io.promroute.promql.ast.StringLiteral;
import io.promroute.promql.ast.SubqueryExpr;
import io.promroute.promql.ast.UnaryExpr;
import io.promroute.promql.ast.VectorSelector;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prometheus's {@code Pretty(level)} ({@code prettier.go}), what {@code /api/v1/format_query}
 * answers: a node whose single-line form is longer than the limit (in UTF-8 bytes, as Go counts) is
 * split over lines indented by two spaces per level; a node that fits prints as {@link Printer}
 * prints it.
 *
 * <p>Reproduces Prometheus's quirks on purpose, since the output must be byte-identical: a subquery
 * that fits is not indented, and a split binary expression does not indent its operator line beyond
 * the level.
 */
final class PrettyPrinter {

  private static final String INDENT = "  ";

  private final int maxCharactersPerLine;
  private final Printer.NumberStyle numberStyle;
  // Deciding whether a node fits and then writing it both need its single-line form; the cache
  // prints it once. Each level still prints its own subtree, as Prometheus does, so deep trees
  // cost depth x size; the parser's nesting limit bounds that.
  private final Map<Expr, String> singleLine = new IdentityHashMap<>();

  private PrettyPrinter(int maxCharactersPerLine, Printer.NumberStyle numberStyle) {
    this.maxCharactersPerLine = maxCharactersPerLine;
    this.numberStyle = numberStyle;
  }

  static String prettyPrint(Expr expr, int maxCharactersPerLine) {
    return prettyPrint(expr, maxCharactersPerLine, Printer.NumberStyle.PROMETHEUS_3);
  }

  static String prettyPrint(Expr expr, int maxCharactersPerLine, Printer.NumberStyle numberStyle) {
    PrettyPrinter printer = new PrettyPrinter(maxCharactersPerLine, numberStyle);
    StringBuilder out = new StringBuilder(128);
    printer.pretty(out, expr, 0);
    return out.toString();
  }

  private String string(Expr expr) {
    String printed = singleLine.get(expr);
    if (printed == null) {
      printed = Printer.print(expr, numberStyle);
      singleLine.put(expr, printed);
    }
    return printed;
  }

  private boolean needsSplit(Expr expr) {
    return GoFormat.utf8Length(string(expr)) > maxCharactersPerLine;
  }

  private static void indent(StringBuilder out, int level) {
    for (int index = 0; index < level; index++) {
      out.append(INDENT);
    }
  }

  private Printer printerOn(StringBuilder out) {
    return new Printer(out, numberStyle);
  }

  private void pretty(StringBuilder out, Expr expr, int level) {
    expr.accept(new Level(out, level));
  }

  /** One node at one level; a visitor so that a new node type breaks this at compile time. */
  private final class Level implements ExprVisitor<Void> {
    private final StringBuilder out;
    private final int level;

    Level(StringBuilder out, int level) {
      this.out = out;
      this.level = level;
    }

    private boolean writtenWhole(Expr expr) {
      if (needsSplit(expr)) {
        return false;
      }
      indent(out, level);
      out.append(string(expr));
      return true;
    }

    private void leaf(Expr expr) {
      indent(out, level);
      out.append(string(expr));
    }

    @Override
    public Void visitNumberLiteral(NumberLiteral node) {
      leaf(node);
      return null;
    }

    @Override
    public Void visitStringLiteral(StringLiteral node) {
      leaf(node);
      return null;
    }

    @Override
    public Void visitVectorSelector(VectorSelector node) {
      leaf(node);
      return null;
    }

    @Override
    public Void visitMatrixSelector(MatrixSelector node) {
      leaf(node);
      return null;
    }

    @Override
    public Void visitSubqueryExpr(SubqueryExpr node) {
      // Prometheus returns a subquery that fits without its indentation.
      if (!needsSplit(node)) {
        out.append(string(node));
        return null;
      }
      pretty(out, node.expr(), level);
      printerOn(out).appendSubquerySuffix(node);
      return null;
    }

    @Override
    public Void visitCall(Call node) {
      if (writtenWhole(node)) {
        return null;
      }
      indent(out, level);
      out.append(node.function().name()).append("(\n");
      List<Expr> args = node.args();
      for (int index = 0; index < args.size(); index++) {
        if (index > 0) {
          out.append(",\n");
        }
        pretty(out, args.get(index), level + 1);
      }
      out.append('\n');
      indent(out, level);
      out.append(')');
      return null;
    }

    @Override
    public Void visitAggregateExpr(AggregateExpr node) {
      if (writtenWhole(node)) {
        return null;
      }
      indent(out, level);
      printerOn(out).appendAggregatePrefix(node);
      out.append("(\n");
      if (node.param() != null) {
        pretty(out, node.param(), level + 1);
        out.append(",\n");
      }
      pretty(out, node.expr(), level + 1);
      out.append('\n');
      indent(out, level);
      out.append(')');
      return null;
    }

    @Override
    public Void visitBinaryExpr(BinaryExpr node) {
      if (writtenWhole(node)) {
        return null;
      }
      pretty(out, node.lhs(), level + 1);
      out.append('\n');
      indent(out, level);
      printerOn(out).appendBinaryOperator(node);
      out.append('\n');
      pretty(out, node.rhs(), level + 1);
      return null;
    }

    @Override
    public Void visitUnaryExpr(UnaryExpr node) {
      // Prometheus prints the operand at the same level, then trims the operand's indentation
      // so that the sign sits where the operand would have started.
      StringBuilder operand = new StringBuilder();
      pretty(operand, node.expr(), level);
      indent(out, level);
      out.append(node.negative() ? '-' : '+');
      out.append(GoFormat.trimSpace(operand.toString()));
      return null;
    }

    @Override
    public Void visitParenExpr(ParenExpr node) {
      if (writtenWhole(node)) {
        return null;
      }
      indent(out, level);
      out.append("(\n");
      pretty(out, node.expr(), level + 1);
      out.append('\n');
      indent(out, level);
      out.append(')');
      return null;
    }
  }
}
