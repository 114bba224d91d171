package io.promroute.promql;

import io.promroute.compat.GoQuote;
import io.promroute.promql.internal.grammar.PromQLLexer;
import io.promroute.promql.internal.grammar.PromQLParser;
import io.promroute.promql.internal.grammar.PromQLParser.ExprContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * Turns the first syntax error into a {@link PromQLParseException} worded as Prometheus words it:
 * {@code unexpected <token>[ in <context>, expected <what>]}, or the lexer's own message when the
 * parser stopped at a lexical error.
 */
final class SyntaxErrors extends BaseErrorListener {

  private static final String DURATION_START = "number, duration, step(), or range()";

  private final SourceText source;
  private final ParserOptions options;
  private final PromQLLexer lexer;

  SyntaxErrors(SourceText source, ParserOptions options, PromQLLexer lexer) {
    this.source = source;
    this.options = options;
    this.lexer = lexer;
  }

  @Override
  public void syntaxError(
      Recognizer<?, ?> recognizer,
      Object offendingSymbol,
      int line,
      int charPositionInLine,
      String message,
      RecognitionException e) {
    Token token = (Token) offendingSymbol;
    if (token.getType() == PromQLLexer.ERROR) {
      int end = source.query().codePointCount(0, source.query().length());
      throw source.error(lexer.errorMessage(), lexer.errorOffset(), end);
    }
    Parser parser = (Parser) recognizer;
    PromQLParseException earlier = earlierGrammarActionError(parser, token);
    if (earlier != null) {
      throw earlier;
    }
    StringBuilder reason = new StringBuilder("unexpected ").append(describe(token));
    String context = context(parser, token);
    if (context != null) {
      reason.append(" in ").append(context);
    }
    int start = token.getStartIndex();
    int end = token.getType() == Token.EOF ? start : token.getStopIndex() + 1;
    throw source.error(reason.toString(), start, end);
  }

  /**
   * Prometheus reports errors in the order it finds them, and its grammar actions (a range of zero,
   * an unknown function...) run as each complete expression is reduced, before yacc reaches a later
   * syntax error. The complete expressions left of the error are built here to find such an error
   * first.
   */
  private PromQLParseException earlierGrammarActionError(Parser parser, Token offending) {
    List<ExprContext> complete = new ArrayList<>();
    for (ParserRuleContext context = parser.getContext();
        context != null;
        context = context.getParent()) {
      if (context.children == null) {
        continue;
      }
      for (ParseTree child : context.children) {
        if (child instanceof ExprContext expr
            && expr.exception == null
            && expr.stop != null
            && expr.stop.getTokenIndex() >= expr.start.getTokenIndex()
            && expr.stop.getTokenIndex() < offending.getTokenIndex()) {
          complete.add(expr);
        }
      }
    }
    complete.sort(Comparator.comparingInt(expr -> expr.start.getTokenIndex()));
    AstBuilder builder = new AstBuilder(source, options, false);
    for (ExprContext expr : complete) {
      try {
        builder.build(expr);
      } catch (PromQLParseException e) {
        return e;
      } catch (RuntimeException e) {
        // A partial tree the builder cannot read: report the syntax error.
        return null;
      }
    }
    return null;
  }

  /** Prometheus's {@code Item.desc()}. */
  static String describe(Token token) {
    String text = token.getText();
    return switch (token.getType()) {
      case Token.EOF -> "end of input";
      case PromQLLexer.IDENTIFIER -> "identifier " + GoQuote.quote(text);
      case PromQLLexer.METRIC_IDENTIFIER -> "metric identifier " + GoQuote.quote(text);
      case PromQLLexer.NUMBER -> "number " + shortQuote(text);
      case PromQLLexer.DURATION -> "duration " + shortQuote(text);
      case PromQLLexer.STRING -> "string " + shortQuote(text);
      case PromQLLexer.BOOL,
          PromQLLexer.BY,
          PromQLLexer.GROUP_LEFT,
          PromQLLexer.GROUP_RIGHT,
          PromQLLexer.FILL,
          PromQLLexer.FILL_LEFT,
          PromQLLexer.FILL_RIGHT,
          PromQLLexer.IGNORING,
          PromQLLexer.OFFSET,
          PromQLLexer.SMOOTHED,
          PromQLLexer.ANCHORED,
          PromQLLexer.ON,
          PromQLLexer.WITHOUT,
          PromQLLexer.START,
          PromQLLexer.END,
          PromQLLexer.STEP,
          PromQLLexer.RANGE,
          PromQLLexer.MAX_OF,
          PromQLLexer.MIN_OF ->
          "<" + text + ">";
      case PromQLLexer.ADD,
          PromQLLexer.DIV,
          PromQLLexer.EQLC,
          PromQLLexer.EQL_REGEX,
          PromQLLexer.GTE,
          PromQLLexer.GTR,
          PromQLLexer.TRIM_UPPER,
          PromQLLexer.TRIM_LOWER,
          PromQLLexer.LAND,
          PromQLLexer.LOR,
          PromQLLexer.LSS,
          PromQLLexer.LTE,
          PromQLLexer.LUNLESS,
          PromQLLexer.MOD,
          PromQLLexer.MUL,
          PromQLLexer.NEQ,
          PromQLLexer.NEQ_REGEX,
          PromQLLexer.POW,
          PromQLLexer.SUB,
          PromQLLexer.AT,
          PromQLLexer.ATAN2 ->
          "<op:" + text + ">";
      case PromQLLexer.AVG,
          PromQLLexer.BOTTOMK,
          PromQLLexer.COUNT,
          PromQLLexer.COUNT_VALUES,
          PromQLLexer.GROUP,
          PromQLLexer.MAX,
          PromQLLexer.MIN,
          PromQLLexer.QUANTILE,
          PromQLLexer.STDDEV,
          PromQLLexer.STDVAR,
          PromQLLexer.SUM,
          PromQLLexer.TOPK,
          PromQLLexer.LIMITK,
          PromQLLexer.LIMIT_RATIO ->
          "<aggr:" + text + ">";
      default -> shortQuote(text);
    };
  }

  /** Go's {@code %q}, or {@code %.10q...} for values longer than ten characters. */
  private static String shortQuote(String text) {
    if (text.codePointCount(0, text.length()) > 10) {
      return GoQuote.quote(text.substring(0, text.offsetByCodePoints(0, 10))) + "...";
    }
    return GoQuote.quote(text);
  }

  /** The context and expectation Prometheus's error productions name, where one applies. */
  private static String context(Parser parser, Token token) {
    ParserRuleContext rule = parser.getContext();
    TokenStream tokens = parser.getInputStream();
    int previous = previousType(tokens, token, 1);
    switch (rule.getRuleIndex()) {
      case PromQLParser.RULE_labelMatchers, PromQLParser.RULE_labelMatcher -> {
        switch (previous) {
          case PromQLLexer.LEFT_BRACE, PromQLLexer.COMMA -> {
            return "label matching, expected identifier or \"}\"";
          }
          case PromQLLexer.EQL, PromQLLexer.NEQ, PromQLLexer.EQL_REGEX, PromQLLexer.NEQ_REGEX -> {
            return "label matching, expected string";
          }
          case PromQLLexer.IDENTIFIER -> {
            return "label matching, expected label matching operator";
          }
          default -> {
            return "label matching, expected \",\" or \"}\"";
          }
        }
      }
      case PromQLParser.RULE_grouping -> {
        return "grouping opts, expected \"(\"";
      }
      case PromQLParser.RULE_groupingLabels,
          PromQLParser.RULE_groupingLabel,
          PromQLParser.RULE_labelKeyword -> {
        if (previous == PromQLLexer.LEFT_PAREN || previous == PromQLLexer.COMMA) {
          return "grouping opts, expected label";
        }
        if (previous == PromQLLexer.BY
            || previous == PromQLLexer.WITHOUT
            || previous == PromQLLexer.ON
            || previous == PromQLLexer.IGNORING) {
          return "grouping opts, expected \"(\"";
        }
        return "grouping opts, expected \",\" or \")\"";
      }
      case PromQLParser.RULE_atModifier -> {
        return "@, expected timestamp";
      }
      case PromQLParser.RULE_offsetDuration -> {
        if (previous == PromQLLexer.OFFSET) {
          return "offset, expected " + DURATION_START;
        }
        return null;
      }
      default -> {
        return bracketContext(tokens, token, rule);
      }
    }
  }

  /** Inside {@code [...]}: which part of a range or subquery the parser was reading. */
  private static String bracketContext(TokenStream tokens, Token token, ParserRuleContext rule) {
    boolean colon = false;
    int index = token.getTokenIndex() - 1;
    for (; index >= 0; index--) {
      int type = tokens.get(index).getType();
      if (type == PromQLLexer.RIGHT_BRACKET) {
        return null;
      }
      if (type == PromQLLexer.LEFT_BRACKET) {
        break;
      }
      if (type == PromQLLexer.COLON) {
        colon = true;
      }
    }
    if (index < 0) {
      return null;
    }
    int previous = previousType(tokens, token, 1);
    if (!colon) {
      boolean afterDuration =
          previous == PromQLLexer.NUMBER
              || previous == PromQLLexer.DURATION
              || previous == PromQLLexer.RIGHT_PAREN;
      if (!afterDuration) {
        return "subquery or range selector, expected " + DURATION_START;
      }
      return "subquery or range, expected \":\" or \"]\"";
    }
    if (previous == PromQLLexer.COLON) {
      return "subquery selector, expected number, duration, step(), range(), or \"]\"";
    }
    return "subquery selector, expected \"]\"";
  }

  private static int previousType(TokenStream tokens, Token token, int distance) {
    int index = token.getTokenIndex() - distance;
    return index >= 0 ? tokens.get(index).getType() : Token.INVALID_TYPE;
  }
}
