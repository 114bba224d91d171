package io.promroute.servlet.it;

import jakarta.servlet.Filter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * A filter (the router) in embedded Tomcat 11 on 127.0.0.1 and an ephemeral port, as {@link
 * JettyRouter} does in Jetty.
 */
public final class TomcatRouter implements AutoCloseable {

  private final Tomcat tomcat;
  private final Path baseDir;
  private final URI baseUri;

  private TomcatRouter(Tomcat tomcat, Path baseDir, URI baseUri) {
    this.tomcat = tomcat;
    this.baseDir = baseDir;
    this.baseUri = baseUri;
  }

  public static TomcatRouter start(Filter filter) throws Exception {
    Path baseDir = Files.createTempDirectory("promroute-tomcat-");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    FilterDef filterDef = new FilterDef();
    filterDef.setFilter(filter);
    addContext(tomcat, "", baseDir, filterDef);
    tomcat.start();
    return new TomcatRouter(
        tomcat, baseDir, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
  }

  /**
   * Adds a context at {@code path} whose requests go through the filter {@code filterDef} (named
   * and marked async here) to a servlet that answers what it passes down the chain.
   */
  static Context addContext(Tomcat tomcat, String path, Path docBase, FilterDef filterDef) {
    Context context = tomcat.addContext(path, docBase.toString());
    Wrapper servlet =
        Tomcat.addServlet(context, "fallthrough", new JettyRouter.FallthroughServlet());
    servlet.setAsyncSupported(true);
    context.addServletMapping("/", "fallthrough");
    filterDef.setFilterName("promroute");
    filterDef.setAsyncSupported("true");
    context.addFilterDef(filterDef);
    FilterMap filterMap = new FilterMap();
    filterMap.setFilterName("promroute");
    filterMap.addURLPattern("/*");
    context.addFilterMap(filterMap);
    return context;
  }

  public URI baseUri() {
    return baseUri;
  }

  @Override
  public void close() throws java.io.IOException, org.apache.catalina.LifecycleException {
    tomcat.stop();
    tomcat.destroy();
    try (Stream<Path> paths = Files.walk(baseDir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
