package io.promroute.standalone;

import static java.util.Objects.requireNonNull;

import io.promroute.api.ApiError;
import io.promroute.router.Engine;
import io.promroute.router.Exchange;
import io.promroute.servlet.PromRouteFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Serves the Prometheus API paths of an {@link Engine} with Jetty 12's own handler API, no servlet
 * layer in between; every other request goes to the wrapped handler (the router's admin pages and
 * {@code /metrics}). No thread waits: a form body is read as it arrives ({@link FormBodyReader}),
 * the shards are asked asynchronously, and the answer is written by the engine's threads.
 *
 * <p>The engine is asked for on every request, so that a reload can replace it while requests of
 * the old one finish.
 */
public final class ApiHandler extends Handler.Wrapper {

  /**
   * Told about each API request as its exchange starts, on the starting thread: the exchange routes
   * the request and sends its shard requests before {@code start} returns, so an observer that
   * notes shard requests per thread (metrics, access log) wraps it.
   */
  @FunctionalInterface
  public interface StartListener {
    void starting(Request request, Runnable start);
  }

  /**
   * The request attribute holding the form body of an API {@code POST} once it has been read (a
   * {@code byte[]}, at most the engine's limit plus one byte), for observers: the access log shows
   * the query Grafana POSTs. It is the array the engine parses, counted against the memory budget
   * until the request ends: read it, never change it.
   */
  public static final String FORM_BODY_ATTRIBUTE = ApiHandler.class.getName() + ".formBody";

  // Where one API request is: the body arrives, then the exchange runs; a timeout or a failure
  // before the exchange starts ends the request instead.
  private static final int READING = 0;
  private static final int STARTED = 1;
  private static final int ENDED = 2;

  private final Supplier<Engine> engine;
  private final StartListener listener;

  /**
   * @param engine the engine serving the request that arrives now
   * @param listener told as each exchange starts
   * @param next every request that is not the engine's
   */
  public ApiHandler(Supplier<Engine> engine, StartListener listener, Handler next) {
    super(next);
    this.engine = requireNonNull(engine, "engine is null");
    this.listener = requireNonNull(listener, "listener is null");
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    Engine current = engine.get();
    if (!current.serves(request.getHttpURI().getPath())) {
      return super.handle(request, response, callback);
    }
    JettyApiRequest apiRequest = new JettyApiRequest(request);
    JettyAsyncResponse answer = new JettyAsyncResponse(response, callback);
    Exchange exchange = current.exchange(apiRequest, answer);
    AtomicInteger state = new AtomicInteger(READING);

    Scheduler.Task timeout =
        request
            .getComponents()
            .getScheduler()
            .schedule(
                () -> {
                  if (state.compareAndSet(READING, ENDED)) {
                    // The client did not finish sending its body in the time a whole answer may
                    // take.
                    writeError(
                        answer,
                        new ApiError(408, "bad_data", "the request body did not arrive in time"));
                  } else {
                    exchange.onTimeout();
                  }
                },
                current.answerTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    Request.addCompletionListener(
        request,
        failure -> {
          timeout.cancel();
          exchange.onComplete();
        });
    // The connector's idle timeout is for a client that stops sending its request. Once the
    // exchange runs, the client waits on the router (a cross-shard query may compute for longer
    // than the idle timeout, writing nothing): the answer deadline bounds that, so the idle timeout
    // is ignored then, instead of failing the request and leaving the client an empty 200. A
    // write the client does not read still times out (Jetty fails pending writes itself).
    request.addIdleTimeoutListener(idle -> state.get() == READING);
    request.addFailureListener(
        failure -> {
          if (state.compareAndSet(READING, ENDED)) {
            answer.abort(failure);
          } else {
            exchange.onError();
          }
        });

    // While the shards are asked, nothing reads the connection: the watch notices a client that
    // closes it, so that its shard requests are cancelled at once instead of at the deadline.
    Runnable clientGone =
        () -> {
          answer.abort(new org.eclipse.jetty.io.EofException("the client closed its connection"));
          exchange.onError();
        };
    java.util.function.Consumer<Boolean> start =
        bodyRead -> {
          if (state.compareAndSet(READING, STARTED)) {
            ClientCloseWatch watch = ClientCloseWatch.of(request, bodyRead, clientGone);
            if (watch != null && !answer.beforeEnd(watch::stop)) {
              watch = null; // answered meanwhile (a reload's race): nothing to watch
            }
            listener.starting(request, exchange::start);
            if (watch != null) {
              watch
                  .start(); // after start(): most requests are answered or refused there, unwatched
            }
            // For observers, as the servlet filter does: how the request was planned.
            String kind = exchange.routeKind();
            if (kind != null) {
              request.setAttribute(PromRouteFilter.PLAN_KIND_ATTRIBUTE, kind);
            }
          }
        };
    if (hasForm(request)) {
      new FormBodyReader(
              request,
              exchange.bodyBuffer(), // the exchange parses what it keeps, without another copy
              (body, ended) -> {
                request.setAttribute(FORM_BODY_ATTRIBUTE, body); // the same array, not a copy
                start.accept(ended);
              },
              refusal -> {
                if (state.compareAndSet(READING, ENDED)) {
                  writeError(answer, refusal); // the memory budget has no room for the body
                }
              },
              failure -> {
                if (state.compareAndSet(READING, ENDED)) {
                  answer.abort(failure); // the client is gone or idle too long: nobody to answer
                }
              })
          .run();
    } else {
      start.accept(false); // Prometheus reads no parameters from other bodies; Jetty discards them
    }
    return true;
  }

  /**
   * Whether the request's body holds parameters the engine reads: a URL-encoded form, or a
   * multipart form (Prometheus's handlers read both).
   */
  private static boolean hasForm(Request request) {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (!request.getMethod().equals("POST") || type == null) {
      return false;
    }
    String lower = type.toLowerCase(Locale.ROOT).trim();
    return lower.startsWith("application/x-www-form-urlencoded")
        || lower.startsWith("multipart/form-data");
  }

  private static void writeError(JettyAsyncResponse answer, ApiError error) {
    answer.setStatus(error.status());
    answer.setContentType("application/json");
    try {
      answer.getOutputStream().write(error.toJson().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(
          e); // cannot happen: a small body stays in memory until complete()
    }
    answer.complete();
  }
}
