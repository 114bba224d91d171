package io.promroute.servlet;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Notices an HTTP/1.1 client closing its connection while its request waits for the shards. No
 * servlet container tells a servlet (neither {@code AsyncListener.onError} nor a {@code
 * ReadListener} fires: the container reads the connection again only once the response has ended,
 * jetty/jetty.project#824), so, once the request has been read whole, the watch reads the
 * connection itself, without blocking, every {@link #INTERVAL_MILLIS} ms, through the container's
 * own API found by reflection (as {@link ContainerAbort} does):
 *
 * <ul>
 *   <li>Jetty 12 (ee10): the core request's {@code HttpConnection}, its {@code EndPoint.fill};
 *   <li>Tomcat 10/11: the Coyote input buffer's {@code SocketWrapperBase.read(false, ...)}.
 * </ul>
 *
 * The end of the stream (or a failed read) means the client is gone; a byte read is the start of a
 * pipelined next request: it is handed back to the connection ({@code HttpConnection.onUpgradeTo},
 * {@code SocketWrapperBase.unRead}), ahead of what the container reads later, and the watch ends.
 * It never reads once {@link #stop()} has returned, which the response does before it ends.
 * Elsewhere, and for HTTP/2, nothing is watched.
 */
final class ClientCloseWatch {

  private static final System.Logger LOG = System.getLogger(PromRouteFilter.class.getName());

  /** How often a waiting request's connection is read: the most a client's close goes unnoticed. */
  static final long INTERVAL_MILLIS = 250;

  /** One container's connection, as far as the watch reads it. */
  private interface Connection {
    /**
     * Reads at most one byte, without blocking, into {@code one} (empty, for writing): 1, 0, or -1
     * at the end of the stream.
     */
    int read(ByteBuffer one) throws IOException, ReflectiveOperationException;

    /** Puts {@code read} (flipped, for reading) back in front of what the connection reads next. */
    void giveBack(ByteBuffer read) throws ReflectiveOperationException;
  }

  private final Connection connection;
  private final Runnable gone;
  private ScheduledFuture<?> task; // guarded by this
  private boolean stopped; // guarded by this

  private ClientCloseWatch(Connection connection, Runnable gone) {
    this.connection = connection;
    this.gone = gone;
  }

  /**
   * A watch that runs {@code gone} once when the client of {@code request} closes its connection,
   * not started yet; {@code null} when it cannot watch it: not HTTP/1.x, a body not read to its end
   * (a read would take its bytes), bytes of a next request already buffered, or a container it does
   * not know.
   */
  static ClientCloseWatch of(HttpServletRequest request, Runnable gone) {
    if (!"HTTP/1.1".equals(request.getProtocol()) && !"HTTP/1.0".equals(request.getProtocol())) {
      return null; // HTTP/2 reports a reset stream to the container itself
    }
    ServletRequest inner = request;
    while (inner instanceof ServletRequestWrapper wrapper) {
      inner = wrapper.getRequest();
    }
    try {
      if (!bodyRead(request)) {
        return null;
      }
      Connection connection = jetty(inner);
      if (connection == null) {
        connection = tomcat(inner);
      }
      return connection == null ? null : new ClientCloseWatch(connection, gone);
    } catch (ReflectiveOperationException | RuntimeException | IOException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "cannot watch the connection of a request of " + inner.getClass().getName(),
          e);
      return null;
    }
  }

  private static boolean bodyRead(HttpServletRequest request) throws IOException {
    if (request.getHeader("Transfer-Encoding") == null && request.getContentLengthLong() <= 0) {
      return true;
    }
    try {
      return request.getInputStream().isFinished();
    } catch (IllegalStateException readerUsed) {
      return false;
    }
  }

  /**
   * Starts reading every {@link #INTERVAL_MILLIS} ms on {@code timer}, unless {@link #stop()} came
   * first.
   */
  void start(ScheduledExecutorService timer) {
    synchronized (this) {
      if (!stopped) {
        try {
          task =
              timer.scheduleWithFixedDelay(
                  this::check, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException destroyed) {
          stopped = true; // the filter is being destroyed: the request ends with it
        }
      }
    }
  }

  /** Ends the watch: once it returns, the connection is not read by the watch again. */
  void stop() {
    ScheduledFuture<?> running;
    synchronized (this) { // waits for a read under way
      stopped = true;
      running = task;
      task = null;
    }
    if (running != null) {
      running.cancel(false);
    }
  }

  private void check() {
    boolean closed;
    synchronized (this) {
      if (stopped) {
        return;
      }
      ByteBuffer one = ByteBuffer.allocate(1);
      int read;
      try {
        read = connection.read(one);
      } catch (IOException e) {
        read = -1; // (Tomcat throws EOFException at the end of the stream)
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "cannot read the client's connection", e);
        read = 0;
        stopped = true;
      }
      if (read > 0) {
        stopped = true;
        one.flip();
        try {
          connection.giveBack(one);
        } catch (ReflectiveOperationException | RuntimeException e) {
          LOG.log(
              System.Logger.Level.WARNING,
              "could not hand a pipelined request's first byte back to the container",
              e);
        }
      }
      closed = read < 0;
      if (closed) {
        stopped = true;
      }
      if (stopped && task != null) {
        task.cancel(false);
        task = null;
      }
    }
    if (closed) {
      LOG.log(System.Logger.Level.DEBUG, "client closed its connection while the request waited");
      gone.run();
    }
  }

  // ---- Jetty 12 ----

  private static Connection jetty(ServletRequest request) throws ReflectiveOperationException {
    if (!request.getClass().getName().startsWith("org.eclipse.jetty.ee")) {
      return null;
    }
    Object core = request.getClass().getMethod("getRequest").invoke(request);
    Object metaData = method(core, "getConnectionMetaData").invoke(core);
    Object http = method(metaData, "getConnection").invoke(metaData);
    if (!http.getClass().getName().equals("org.eclipse.jetty.server.internal.HttpConnection")
        || !(Boolean) http.getClass().getMethod("isRequestBufferEmpty").invoke(http)) {
      return null; // another protocol, or a pipelined request is already read
    }
    Object endPoint = method(http, "getEndPoint").invoke(http);
    Method fill = method(endPoint, "fill", ByteBuffer.class);
    Method giveBack = http.getClass().getMethod("onUpgradeTo", ByteBuffer.class);
    return new Connection() {
      @Override
      public int read(ByteBuffer one) throws IOException, ReflectiveOperationException {
        one.flip(); // Jetty fills a buffer kept ready for reading (position 0, limit 0)
        int filled = (Integer) invoke(fill, endPoint, one);
        one.position(one.limit()); // as the caller expects: written up to the position
        return filled;
      }

      @Override
      public void giveBack(ByteBuffer read) throws ReflectiveOperationException {
        giveBack.invoke(http, read);
      }
    };
  }

  // ---- Tomcat 10/11 ----

  private static Connection tomcat(ServletRequest request) throws ReflectiveOperationException {
    if (!request.getClass().getName().equals("org.apache.catalina.connector.RequestFacade")) {
      return null;
    }
    Object connectorRequest = field(request, "request");
    Object coyote =
        connectorRequest.getClass().getMethod("getCoyoteRequest").invoke(connectorRequest);
    Object inputBuffer = coyote.getClass().getMethod("getInputBuffer").invoke(coyote);
    if (!inputBuffer.getClass().getName().equals("org.apache.coyote.http11.Http11InputBuffer")) {
      return null; // HTTP/2, AJP
    }
    ByteBuffer buffered =
        (ByteBuffer) inputBuffer.getClass().getMethod("getByteBuffer").invoke(inputBuffer);
    if (buffered != null && buffered.hasRemaining()) {
      return null; // a pipelined request is already read
    }
    Object wrapper = field(inputBuffer, "wrapper");
    Method read = method(wrapper, "read", boolean.class, ByteBuffer.class);
    Method unRead = method(wrapper, "unRead", ByteBuffer.class);
    return new Connection() {
      @Override
      public int read(ByteBuffer one) throws IOException, ReflectiveOperationException {
        return (Integer) invoke(read, wrapper, false, one);
      }

      @Override
      public void giveBack(ByteBuffer read) throws ReflectiveOperationException {
        unRead.invoke(wrapper, read);
      }
    };
  }

  /**
   * {@code name}'s public method as declared by a public class or interface of {@code target}'s.
   */
  private static Method method(Object target, String name, Class<?>... parameters)
      throws NoSuchMethodException {
    Method method = target.getClass().getMethod(name, parameters);
    method.setAccessible(true); // declared public by a class that may not be
    return method;
  }

  private static Object field(Object target, String name) throws ReflectiveOperationException {
    for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
      } catch (NoSuchFieldException e) {
        // declared further up
      }
    }
    throw new NoSuchFieldException(name);
  }

  /** Calls {@code method}, rethrowing what it threw: an {@link IOException} is the connection's. */
  private static Object invoke(Method method, Object target, Object... arguments)
      throws IOException, ReflectiveOperationException {
    try {
      return method.invoke(target, arguments);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
  }
}
