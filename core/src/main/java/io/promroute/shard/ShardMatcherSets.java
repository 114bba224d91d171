package io.promroute.shard;

import com.google.re2j.Pattern;
import io.promroute.promql.ast.LabelMatcher;
import io.promroute.promql.ast.MatchOp;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which known shards one matcher on the shard label selects, as a set of indexes into the shard
 * list. Results are cached: dashboards send the same few matchers again and again, and a regex
 * compile costs more than the rest of the rewrite.
 */
final class ShardMatcherSets {

  /** Enough for every matcher of a large set of dashboards; cleared, not evicted, beyond it. */
  private static final int MAX_CACHED = 1024;

  private final List<String> shards;
  private final ConcurrentHashMap<LabelMatcher, BitSet> cache = new ConcurrentHashMap<>();

  ShardMatcherSets(List<String> shards) {
    this.shards = shards;
  }

  /** The shards the matcher selects; the caller must not modify the returned set. */
  BitSet select(LabelMatcher matcher) {
    BitSet cached = cache.get(matcher);
    if (cached != null) {
      return cached;
    }
    BitSet selected = compute(matcher);
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    cache.put(matcher, selected);
    return selected;
  }

  /** The keys of a set of shard indexes, for messages: {@code a, b}. */
  String describe(BitSet selected) {
    StringBuilder keys = new StringBuilder();
    for (int i = selected.nextSetBit(0); i >= 0; i = selected.nextSetBit(i + 1)) {
      if (keys.length() > 0) {
        keys.append(", ");
      }
      keys.append(shards.get(i));
    }
    return keys.toString();
  }

  private BitSet compute(LabelMatcher matcher) {
    BitSet selected = new BitSet(shards.size());
    switch (matcher.op()) {
      case EQUAL:
        for (int i = 0; i < shards.size(); i++) {
          selected.set(i, shards.get(i).equals(matcher.value()));
        }
        break;
      case NOT_EQUAL:
        for (int i = 0; i < shards.size(); i++) {
          selected.set(i, !shards.get(i).equals(matcher.value()));
        }
        break;
      case REGEX:
      case NOT_REGEX:
        {
          Pattern pattern = Regexes.compileAnchored(matcher.value());
          boolean positive = matcher.op() == MatchOp.REGEX;
          for (int i = 0; i < shards.size(); i++) {
            selected.set(i, pattern.matches(shards.get(i)) == positive);
          }
          break;
        }
    }
    return selected;
  }
}
