package io.promroute.promql;

import io.promroute.internal.DeepStack;
import io.promroute.promql.ast.Expr;
import io.promroute.promql.ast.VectorSelector;
import io.promroute.promql.internal.grammar.NestingTooDeepException;
import io.promroute.promql.internal.grammar.PromQLLexer;
import io.promroute.promql.internal.grammar.PromQLParser;
import java.util.function.Function;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Runs the lexer, the parser, the AST builder and the semantic checks. The parser first predicts
 * with SLL, which is enough for nearly every query and much faster; only when that fails does it
 * parse again with full LL, which either succeeds or finds the real error (Trino's two-stage
 * strategy).
 */
final class QueryParser {

  private QueryParser() {}

  static Expr parseExpression(String query, ParserOptions options) {
    return run(
        query,
        options,
        PromQLParser::expression,
        (tree, builder) -> builder.build(((PromQLParser.ExpressionContext) tree).expr()));
  }

  static VectorSelector parseSeriesSelector(String query, ParserOptions options) {
    return (VectorSelector)
        run(query, options, PromQLParser::seriesSelector, new SeriesSelectorBuilder());
  }

  private interface TreeBuilder {
    Expr build(ParserRuleContext tree, AstBuilder builder);
  }

  private static final class SeriesSelectorBuilder implements TreeBuilder {
    @Override
    public Expr build(ParserRuleContext tree, AstBuilder builder) {
      return builder.vectorSelector(((PromQLParser.SeriesSelectorContext) tree).vectorSelector());
    }
  }

  private static Expr buildAndCheck(
      ParserRuleContext tree,
      TreeBuilder treeBuilder,
      SourceText source,
      ParserOptions options,
      boolean recordSpans,
      boolean seriesSelector) {
    AstBuilder builder = new AstBuilder(source, options, recordSpans);
    Expr expr = treeBuilder.build(tree, builder);
    if (!seriesSelector) {
      // A series selector is only parsed, as Prometheus's ParseMetricSelector does: no check
      // for a matcher that is not empty, nor for a metric name set twice (see
      // PromQL.parseSelector).
      new SemanticChecker(source, builder.spans(), builder.operatorSpans()).check(expr);
    }
    return expr;
  }

  private static Expr run(
      String query,
      ParserOptions options,
      Function<PromQLParser, ParserRuleContext> entryRule,
      TreeBuilder treeBuilder) {
    SourceText source = new SourceText(query);
    if (query.length() > options.maxQueryLength()) {
      throw source.error(
          "query is too long: "
              + query.length()
              + " characters, the maximum is "
              + options.maxQueryLength(),
          0,
          0);
    }
    // ANTLR's parser and the tree walks recurse once or more per level of real nesting: a deep
    // query that overflows this thread's stack (a cold JVM's frames are large) is parsed again
    // on a large stack, and gets its answer or its positioned error either way.
    return DeepStack.call(
        () -> parseOnce(query, options, entryRule, treeBuilder, source),
        () -> source.error("query is nested too deeply", 0, 0));
  }

  /**
   * Parentheses and brackets nested deeper than the nesting limit are refused before parsing: each
   * one is a level of nesting, so the parser would refuse them anyway, but only after ANTLR's
   * lookahead had walked them (deciding {@code x[...]} from {@code x[...:]} looks past the whole
   * range), which takes seconds and a deep stack for 100,000 of them.
   */
  private static void checkBracketDepth(
      CommonTokenStream tokens, ParserOptions options, SourceText source) {
    int depth = 0;
    for (Token token : tokens.getTokens()) {
      int type = token.getType();
      if (type == PromQLLexer.LEFT_PAREN || type == PromQLLexer.LEFT_BRACKET) {
        if (++depth > options.maxNestingDepth()) {
          throw tooDeep(token, options, source);
        }
      } else if ((type == PromQLLexer.RIGHT_PAREN || type == PromQLLexer.RIGHT_BRACKET)
          && depth > 0) {
        depth--;
      }
    }
  }

  private static PromQLParseException tooDeep(
      Token token, ParserOptions options, SourceText source) {
    return source.error(
        "query is nested too deeply: more than "
            + options.maxNestingDepth()
            + " levels of nested expressions",
        token.getStartIndex(),
        token.getStopIndex() + 1);
  }

  private static Expr parseOnce(
      String query,
      ParserOptions options,
      Function<PromQLParser, ParserRuleContext> entryRule,
      TreeBuilder treeBuilder,
      SourceText source) {
    try {
      PromQLLexer lexer = new PromQLLexer(CharStreams.fromString(query));
      lexer.removeErrorListeners();
      CommonTokenStream tokens = new CommonTokenStream(lexer);
      tokens.fill();
      if (tokens.get(0).getType() == Token.EOF) {
        if (treeBuilder instanceof SeriesSelectorBuilder) {
          // ParseMetricSelector feeds Go's yacc parser a start token first, so an empty selector
          // is a syntax error at the end of the input, not "no expression".
          int end = tokens.get(0).getStartIndex();
          throw source.error("unexpected end of input", end, end);
        }
        throw source.error("no expression found in input", 0, 0);
      }
      checkBracketDepth(tokens, options, source);
      PromQLParser parser = new PromQLParser(tokens);
      parser.setMaxNestingDepth(options.maxNestingDepth());
      parser.removeErrorListeners();
      ParserRuleContext tree;
      try {
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        parser.setErrorHandler(new BailErrorStrategy());
        tree = entryRule.apply(parser);
      } catch (ParseCancellationException e) {
        tokens.seek(0);
        parser.reset();
        parser.getInterpreter().setPredictionMode(PredictionMode.LL);
        parser.setErrorHandler(new DefaultErrorStrategy());
        parser.addErrorListener(new SyntaxErrors(source, options, lexer));
        tree = entryRule.apply(parser);
      }
      boolean seriesSelector = tree instanceof PromQLParser.SeriesSelectorContext;
      try {
        return buildAndCheck(tree, treeBuilder, source, options, false, seriesSelector);
      } catch (SemanticChecker.NeedsPositions e) {
        return buildAndCheck(tree, treeBuilder, source, options, true, seriesSelector);
      }
    } catch (NestingTooDeepException e) {
      throw tooDeep(e.token(), options, source);
    } catch (PromQLParseException e) {
      throw e;
    } catch (RuntimeException e) {
      // A bug of ours must not escape as anything but the one documented exception; the fuzz
      // test looks for this message.
      throw source.error("internal parser error: " + e, 0, 0);
    }
  }
}
