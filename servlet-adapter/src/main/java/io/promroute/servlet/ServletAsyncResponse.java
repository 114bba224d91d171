package io.promroute.servlet;

import io.promroute.router.AsyncResponse;
import io.promroute.router.Exchange;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The response of a started {@link AsyncContext} as the engine writes it, and the container's async
 * events passed on to the engine's {@link Exchange}.
 */
final class ServletAsyncResponse implements AsyncResponse, AsyncListener {

  private static final System.Logger LOG = System.getLogger(PromRouteFilter.class.getName());

  private final AsyncContext async;
  private final HttpServletResponse response;
  private volatile Exchange exchange;
  private final java.util.concurrent.atomic.AtomicBoolean ended =
      new java.util.concurrent.atomic.AtomicBoolean();
  // Run as the response ends, before the container hears of it (the client-close watch must stop
  // first).
  private volatile Runnable beforeEnd;

  ServletAsyncResponse(AsyncContext async, HttpServletResponse response) {
    this.async = async;
    this.response = response;
  }

  /** Passes the container's events to {@code exchange} from now on. */
  void listen(Exchange exchange) {
    this.exchange = exchange;
    async.addListener(this);
  }

  @Override
  public void setStatus(int status) {
    response.setStatus(status);
  }

  @Override
  public void setContentType(String contentType) {
    response.setContentType(contentType);
  }

  @Override
  public void setHeader(String name, String value) {
    response.setHeader(name, value);
  }

  @Override
  public OutputStream getOutputStream() throws IOException {
    return response.getOutputStream();
  }

  @Override
  public boolean isCommitted() {
    return response.isCommitted();
  }

  @Override
  public void reset() {
    response.reset();
  }

  /**
   * Has {@code action} run once as the response ends (completed, aborted, or ended by the
   * container), before the container is told.
   *
   * @return {@code false} when the response has already ended: then it does not run
   */
  boolean beforeEnd(Runnable action) {
    beforeEnd = action;
    // (ended is set before beforeEnd is read: whichever comes second sees the other.)
    return !ended.get();
  }

  /** Whether the response has ended, or is ending. */
  boolean ended() {
    return ended.get();
  }

  private void ending() {
    if (ended.compareAndSet(false, true)) {
      Runnable action = beforeEnd;
      if (action != null) {
        action.run();
      }
    }
  }

  @Override
  public void complete() {
    ending();
    try {
      async.complete();
    } catch (IllegalStateException alreadyCompleted) {
      // the container completed it after a client error
    }
  }

  /**
   * Breaks the connection off through the container ({@link ContainerAbort}: Jetty and Tomcat); in
   * another container the answer is completed as it stands, cut short, which a client parsing it
   * sees as invalid JSON.
   */
  @Override
  public void abort(Throwable cause) {
    LOG.log(System.Logger.Level.DEBUG, "answer aborted", cause);
    ending();
    ContainerAbort.abort(response, cause);
    complete();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    ending();
    exchange.onTimeout();
  }

  @Override
  public void onError(AsyncEvent event) {
    ending();
    exchange.onError();
  }

  @Override
  public void onComplete(AsyncEvent event) {
    ending();
    exchange.onComplete();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}
}
