package io.promroute.examples;

import io.promroute.router.ShardTarget;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.shard.ShardRewriter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The filter in an existing web application, registered the portable way, with {@link
 * ServletContext#addFilter} when the application starts: the same code works in Tomcat, Undertow or
 * any Servlet 6 container. The application keeps its own pages; Grafana gets the Prometheus API
 * under {@code /prometheus}.
 *
 * <pre>
 * java -cp promroute-standalone.jar io.promroute.examples.ServletContainerExample 8080 a=127.0.0.1:9191 b=127.0.0.1:9192
 * </pre>
 */
public final class ServletContainerExample {

  private ServletContainerExample() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ServletContainerExample PORT SHARD=HOST:PORT...");
      System.exit(2);
    }
    Map<String, String> shards = new LinkedHashMap<>();
    for (String arg : List.of(args).subList(1, args.length)) {
      String[] keyAndAddress = arg.split("=", 2);
      shards.put(keyAndAddress[0], keyAndAddress[1]);
    }
    start(Integer.parseInt(args[0]), shards, System.out).join();
  }

  /** Starts the application on 127.0.0.1:{@code port} (0 for any free port). */
  static Server start(int port, Map<String, String> shards, PrintStream out) throws Exception {
    Server server = new Server(new InetSocketAddress("127.0.0.1", port));
    ServletContextHandler context = new ServletContextHandler("/");

    // The application's own servlet. async-supported, because the filter's paths map to it too.
    ServletHolder application = new ServletHolder(new HelloServlet());
    application.setAsyncSupported(true);
    context.addServlet(application, "/");

    // What a ServletContainerInitializer or a framework's start-up hook would do.
    context.addEventListener(
        new ServletContextListener() {
          @Override
          public void contextInitialized(ServletContextEvent event) {
            PromRouteFilter.Builder filter =
                PromRouteFilter.builder()
                    .rewriter(
                        ShardRewriter.builder()
                            .shardLabel("cluster")
                            .shards(List.copyOf(shards.keySet()))
                            .build())
                    .pathPrefix("/prometheus");
            shards.forEach((key, address) -> filter.shard(key, ShardTarget.of(address)));

            FilterRegistration.Dynamic registration =
                event.getServletContext().addFilter("promroute", filter.build());
            registration.setAsyncSupported(true);
            registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
          }
        });

    server.setHandler(context);
    server.start();
    int actualPort = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    out.println("application: http://127.0.0.1:" + actualPort + "/");
    out.println("Grafana data source URL: http://127.0.0.1:" + actualPort + "/prometheus");
    return server;
  }

  /** Stands for the application that the filter is added to. */
  static final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType("text/plain; charset=utf-8");
      response.getWriter().println("hello from the application at " + request.getRequestURI());
    }
  }
}
