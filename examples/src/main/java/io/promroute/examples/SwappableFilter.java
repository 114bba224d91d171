package io.promroute.examples;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A filter whose work is done by another that can be replaced while requests run: a reload swaps
 * in a filter built from the new configuration, and each request uses the one that was current
 * when it arrived.
 */
final class SwappableFilter implements Filter {

  private final AtomicReference<Filter> delegate;
  private volatile FilterConfig filterConfig;

  SwappableFilter(Filter initial) {
    this.delegate = new AtomicReference<>(requireNonNull(initial, "initial is null"));
  }

  /**
   * Initializes {@code next} as the container initialized the first filter, installs it, and
   * returns the filter it replaces, which may still be serving requests.
   *
   * @throws IllegalStateException if {@code next} fails to initialize; nothing is swapped then
   */
  Filter swap(Filter next) {
    requireNonNull(next, "next is null");
    FilterConfig config = filterConfig;
    if (config != null) {
      try {
        next.init(config);
      } catch (ServletException e) {
        throw new IllegalStateException("the new filter failed to start: " + e.getMessage(), e);
      }
    }
    return delegate.getAndSet(next);
  }

  Filter current() {
    return delegate.get();
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    filterConfig = config;
    delegate.get().init(config);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    delegate.get().doFilter(request, response, chain);
  }

  @Override
  public void destroy() {
    delegate.get().destroy();
  }
}
