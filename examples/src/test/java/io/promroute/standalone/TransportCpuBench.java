package io.promroute.standalone;

import io.promroute.router.Engine;
import io.promroute.router.ShardTarget;
import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamResponse;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.shard.ShardRewriter;
import jakarta.servlet.DispatcherType;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Not a test: the process {@code benchmarks/transport-cpu.sh} loads with wrk. One JVM, one engine
 * configuration, two transports on two ports given as arguments: the servlet filter in a servlet
 * context (what the standalone router ran before) and {@link ApiHandler} on the router's connector.
 * The shards answer from memory (a 168-byte vector, as Prometheus answers {@code up}), so the
 * process's CPU per request is the transport's and the engine's, with no upstream HTTP; loading the
 * two ports in turn compares the transports in the same JIT and heap.
 */
public final class TransportCpuBench {

  private static final byte[] ANSWER =
      ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
              + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"localhost:9090\",\"job\":\"prometheus\"},"
              + "\"value\":[1700000000,\"1\"]}]}}")
          .getBytes(StandardCharsets.UTF_8);

  private TransportCpuBench() {}

  public static void main(String[] args) throws Exception {
    UpstreamClient inMemory =
        request ->
            CompletableFuture.completedFuture(
                new UpstreamResponse() {
                  @Override
                  public int status() {
                    return 200;
                  }

                  @Override
                  public Map<String, List<String>> headers() {
                    return Map.of("content-type", List.of("application/json"));
                  }

                  @Override
                  public InputStream body() {
                    return new ByteArrayInputStream(ANSWER);
                  }

                  @Override
                  public void close() {}
                });
    PromRouteFilter.Builder builder =
        PromRouteFilter.builder()
            .rewriter(
                ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build())
            .shard("a", ShardTarget.of("127.0.0.1:1"))
            .shard("b", ShardTarget.of("127.0.0.1:2"))
            .upstreamClient(inMemory);

    Server servlet = new Server();
    ServerConnector servletConnector = new ServerConnector(servlet);
    servletConnector.setHost("127.0.0.1");
    servletConnector.setPort(Integer.parseInt(args[0]));
    servlet.addConnector(servletConnector);
    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder holder = new FilterHolder(builder.build());
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    servlet.setHandler(context);
    servlet.start();

    Engine engine = builder.buildEngine();
    Server core = new Server();
    ServerConnector coreConnector = RouterConnectors.create(core);
    coreConnector.setHost("127.0.0.1");
    coreConnector.setPort(Integer.parseInt(args[1]));
    core.addConnector(coreConnector);
    Handler notFound =
        new Handler.Abstract() {
          @Override
          public boolean handle(
              org.eclipse.jetty.server.Request request,
              org.eclipse.jetty.server.Response response,
              org.eclipse.jetty.util.Callback callback) {
            return false;
          }
        };
    core.setHandler(new ApiHandler(() -> engine, (request, start) -> start.run(), notFound));
    core.setErrorHandler(new PrometheusErrorHandler());
    core.start();

    System.out.println("ready " + ManagementFactory.getRuntimeMXBean().getPid());
    servlet.join();
  }
}
