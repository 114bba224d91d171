package io.promroute.servlet.it;

import io.promroute.router.ShardTarget;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.shard.ShardRewriter;
import jakarta.servlet.Filter;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/** Builds the router under test through the public API only. */
public final class TestRouters {

  private TestRouters() {}

  /** The rewriter of the fixture: label {@code cluster}, the given shard keys, default policies. */
  public static ShardRewriter rewriter(List<String> shardKeys) {
    return rewriter(shardKeys, routing -> {});
  }

  /** The rewriter of the fixture with default policies changed by {@code routing}. */
  public static ShardRewriter rewriter(
      List<String> shardKeys, Consumer<ShardRewriter.Builder> routing) {
    return implemented(
        () -> {
          ShardRewriter.Builder builder =
              ShardRewriter.builder().shardLabel(PrometheusFixture.SHARD_LABEL).shards(shardKeys);
          routing.accept(builder);
          return builder.build();
        });
  }

  /**
   * A filter routing to {@code targets} (shard key to {@code host:port}, or several separated by
   * commas: the shard's replicas), with default settings changed by {@code settings}.
   */
  public static Filter filter(
      Map<String, String> targets, Consumer<PromRouteFilter.Builder> settings) {
    return filter(targets, routing -> {}, settings);
  }

  /** As {@link #filter(Map, Consumer)}, with the rewriter's policies changed by {@code routing}. */
  public static Filter filter(
      Map<String, String> targets,
      Consumer<ShardRewriter.Builder> routing,
      Consumer<PromRouteFilter.Builder> settings) {
    ShardRewriter rewriter = rewriter(List.copyOf(targets.keySet()), routing);
    // The filter needs the parser too: skip while it is a stub.
    implemented(
        () ->
            rewriter.rewrite(
                "up{"
                    + PrometheusFixture.SHARD_LABEL
                    + "=\""
                    + targets.keySet().iterator().next()
                    + "\"}"));
    return implemented(
        () -> {
          PromRouteFilter.Builder builder = PromRouteFilter.builder().rewriter(rewriter);
          targets.forEach(
              (key, hostPorts) -> builder.shard(key, ShardTarget.of(hostPorts.split(","))));
          settings.accept(builder);
          return builder.build();
        });
  }

  /**
   * Runs {@code action}; while the public API is still a stub ({@code
   * UnsupportedOperationException("TODO(...)")}), skips the test, saying so.
   */
  public static <T> T implemented(Supplier<T> action) {
    try {
      return action.get();
    } catch (UnsupportedOperationException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("TODO(")) {
        System.err.println("WARNING: skipping, not implemented yet: " + e.getMessage());
        Assumptions.abort(
            "skipped: not implemented yet: " + e.getMessage() + " at " + e.getStackTrace()[0]);
      }
      throw e;
    }
  }
}
