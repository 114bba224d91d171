package io.promroute.standalone;

import io.promroute.router.AsyncResponse;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A Jetty {@link Response} and the {@link Callback} that ends it, as the engine answers: the engine
 * ends it once, normally ({@link #complete()}: the last write completes the callback) or not
 * ({@link #abort}: the callback fails, and Jetty breaks the connection off, so a client whose
 * answer was already under way sees a transport error, never an answer that looks whole).
 */
final class JettyAsyncResponse implements AsyncResponse {

  private static final System.Logger LOG = System.getLogger(JettyAsyncResponse.class.getName());

  private final Response response;
  private final Callback callback;
  private final AtomicBoolean ended = new AtomicBoolean();
  // Run as the response ends, before Jetty hears of it (the client-close watch must stop first).
  private volatile Runnable beforeEnd;
  private ResponseBody body;

  JettyAsyncResponse(Response response, Callback callback) {
    this.response = response;
    this.callback = callback;
  }

  @Override
  public void setStatus(int status) {
    response.setStatus(status);
  }

  @Override
  public void setContentType(String contentType) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
  }

  @Override
  public void setHeader(String name, String value) {
    response.getHeaders().put(name, value);
  }

  @Override
  public OutputStream getOutputStream() {
    if (body == null) {
      body = new ResponseBody(response);
    }
    return body;
  }

  @Override
  public boolean isCommitted() {
    return response.isCommitted();
  }

  @Override
  public void reset() {
    if (response.isCommitted()) {
      throw new IllegalStateException("the response is committed");
    }
    response.reset();
    if (body != null) {
      body.discard();
    }
  }

  /**
   * Has {@code action} run once as the response ends, before Jetty is told.
   *
   * @return {@code false} when the response has already ended: then it does not run
   */
  boolean beforeEnd(Runnable action) {
    beforeEnd = action;
    // (ended is set before beforeEnd is read: whichever comes second sees the other.)
    return !ended.get();
  }

  private void ending() {
    Runnable action = beforeEnd;
    if (action != null) {
      action.run();
    }
  }

  /** Whether the response has been ended, by the engine or by the handler. */
  boolean ended() {
    return ended.get();
  }

  @Override
  public void complete() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    ending();
    try {
      if (body != null) {
        body.finish(callback);
      } else {
        if (!response.isCommitted()) {
          response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        }
        response.write(true, null, callback);
      }
    } catch (RuntimeException e) {
      callback.failed(e);
    }
  }

  @Override
  public void abort(Throwable cause) {
    if (ended.compareAndSet(false, true)) {
      ending();
      LOG.log(System.Logger.Level.DEBUG, "answer aborted", cause);
      callback.failed(cause);
    }
  }
}
