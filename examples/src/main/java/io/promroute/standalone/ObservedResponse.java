package io.promroute.standalone;

import io.promroute.api.ApiError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A response that keeps the start of an error answer, so that the access log can say why a request
 * failed. (How many bytes went out Jetty counts itself.)
 */
final class ObservedResponse extends Response.Wrapper {

  /** Prometheus's error envelope is small; a longer body is not one. */
  private static final int KEPT_ERROR_BYTES = 4096;

  private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();

  ObservedResponse(Request request, Response response) {
    super(request, response);
  }

  @Override
  public void write(boolean last, ByteBuffer content, Callback callback) {
    if (content != null && content.hasRemaining() && getStatus() >= 400) {
      ByteBuffer copy = content.slice(); // leaves the caller's position alone
      synchronized (errorBody) {
        int length = Math.min(KEPT_ERROR_BYTES - errorBody.size(), copy.remaining());
        if (length > 0) {
          byte[] bytes = new byte[length];
          copy.get(bytes);
          errorBody.write(bytes, 0, length);
        }
      }
    }
    super.write(last, content, callback);
  }

  @Override
  public void reset() {
    super.reset();
    synchronized (errorBody) {
      errorBody.reset(); // the error writer resets what a failed answer had started
    }
  }

  /**
   * The {@code error} of a Prometheus error envelope, or of a plain text answer its first line;
   * {@code null} for a success.
   */
  String error(int status) {
    if (status < 400) {
      return null;
    }
    byte[] body;
    synchronized (errorBody) {
      body = errorBody.toByteArray();
    }
    ApiError error = ApiError.fromShard(status, body, "");
    if (error != null) {
      return error.message();
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
