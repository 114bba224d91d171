package io.promroute.standalone;

import io.promroute.api.ApiError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself (a URL or headers over the limit, a malformed request, a failure
 * before any answer) in Prometheus's JSON envelope instead of Jetty's HTML page, so that every
 * answer a Prometheus client gets from the router is one it can parse.
 */
public final class PrometheusErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    byte[] json = json(code, message).getBytes(StandardCharsets.UTF_8);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, json.length);
    response.write(true, ByteBuffer.wrap(json), callback);
  }

  // Deprecated for removal in Jetty 12.1 with no replacement yet for a request Jetty refuses
  // before any handler runs (a URL or headers over the limits): the one way to answer it in JSON.
  @SuppressWarnings("removal")
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(json(status, reason).getBytes(StandardCharsets.UTF_8));
  }

  /** 4xx are the request's fault ({@code bad_data}); 5xx the router's ({@code internal}). */
  private static String json(int status, String message) {
    String text = message != null && !message.isBlank() ? message : HttpStatus.getMessage(status);
    return new ApiError(status, status < 500 ? "bad_data" : "internal", text).toJson();
  }
}
