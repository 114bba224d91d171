package io.promroute.promql;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Label matcher regexes, compiled as Prometheus compiles them: RE2 syntax, anchored at both ends,
 * with {@code .} matching newlines. Dashboards repeat the same few regexes, so compiled patterns
 * are cached (the cache is simply emptied when it grows too large).
 */
final class Regexes {

  private static final int MAX_CACHED = 1024;
  private static final ConcurrentHashMap<String, Pattern> CACHE = new ConcurrentHashMap<>();

  private Regexes() {}

  /** Why Prometheus rejects this regex, or {@code null} if it compiles. */
  static String problem(String regex) {
    if (CACHE.containsKey(regex)) {
      return null;
    }
    try {
      // Prometheus parses the regex as written first, so its errors quote the regex unanchored.
      Pattern.compile(regex);
      compile(regex);
      return null;
    } catch (PatternSyntaxException e) {
      return e.getMessage();
    }
  }

  /** Whether the regex, fully anchored, matches the empty string. */
  static boolean matchesEmpty(String regex) {
    return compile(regex).matcher("").matches();
  }

  private static Pattern compile(String regex) {
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
}
