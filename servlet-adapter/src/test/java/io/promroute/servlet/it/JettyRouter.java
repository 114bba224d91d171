package io.promroute.servlet.it;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A filter (the router) in a real Jetty 12 server on 127.0.0.1 and an ephemeral port, in front of a
 * servlet that answers every request the filter passes down the chain with status 200 and {@link
 * #FALLTHROUGH} followed by the request path.
 */
public final class JettyRouter implements AutoCloseable {

  /** The start of the body of a request the filter did not answer itself. */
  public static final String FALLTHROUGH = "fallthrough:";

  private final Server server;
  private final URI baseUri;

  private JettyRouter(Server server, URI baseUri) {
    this.server = server;
    this.baseUri = baseUri;
  }

  public static JettyRouter start(Filter filter) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    FilterHolder filterHolder = new FilterHolder(filter);
    filterHolder.setAsyncSupported(true);
    context.addFilter(filterHolder, "/*", EnumSet.of(DispatcherType.REQUEST));
    ServletHolder servletHolder = new ServletHolder(new FallthroughServlet());
    servletHolder.setAsyncSupported(true);
    context.addServlet(servletHolder, "/");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    return new JettyRouter(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()));
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI baseUri() {
    return baseUri;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping Jetty", e);
    }
  }

  /** Answers what the filter passed down the chain. */
  public static final class FallthroughServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setStatus(200);
      response.setContentType("text/plain;charset=utf-8");
      response.getWriter().print(FALLTHROUGH + request.getRequestURI());
    }
  }
}
