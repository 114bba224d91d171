package io.promroute.standalone;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The router's own endpoints, with Prometheus's paths and answers: {@code /-/healthy}, {@code
 * /-/ready} ({@code ?shards=all}: and every shard's own {@code /-/ready} answers 200; then also one
 * line per shard with the Prometheus version it reported), {@code POST|PUT /-/reload} and {@code
 * /-/quit} (with {@code --web.enable-lifecycle}, 403 otherwise); and a short index at {@code /}.
 */
final class AdminServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final RouterServer router;

  AdminServlet(RouterServer router) {
    this.router = requireNonNull(router, "router is null");
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = request.getRequestURI();
    String method = request.getMethod();
    boolean read = method.equals("GET") || method.equals("HEAD");
    switch (path) {
      case "/-/healthy" -> {
        if (read) {
          text(response, 200, "PromRoute is Healthy.\n");
        } else {
          notAllowed(response, "GET, HEAD");
        }
      }
      case "/-/ready" -> {
        if (!read) {
          notAllowed(response, "GET, HEAD");
        } else if (!router.isReady()) {
          text(response, 503, "Service Unavailable\n");
        } else if (request.getParameter("shards") == null) {
          text(response, 200, "PromRoute is Ready.\n");
        } else {
          // For orchestrators that should hold traffic back until the shards answer too.
          java.util.List<String> unready = router.unreadyShards();
          String versions = String.join("\n", router.shardVersionLines()) + "\n";
          if (unready.isEmpty()) {
            text(response, 200, "PromRoute is Ready.\n" + versions);
          } else {
            text(
                response, 503, "shards not ready: " + String.join(", ", unready) + "\n" + versions);
          }
        }
      }
      case "/-/reload", "/-/quit" -> {
        if (!method.equals("POST") && !method.equals("PUT")) {
          text(response, 405, "Only POST or PUT requests allowed");
        } else if (!router.lifecycleEnabled()) {
          // Prometheus's answer without --web.enable-lifecycle: anyone who reaches the port could
          // otherwise stop the router or make it re-read its file.
          text(response, 403, "Lifecycle API is not enabled.");
        } else if (path.equals("/-/quit")) {
          text(response, 200, "Requesting termination... Goodbye!");
          response.flushBuffer();
          router.stopSoon();
        } else {
          try {
            text(response, 200, router.reload() + "\n");
          } catch (RuntimeException e) {
            // Prometheus's wording; the old configuration keeps serving.
            text(response, 500, "failed to reload config: " + e.getMessage() + "\n");
          }
        }
      }
      case "/" -> {
        if (read) {
          text(response, 200, router.describe());
        } else {
          notAllowed(response, "GET, HEAD");
        }
      }
      default -> text(response, 404, "404 page not found\n");
    }
  }

  private static void notAllowed(HttpServletResponse response, String allowed) throws IOException {
    response.setHeader("Allow", allowed);
    text(response, 405, "Method Not Allowed\n");
  }

  private static void text(HttpServletResponse response, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("text/plain; charset=utf-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }
}
