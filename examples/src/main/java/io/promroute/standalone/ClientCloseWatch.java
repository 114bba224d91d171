package io.promroute.standalone;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices an HTTP/1.1 client closing its connection while its request waits for the shards, as Go's
 * HTTP server does: once the request has been read whole, it asks the connection to call back when
 * it becomes readable, and reads one byte. The end of the stream means the client is gone; a byte
 * is the start of a pipelined next request, handed back to the connection (ahead of anything Jetty
 * reads later) and the watch ends.
 *
 * <p>Jetty itself reads an HTTP/1.1 connection again only once the response has ended (its fill
 * interest during a request serves the request's own body), so a client that closes its socket
 * while the router writes nothing would otherwise go unnoticed until the deadline
 * (jetty/jetty.project#824). The watch must be {@link #stop() stopped} before the response ends:
 * Jetty breaks off a connection that still has a read pending when its response completes. The
 * connection's internal class is used for what the API does not offer: whether bytes of a pipelined
 * request are already buffered (then nothing is watched), and handing one back.
 */
final class ClientCloseWatch implements Callback {

  private static final System.Logger LOG = System.getLogger(ClientCloseWatch.class.getName());

  private final HttpConnection connection;
  private final AbstractEndPoint endPoint;
  private final Runnable gone;
  private boolean stopped; // guarded by this
  private boolean pending; // a read interest of ours is registered; guarded by this

  private ClientCloseWatch(HttpConnection connection, AbstractEndPoint endPoint, Runnable gone) {
    this.connection = connection;
    this.endPoint = endPoint;
    this.gone = gone;
  }

  /**
   * A watch of {@code request}'s connection that runs {@code gone} once when the client closes it,
   * not started yet; {@code null} when the request is not one it can watch: not HTTP/1.x over
   * Jetty's connection, or with a body still to be read (a read would take its bytes).
   *
   * @param bodyRead whether the request's body, if it has one, has been read to its end
   */
  static ClientCloseWatch of(Request request, boolean bodyRead, Runnable gone) {
    HttpVersion version = request.getConnectionMetaData().getHttpVersion();
    if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
      return null; // HTTP/2 and 3 report a reset stream as a failure of the request
    }
    if (!bodyRead
        && (request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)
            || request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH) > 0)) {
      return null;
    }
    if (!(request.getConnectionMetaData().getConnection() instanceof HttpConnection http)
        || !(http.getEndPoint() instanceof AbstractEndPoint endPoint)) {
      return null;
    }
    return new ClientCloseWatch(http, endPoint, gone);
  }

  /** Starts watching, unless {@link #stop()} came first. */
  void start() {
    synchronized (this) {
      if (stopped || !connection.isRequestBufferEmpty()) {
        // A pipelined request already waits: it is read after this one, and the client still sends.
        return;
      }
      pending = endPoint.tryFillInterested(this);
    }
  }

  /**
   * Ends the watch, before the response ends: a read interest of ours still registered is withdrawn
   * (its callback, called here, does nothing), so that Jetty finds none when the response
   * completes, and nothing of the connection is read by the watch afterwards.
   */
  void stop() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
      if (pending && endPoint.isFillInterested()) {
        // Nobody else reads the connection while the request is handled and its body was read:
        // the interest is ours. fillable() takes it and calls succeeded(), which sees stopped.
        endPoint.getFillInterest().fillable();
      }
      pending = false;
    }
  }

  /** The connection is readable: the client closed it, or sent more. */
  @Override
  public void succeeded() {
    synchronized (this) {
      pending = false;
      if (stopped) {
        return;
      }
      ByteBuffer one = BufferUtil.allocate(1);
      int filled;
      try {
        filled = endPoint.fill(one);
      } catch (IOException e) {
        filled = -1;
      }
      if (filled == 0) {
        pending = endPoint.tryFillInterested(this); // woken for nothing (TLS records, say)
        return;
      }
      stopped = true;
      if (filled > 0) {
        // The first byte of a pipelined request: the connection parses it before anything it reads
        // later.
        connection.onUpgradeTo(one);
        return;
      }
    }
    LOG.log(System.Logger.Level.DEBUG, "client closed its connection while the request waited");
    gone.run();
  }

  /** The connection failed or was closed under the watch: the client is gone. */
  @Override
  public void failed(Throwable failure) {
    synchronized (this) {
      pending = false;
      if (stopped) {
        return;
      }
      stopped = true;
    }
    if (!(failure instanceof TimeoutException)) { // an idle timeout is the request's to judge
      gone.run();
    }
  }

  /**
   * The callback reads without blocking, but may end the exchange: not on the selector's thread.
   */
  @Override
  public InvocationType getInvocationType() {
    return InvocationType.BLOCKING;
  }
}
