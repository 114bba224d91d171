package io.promroute.shard;

import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.VectorSelector;

/**
 * Short PromQL spellings of matchers and selectors for error messages. Independent of the
 * printer on purpose: a message must not fail, and source order reads better than canonical order.
 */
final class Describe {

  private Describe() {}

  /** {@code cluster=~"a|b"}. */
  static String matcher(LabelMatcher matcher) {
    return labelName(matcher.name()) + matcher.op().symbol() + quote(matcher.value());
  }

  /** {@code up{job="api",cluster="a"}}, {@code {cluster="a"}}. */
  static String selector(VectorSelector selector) {
    StringBuilder text = new StringBuilder();
    if (selector.name() != null) {
      text.append(selector.name());
    }
    if (!selector.matchers().isEmpty() || selector.name() == null) {
      text.append('{');
      for (int i = 0; i < selector.matchers().size(); i++) {
        if (i > 0) {
          text.append(',');
        }
        text.append(matcher(selector.matchers().get(i)));
      }
      text.append('}');
    }
    return text.toString();
  }

  /** A double-quoted string with PromQL escapes. */
  static String quote(String value) {
    StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\t' -> quoted.append("\\t");
        case '\r' -> quoted.append("\\r");
        default -> quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }

  private static String labelName(String name) {
    return name.matches("[a-zA-Z_][a-zA-Z0-9_]*") ? name : quote(name);
  }
}
