package io.promroute.promql.internal.grammar;

import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.TokenStream;

/**
 * The generated parser's superclass: it bounds the recursion of the expression rules, so that
 * hostile input (100,000 nested parentheses) ends in a clear error instead of a stack overflow.
 */
public abstract class PromQLParserBase extends Parser {

  private int maxNestingDepth = Integer.MAX_VALUE;
  private int nestingDepth;

  protected PromQLParserBase(TokenStream input) {
    super(input);
  }

  /** The deepest nesting of expressions the parser enters before it gives up. */
  public void setMaxNestingDepth(int maxNestingDepth) {
    this.maxNestingDepth = maxNestingDepth;
  }

  @Override
  public void reset() {
    super.reset();
    nestingDepth = 0;
  }

  @Override
  public void enterRecursionRule(
      ParserRuleContext localContext, int state, int ruleIndex, int precedence) {
    if (++nestingDepth > maxNestingDepth) {
      throw new NestingTooDeepException(getCurrentToken());
    }
    super.enterRecursionRule(localContext, state, ruleIndex, precedence);
  }

  @Override
  public void unrollRecursionContexts(ParserRuleContext parentContext) {
    nestingDepth--;
    super.unrollRecursionContexts(parentContext);
  }
}
