package io.promroute.promql.internal.grammar;

import org.antlr.v4.runtime.Token;

/** Thrown by the parser when expressions nest deeper than the configured maximum. */
public final class NestingTooDeepException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Token token;

  NestingTooDeepException(Token token) {
    super(null, null, false, false);
    this.token = token;
  }

  /** The token at which the limit was reached. */
  public Token token() {
    return token;
  }
}
