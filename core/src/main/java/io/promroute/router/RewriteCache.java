package io.promroute.router;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Remembers the rewrite of each query text. Dashboards send the same few queries again at every
 * refresh (only {@code time}, {@code start} and {@code end} change), and parsing, checking and
 * printing them is a tenth of the router's CPU for a small answer. A rewrite depends on the query
 * text and the rewriter's configuration only, and its result is immutable, so a hit is exact.
 *
 * <p>Bounded by the characters of the queries it holds (the syntax tree of a query is a small
 * multiple of its text): when the budget is spent the cache starts over empty, which costs one
 * parse per query and needs no bookkeeping on the hot path. Failures are not cached.
 */
final class RewriteCache<V> {

  private final ConcurrentHashMap<String, V> entries = new ConcurrentHashMap<>();
  private final AtomicLong characters = new AtomicLong();
  private final long maxCharacters;
  private final int maxQueryLength;

  RewriteCache(long maxCharacters, int maxQueryLength) {
    this.maxCharacters = maxCharacters;
    this.maxQueryLength = maxQueryLength;
  }

  V get(String query, Function<String, V> rewrite) {
    V cached = entries.get(query);
    if (cached != null) {
      return cached;
    }
    V computed = rewrite.apply(query); // outside the map: a parse error leaves nothing behind
    if (query.length() <= maxQueryLength) {
      if (characters.addAndGet(query.length()) > maxCharacters) {
        entries.clear();
        characters.set(query.length());
      }
      entries.put(query, computed);
    }
    return computed;
  }

  int size() {
    return entries.size();
  }
}
