package io.promroute.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An error answered in Prometheus's JSON envelope, {@code
 * {"status":"error","errorType":"bad_data","error":"..."}}, with its HTTP status.
 *
 * @param status the HTTP status code
 * @param errorType Prometheus's {@code errorType}: {@code bad_data}, {@code execution}, {@code
 *     timeout}, {@code canceled}, {@code internal}, {@code unavailable}, ...
 * @param message the {@code error} text
 */
public record ApiError(int status, String errorType, String message) {

  public ApiError {
    requireNonNull(errorType, "errorType is null");
    requireNonNull(message, "message is null");
  }

  /** 400 {@code bad_data}: what Prometheus answers for invalid parameters and invalid PromQL. */
  public static ApiError badData(String message) {
    return new ApiError(400, "bad_data", message);
  }

  /** 500 {@code internal}. */
  public static ApiError internal(String message) {
    return new ApiError(500, "internal", message);
  }

  /** 405 for a method an endpoint does not accept. */
  public static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(405, "bad_data", "method " + method + " not allowed for " + path);
  }

  /**
   * 502 {@code unavailable}: a shard refused the connection or could not be reached. The message
   * names the shard key, never its address or credentials.
   */
  public static ApiError shardUnreachable(String shard, String reason) {
    return new ApiError(502, "unavailable", "shard \"" + shard + "\" is unreachable: " + reason);
  }

  /** 504 {@code timeout}: a shard did not answer within the configured time. */
  public static ApiError shardTimeout(String shard, Duration timeout) {
    return new ApiError(
        504, "timeout", "shard \"" + shard + "\" did not answer within " + format(timeout));
  }

  private static String format(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /**
   * A shard's error answer, with {@code prefix} put before its message (e.g. {@code shard "b": }),
   * keeping its status and {@code errorType}; {@code null} when {@code body} is not Prometheus's
   * error envelope.
   */
  public static ApiError fromShard(int status, byte[] body, String prefix) {
    String errorType = null;
    String message = null;
    try (com.fasterxml.jackson.core.JsonParser parser =
        Json.parser(new java.io.ByteArrayInputStream(body))) {
      if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        if (name.equals("errorType")
            && parser.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
          errorType = parser.getText();
        } else if (name.equals("error")
            && parser.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
          message = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
    } catch (IOException e) {
      return null;
    }
    if (errorType == null || message == null) {
      return null;
    }
    return new ApiError(status, errorType, prefix + message);
  }

  /** The JSON envelope, as Prometheus writes it. */
  public String toJson() {
    var out = new java.io.ByteArrayOutputStream();
    writeTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Writes the JSON envelope; does not close {@code out}. */
  public void writeTo(OutputStream out) {
    try (JsonGenerator generator = Json.generator(out)) {
      generator.writeStartObject();
      generator.writeStringField("status", "error");
      generator.writeStringField("errorType", errorType);
      generator.writeStringField("error", message);
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
