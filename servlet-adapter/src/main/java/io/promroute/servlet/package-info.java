/**
 * A Jakarta Servlet filter, {@link io.promroute.servlet.PromRouteFilter}, that serves the
 * Prometheus HTTP API over sharded Prometheus servers.
 *
 * <p>Register it for {@code /*} with async support, in front of whatever else the application
 * serves (requests that are not Prometheus API requests go down the chain). In Jetty 12:
 *
 * <pre>{@code
 * PromRouteFilter filter = PromRouteFilter.builder()
 *     .rewriter(ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build())
 *     .shard("a", ShardTarget.of("prom-a:9090"))
 *     .shard("b", ShardTarget.of("prom-b:9090"))
 *     .build();
 * ServletContextHandler context = new ServletContextHandler();
 * FilterHolder holder = new FilterHolder(filter);
 * holder.setAsyncSupported(true);
 * context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
 * context.addServlet(new ServletHolder(new DefaultServlet()), "/"); // or the application's servlets
 * }</pre>
 *
 * <p>In {@code web.xml}: {@code <filter>} with {@code <async-supported>true</async-supported>} and
 * the init-param {@code config} naming the YAML file ({@link io.promroute.servlet.RouterConfig}).
 * With {@code ServletContext.addFilter}, call {@code setAsyncSupported(true)} on the registration.
 *
 * <p>How requests are answered: by core's transport-free engine, {@code io.promroute.router} (the
 * route table is in {@code Engine}; the pure request-to-route mapping in {@code Router}; the
 * asynchronous exchange with the shards in {@code Exchange}; the JSON transformations in core's
 * {@link io.promroute.api.ResponseTransformer}). This package adapts the Servlet API to it ({@code
 * ServletApiRequest}, {@code ServletAsyncResponse}) and reads the YAML configuration.
 */
package io.promroute.servlet;
