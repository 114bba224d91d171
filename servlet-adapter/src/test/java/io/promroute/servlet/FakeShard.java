package io.promroute.servlet;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A hand-written Prometheus shard on 127.0.0.1: answers each API path with a canned JSON body and
 * records every request it receives.
 */
final class FakeShard implements AutoCloseable {

  /** A request as the shard saw it. */
  record Received(
      String method, String path, String query, String body, Map<String, String> headers) {}

  private record Answer(int status, String json) {}

  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  final List<Received> received = new CopyOnWriteArrayList<>();

  FakeShard() throws Exception {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback)
              throws Exception {
            String body = Content.Source.asString(request, StandardCharsets.UTF_8);
            Map<String, String> headers = new ConcurrentHashMap<>();
            for (HttpField field : request.getHeaders()) {
              headers.merge(field.getLowerCaseName(), field.getValue(), (a, b) -> a + "," + b);
            }
            String path = request.getHttpURI().getPath();
            received.add(
                new Received(
                    request.getMethod(), path, request.getHttpURI().getQuery(), body, headers));
            Answer answer =
                answers.getOrDefault(
                    path,
                    new Answer(
                        404,
                        "{\"status\":\"error\",\"errorType\":\"not_found\",\"error\":\"no answer\"}"));
            response.setStatus(answer.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            Content.Sink.write(response, true, answer.json(), callback);
            return true;
          }
        });
    server.start();
  }

  FakeShard answer(String path, String json) {
    return answer(path, 200, json);
  }

  FakeShard answer(String path, int status, String json) {
    answers.put(path, new Answer(status, json));
    return this;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  Received only() {
    if (received.size() != 1) {
      throw new AssertionError("expected one request, got " + received);
    }
    return received.get(0);
  }

  @Override
  public void close() {
    // Not "throws Exception" (Jetty's stop does): an AutoCloseable whose close may throw
    // InterruptedException is a lint warning, and the build fails on warnings.
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping the fake shard failed", e);
    }
  }
}
