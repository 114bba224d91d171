package io.promroute.standalone;

import java.time.Duration;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The router's listening connector with the limits a Prometheus client expects, instead of Jetty's:
 * a request line and headers of up to 1 MiB (Go's {@code http.DefaultMaxHeaderBytes}, which
 * Prometheus serves with; Jetty's default is 8 KiB, and a long PromQL query in a GET URL is
 * common), connections idle for {@link #IDLE_TIMEOUT} closed (a client that stops sending its
 * request or reading its answer), and at most {@link #MAX_CONNECTIONS_PER_CLIENT} connections per
 * client address. Requests over a limit are answered by the server's error handler ({@link
 * PrometheusErrorHandler}: Prometheus's JSON).
 */
public final class RouterConnectors {

  /** Go's {@code http.DefaultMaxHeaderBytes}: request line and headers. */
  public static final int MAX_HEADER_BYTES = 1 << 20;

  /** How long a connection may send and read nothing. */
  public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Connections one client address may hold open. Far above what one client needs, because one
   * address is often many users: Grafana's server sends every user's panel queries from its own
   * address, and a busy one holds hundreds of connections, which must queue for CPU like anyone
   * else's, never be cut off. It only bounds one address's share of the process's file descriptors.
   */
  public static final int MAX_CONNECTIONS_PER_CLIENT = 4096;

  private RouterConnectors() {}

  /** A connector of {@code server} with the router's limits, not yet added to it. */
  public static ServerConnector create(Server server) {
    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(MAX_HEADER_BYTES);
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
    connector.addBean(new PerClientConnectionLimit(MAX_CONNECTIONS_PER_CLIENT));
    return connector;
  }
}
