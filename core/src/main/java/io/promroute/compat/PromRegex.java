package io.promroute.compat;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How Prometheus anchors its regexes. Label matchers: RE2 syntax, anchored at both ends, with
 * {@code .} matching newlines ({@code ^(?s:re)$}, Prometheus 3.x; the parser's checks and the
 * router follow it). {@code label_replace}: {@code ^(?:re)$}, as the shards (Prometheus 2.42)
 * compute it. Dashboards repeat the same few matcher regexes, so compiled ones are cached (the
 * cache is simply emptied when it grows too large).
 */
public final class PromRegex {

  private static final int MAX_CACHED = 1024;
  private static final ConcurrentHashMap<String, Pattern> CACHE = new ConcurrentHashMap<>();

  private PromRegex() {}

  /**
   * A label matcher's regex compiled as Prometheus compiles it.
   *
   * @param regex the matcher's value
   * @return the anchored pattern
   * @throws PatternSyntaxException if {@code regex} is not valid RE2
   */
  public static Pattern matcher(String regex) {
    Pattern pattern = CACHE.get(regex);
    if (pattern == null) {
      pattern = Pattern.compile("^(?s:" + regex + ")$");
      if (CACHE.size() >= MAX_CACHED) {
        CACHE.clear();
      }
      CACHE.put(regex, pattern);
    }
    return pattern;
  }

  /**
   * Why Prometheus rejects a matcher regex.
   *
   * @param regex the matcher's value
   * @return the problem, or {@code null} if it compiles
   */
  public static String problem(String regex) {
    if (CACHE.containsKey(regex)) {
      return null;
    }
    try {
      // Prometheus parses the regex as written first, so its errors quote the regex unanchored.
      Pattern.compile(regex);
      matcher(regex);
      return null;
    } catch (PatternSyntaxException e) {
      return e.getMessage();
    }
  }

  /**
   * Whether a matcher regex, fully anchored, matches the empty string (so also series without the
   * label).
   *
   * @param regex the matcher's value
   * @return whether it matches {@code ""}
   * @throws PatternSyntaxException if {@code regex} is not valid RE2
   */
  public static boolean matchesEmpty(String regex) {
    return matcher(regex).matcher("").matches();
  }

  /**
   * {@code label_replace}'s regex compiled as Prometheus 2.42 compiles it.
   *
   * @param regex the function's regex argument
   * @return the anchored pattern
   * @throws PatternSyntaxException if {@code regex} is not valid RE2
   */
  public static Pattern labelReplace(String regex) {
    return Pattern.compile("^(?:" + regex + ")$");
  }
}
