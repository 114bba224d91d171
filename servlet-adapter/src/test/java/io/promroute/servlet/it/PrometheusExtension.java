package io.promroute.servlet.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes the {@link PrometheusFixture}, started once per JVM (on first use) and stopped
 * when every test has run. Use with {@code @ExtendWith(PrometheusExtension.class)} and a {@code
 * PrometheusFixture} parameter (constructor, {@code @BeforeAll} or test method).
 *
 * <p>Without {@code prometheus} and {@code promtool}, the test classes are skipped with a message
 * saying how to install them, except when the environment variable {@code CI} is {@code true}: then
 * they fail.
 */
public final class PrometheusExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PrometheusExtension.class);

  private static volatile boolean warned;

  @Override
  public void beforeAll(ExtensionContext context) {
    fixture(context);
  }

  /** The shared fixture, started if needed; skips (or, in CI, fails) without the binaries. */
  public static PrometheusFixture fixture(ExtensionContext context) {
    if (PrometheusFixture.binaries().isEmpty()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true and " + PrometheusFixture.INSTALL_HINT);
      }
      // Surefire does not count classes aborted in @BeforeAll as skipped: say it on the console.
      if (!warned) {
        warned = true;
        System.err.println(
            "WARNING: skipping the integration tests: " + PrometheusFixture.INSTALL_HINT);
      }
      Assumptions.abort("skipped: " + PrometheusFixture.INSTALL_HINT);
    }
    // The root store closes the fixture (AutoCloseable) after the last test of the JVM.
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            PrometheusFixture.class,
            type -> {
              try {
                PrometheusFixture fixture = PrometheusFixture.start();
                System.err.println("PrometheusFixture: " + fixture.timings() + ": " + fixture);
                return fixture;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            PrometheusFixture.class);
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == PrometheusFixture.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return fixture(extensionContext);
  }
}
