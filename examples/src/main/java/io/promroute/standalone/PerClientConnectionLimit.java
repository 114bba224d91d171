package io.promroute.standalone;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;

/**
 * At most so many open connections from one client address: one client opening connection after
 * connection (and trickling on each) cannot take every socket and buffer the router has. A
 * connection over the limit is closed as soon as it opens. Add it to a connector as a bean.
 */
public final class PerClientConnectionLimit implements Connection.Listener {

  private final int limit;
  private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
  // Each connection's client, noted when it opens: a closed socket no longer knows its peer.
  private final ConcurrentHashMap<Connection, InetAddress> clients = new ConcurrentHashMap<>();

  /**
   * @param limit the most connections one client address may hold open; positive
   */
  public PerClientConnectionLimit(int limit) {
    if (limit <= 0) {
      throw new IllegalArgumentException("limit must be positive: " + limit);
    }
    this.limit = limit;
  }

  @Override
  public void onOpened(Connection connection) {
    InetAddress client = client(connection);
    if (client == null) {
      return;
    }
    clients.put(connection, client);
    int count = open.computeIfAbsent(client, key -> new AtomicInteger()).incrementAndGet();
    if (count > limit) {
      connection.close();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    InetAddress client = clients.remove(connection);
    if (client == null) {
      return;
    }
    // Removed when the last connection closes, so the map holds only clients now connected.
    open.computeIfPresent(client, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  /** Connections now open from {@code client}. */
  int open(InetAddress client) {
    AtomicInteger count = open.get(client);
    return count == null ? 0 : count.get();
  }

  private static InetAddress client(Connection connection) {
    SocketAddress address = connection.getEndPoint().getRemoteSocketAddress();
    return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
  }
}
