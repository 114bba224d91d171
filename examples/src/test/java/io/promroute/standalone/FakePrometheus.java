package io.promroute.standalone;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for one shard's Prometheus on 127.0.0.1: answers {@code /api/v1/query} with one {@code
 * up} series of its instance (without the shard label, as prome-route's shards store it), and
 * remembers the queries it was sent; answers its build info ({@link #VERSION}) and {@code /-/ready}
 * as Prometheus does.
 */
public final class FakePrometheus implements AutoCloseable {

  public static final String VERSION = "2.42.0";

  public final List<String> queries = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  public FakePrometheus(String instance) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/query",
        exchange -> {
          String form = exchange.getRequestURI().getRawQuery();
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          for (String part : ((form == null ? "" : form) + "&" + body).split("&")) {
            if (part.startsWith("query=")) {
              queries.add(URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8));
            }
          }
          byte[] answer =
              ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                      + "{\"metric\":{\"__name__\":\"up\",\"instance\":\""
                      + instance
                      + "\",\"job\":\"node\"},"
                      + "\"value\":[1767268800,\"1\"]}]}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    server.createContext(
        "/api/v1/status/buildinfo",
        exchange ->
            answer(
                exchange,
                "application/json",
                "{\"status\":\"success\",\"data\":{\"version\":\""
                    + VERSION
                    + "\",\"revision\":\"x\",\"branch\":\"HEAD\"}}"));
    server.createContext(
        "/-/ready", exchange -> answer(exchange, "text/plain", "Prometheus Server is Ready.\n"));
    server.start();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
