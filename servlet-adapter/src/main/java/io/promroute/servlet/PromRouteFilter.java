package io.promroute.servlet;

import io.promroute.shard.ShardRewriter;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * Serves the Prometheus HTTP API ({@code /api/v1/query}, {@code query_range}, {@code series},
 * {@code labels}, ...) over sharded Prometheus servers, so that Grafana pointed at this
 * application sees one Prometheus. Every other request passes down the chain.
 *
 * <p>Configure it programmatically with {@link #builder()}, or in {@code web.xml} with the
 * init-param {@value #CONFIG_INIT_PARAM} naming a YAML configuration file (the standalone
 * router's format, see {@link RouterConfig}). The filter must be registered with
 * {@code asyncSupported=true}.
 */
public final class PromRouteFilter implements Filter {

  /** The init-param that names the YAML configuration file. */
  public static final String CONFIG_INIT_PARAM = "config";

  // TODO(servlet): implement.

  /** For containers that instantiate the filter from {@code web.xml}; reads its config in {@link #init}. */
  public PromRouteFilter() {}

  public static Builder builder() {
    return new Builder();
  }

  /** A filter configured from a loaded configuration file. */
  public static PromRouteFilter fromConfig(RouterConfig config) {
    throw new UnsupportedOperationException("TODO(servlet)");
  }

  @Override
  public void init(FilterConfig filterConfig) throws ServletException {}

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    chain.doFilter(request, response);
  }

  @Override
  public void destroy() {}

  /** Builds a {@link PromRouteFilter}. Required: a rewriter and a target for each of its shards. */
  public static final class Builder {
    private Builder() {}

    /** How queries are routed; its shard keys must each get a {@link #shard target}. */
    public Builder rewriter(ShardRewriter rewriter) {
      throw new UnsupportedOperationException("TODO(servlet)");
    }

    /** Where shard {@code key} is. */
    public Builder shard(String key, ShardTarget target) {
      throw new UnsupportedOperationException("TODO(servlet)");
    }

    /** Default {@link UpstreamClient#jdk()}. */
    public Builder upstreamClient(UpstreamClient client) {
      throw new UnsupportedOperationException("TODO(servlet)");
    }

    /** Serve the API under this prefix, e.g. {@code /prometheus}; default none. */
    public Builder pathPrefix(String prefix) {
      throw new UnsupportedOperationException("TODO(servlet)");
    }

    /** How long a shard may take to answer; default 2 minutes. */
    public Builder upstreamTimeout(Duration timeout) {
      throw new UnsupportedOperationException("TODO(servlet)");
    }

    /** Answer with the other shards' data and a warning when one shard of a fan-out fails; default false. */
    public Builder partialResponse(boolean allowed) {
      throw new UnsupportedOperationException("TODO(servlet)");
    }

    /** Client request headers forwarded to shards (case-insensitive); default none. */
    public Builder forwardedHeaders(Set<String> headerNames) {
      throw new UnsupportedOperationException("TODO(servlet)");
    }

    /** The largest POST body accepted, in bytes; default 1 MiB. */
    public Builder maxRequestBodyBytes(int bytes) {
      throw new UnsupportedOperationException("TODO(servlet)");
    }

    public PromRouteFilter build() {
      throw new UnsupportedOperationException("TODO(servlet)");
    }
  }

}
