package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.promql.PromQLParseException;
import io.promroute.shard.ShardRewriter;
import io.promroute.shard.ShardedQuery;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RewriteCacheTest {

  private final AtomicInteger calls = new AtomicInteger();

  private String counted(String query) {
    calls.incrementAndGet();
    return query.toUpperCase();
  }

  @Test
  void aRepeatedQueryIsRewrittenOnce() {
    RewriteCache<String> cache = new RewriteCache<>(1000, 100);
    assertThat(cache.get("up", this::counted)).isEqualTo("UP");
    assertThat(cache.get("up", this::counted)).isEqualTo("UP");
    assertThat(calls).hasValue(1);
  }

  @Test
  void aFailedRewriteIsNotRemembered() {
    RewriteCache<String> cache = new RewriteCache<>(1000, 100);
    AtomicInteger failures = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(
              () ->
                  cache.get(
                      "sum(",
                      query -> {
                        failures.incrementAndGet();
                        throw new IllegalArgumentException("bad");
                      }))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(failures).hasValue(2);
    assertThat(cache.size()).isZero();
  }

  @Test
  void queriesLongerThanTheLimitAreNotKept() {
    RewriteCache<String> cache = new RewriteCache<>(1000, 5);
    cache.get("rate(x[5m])", this::counted);
    cache.get("rate(x[5m])", this::counted);
    assertThat(calls).hasValue(2);
    assertThat(cache.size()).isZero();
  }

  @Test
  void theCacheStartsOverWhenItsCharacterBudgetIsSpent() {
    RewriteCache<String> cache = new RewriteCache<>(10, 100);
    cache.get("aaaa", this::counted);
    cache.get("bbbb", this::counted);
    assertThat(cache.size()).isEqualTo(2);
    cache.get("cccc", this::counted); // 12 characters > 10: only the newest stays
    assertThat(cache.size()).isEqualTo(1);
    cache.get("cccc", this::counted);
    cache.get("aaaa", this::counted);
    assertThat(calls).hasValue(4);
  }

  @Test
  void routingAnswersTheSameRewriteForTheSameQueryAndStillRejectsBadOnes() {
    Routing routing =
        Routing.of(
            ShardRewriter.builder()
                .shardLabel("cluster")
                .shards(java.util.List.of("a", "b"))
                .build());
    ShardedQuery first = routing.rewrite("sum(rate(x{cluster=\"a\"}[5m]))");
    assertThat(routing.rewrite("sum(rate(x{cluster=\"a\"}[5m]))")).isSameAs(first);
    assertThat(first.query()).isEqualTo("sum(rate(x[5m]))");
    assertThatThrownBy(() -> routing.rewrite("sum(")).isInstanceOf(PromQLParseException.class);
    assertThatThrownBy(() -> routing.rewrite("sum(")).isInstanceOf(PromQLParseException.class);
  }
}
