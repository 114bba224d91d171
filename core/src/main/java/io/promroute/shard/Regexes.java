package io.promroute.shard;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.promroute.compat.PromRegex;
import io.promroute.promql.ast.LabelMatcher;

/** Prometheus's regex semantics for label matchers. */
final class Regexes {

  private Regexes() {}

  /**
   * Compiles a matcher regex the way Prometheus 3.x does: RE2 syntax, anchored at both ends, with
   * {@code .} matching newlines ({@code ^(?s:re)$}). The parser has already validated it; a
   * hand-built tree with an invalid regex fails here.
   *
   * @throws IllegalArgumentException if the regex is not valid RE2
   */
  static Pattern compileAnchored(String regex) {
    try {
      return PromRegex.matcher(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regular expression \"" + regex + "\"", e);
    }
  }

  /** Whether a matcher accepts the empty value, i.e. also series that lack the label. */
  static boolean matchesEmpty(LabelMatcher matcher) {
    switch (matcher.op()) {
      case EQUAL:
        return matcher.value().isEmpty();
      case NOT_EQUAL:
        return !matcher.value().isEmpty();
      case REGEX:
        return compileAnchored(matcher.value()).matches("");
      case NOT_REGEX:
        return !compileAnchored(matcher.value()).matches("");
    }
    throw new AssertionError(matcher.op());
  }
}
