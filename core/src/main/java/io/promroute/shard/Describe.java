package io.promroute.shard;

import io.promroute.compat.GoQuote;
import io.promroute.compat.LabelNames;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.VectorSelector;

/**
 * Short PromQL spellings of matchers and selectors for error messages. Independent of the printer
 * on purpose: a message must not fail, and source order reads better than canonical order.
 */
final class Describe {

  private Describe() {}

  /** {@code cluster=~"a|b"}. */
  static String matcher(LabelMatcher matcher) {
    return LabelNames.print(matcher.name())
        + matcher.op().symbol()
        + GoQuote.quote(matcher.value());
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
}
