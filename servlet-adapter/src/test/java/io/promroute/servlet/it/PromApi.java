package io.promroute.servlet.it;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A small client of the Prometheus HTTP API for tests: sends the same request (GET with the
 * parameters in the URL, or POST with a form body) to a router and to a real Prometheus, and parses
 * answers so they compare exactly (numbers as written, values are strings anyway).
 */
public final class PromApi {

  /** Exact numbers: {@code 1772323200.5} stays as written. */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private PromApi() {}

  /** Request parameters in order, names may repeat ({@code match[]}). */
  public record Params(List<Map.Entry<String, String>> entries) {

    public Params {
      entries = List.copyOf(entries);
    }

    /** {@code of("query", "up", "time", "1772326800")}. */
    public static Params of(String... namesAndValues) {
      if (namesAndValues.length % 2 != 0) {
        throw new IllegalArgumentException("names and values come in pairs");
      }
      List<Map.Entry<String, String>> entries = new ArrayList<>();
      for (int i = 0; i < namesAndValues.length; i += 2) {
        entries.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
      }
      return new Params(entries);
    }

    /** {@code name=value&...}, form-encoded. */
    public String encoded() {
      StringBuilder out = new StringBuilder();
      for (Map.Entry<String, String> entry : entries) {
        if (out.length() > 0) {
          out.append('&');
        }
        out.append(URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8));
      }
      return out.toString();
    }

    @Override
    public String toString() {
      return entries.toString();
    }
  }

  /**
   * An answer.
   *
   * @param status the HTTP status
   * @param contentType the Content-Type header, or {@code ""}
   * @param json the parsed body, or {@code null} if it is not JSON
   * @param text the body if it is not JSON (or its start), for messages
   * @param bytes the body's length
   */
  public record Answer(int status, String contentType, JsonNode json, String text, long bytes) {

    /** {@code errorType} of an error envelope, or {@code null}. */
    public String errorType() {
      return json == null ? null : json.path("errorType").asText(null);
    }

    /** {@code error} of an error envelope, or {@code null}. */
    public String error() {
      return json == null ? null : json.path("error").asText(null);
    }

    public JsonNode data() {
      return json == null ? null : json.get("data");
    }

    /** A short description for assertion messages. */
    public String summary() {
      String body = json == null ? text : json.toString();
      if (body.length() > 600) {
        body = body.substring(0, 600) + "... (" + bytes + " bytes)";
      }
      return status + " " + body;
    }
  }

  public static Answer get(URI base, String path, Params params) {
    String query = params.entries().isEmpty() ? "" : "?" + params.encoded();
    return send(HttpRequest.newBuilder(base.resolve(path + query)).GET(), Duration.ofSeconds(60));
  }

  public static Answer post(URI base, String path, Params params) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(params.encoded(), StandardCharsets.UTF_8)),
        Duration.ofSeconds(60));
  }

  /**
   * A request as written: {@code rawQuery} (already encoded, may be {@code null}) on the URL, and
   * with {@code contentType} non-null a POST of {@code rawBody}'s bytes (else a GET). For the odd
   * encodings {@link Params} would normalise away.
   */
  public static Answer raw(
      URI base, String path, String rawQuery, String contentType, byte[] rawBody) {
    URI uri = URI.create(base.resolve(path) + (rawQuery == null ? "" : "?" + rawQuery));
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    if (contentType == null) {
      request.GET();
    } else {
      request
          .header("Content-Type", contentType)
          .POST(HttpRequest.BodyPublishers.ofByteArray(rawBody));
    }
    return send(request, Duration.ofSeconds(60));
  }

  /** GET or POST ({@code method}), the same parameters. */
  public static Answer send(String method, URI base, String path, Params params) {
    return switch (method) {
      case "GET" -> get(base, path, params);
      case "POST" -> post(base, path, params);
      default -> throw new IllegalArgumentException("method " + method);
    };
  }

  /**
   * The whole exchange, body included, is bounded by {@code timeout}: a hung answer fails the test.
   */
  private static Answer send(HttpRequest.Builder request, Duration timeout) {
    CompletableFuture<HttpResponse<byte[]>> exchange =
        CLIENT.sendAsync(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> response;
    try {
      response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new AssertionError(
          "no complete answer (status, headers and body) within " + timeout, e);
    } catch (ExecutionException e) {
      throw new UncheckedIOException(
          "request failed: " + e.getCause(),
          e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String contentType = response.headers().firstValue("content-type").orElse("");
    byte[] body = response.body();
    if (body.length > 0 && (body[0] == '{' || body[0] == '[')) {
      try {
        return new Answer(response.statusCode(), contentType, JSON.readTree(body), "", body.length);
      } catch (IOException e) {
        // Not JSON after all: keep the text.
      }
    }
    String text = new String(body, 0, Math.min(body.length, 4096), StandardCharsets.UTF_8);
    return new Answer(response.statusCode(), contentType, null, text, body.length);
  }

  /**
   * The answer's JSON for comparison: with {@code keepOrder} false, the series of a vector or
   * matrix result and of a {@code /series} answer are sorted by label set (Prometheus does not sort
   * the result of most queries; a router may concatenate shards in any order).
   */
  public static JsonNode comparable(JsonNode json, boolean keepOrder) {
    if (json == null || keepOrder) {
      return json;
    }
    JsonNode copy = json.deepCopy();
    JsonNode data = copy.get("data");
    if (data instanceof ObjectNode dataObject
        && dataObject.get("result") instanceof ArrayNode result) {
      dataObject.set("result", sorted(result, element -> element.get("metric")));
    }
    return copy;
  }

  /**
   * Where two JSON trees first differ ({@code $.data.result[3].metric: expected ..., got ...}), or
   * {@code null} if they are equal. Short, unlike printing two 30 MB trees.
   */
  public static String firstDifference(JsonNode expected, JsonNode actual) {
    return firstDifference("$", expected, actual, 0);
  }

  /**
   * As {@link #firstDifference(JsonNode, JsonNode)}, but sample values ({@code value[1]}, {@code
   * values[i][1]}) may differ by a relative {@code tolerance}: what per-shard partial aggregates
   * (sums added in another order, merged means and variances) are allowed to differ by.
   */
  public static String firstDifference(JsonNode expected, JsonNode actual, double tolerance) {
    return firstDifference("$", expected, actual, tolerance);
  }

  private static boolean closeSampleValues(
      String path, JsonNode expected, JsonNode actual, double tolerance) {
    if (tolerance == 0
        || !expected.isTextual()
        || !actual.isTextual()
        || !(path.endsWith("[1]") && (path.contains(".value[") || path.contains(".values[")))) {
      return false;
    }
    try {
      double w = Double.parseDouble(expected.asText().replace("Inf", "Infinity"));
      double g = Double.parseDouble(actual.asText().replace("Inf", "Infinity"));
      return Double.isFinite(w)
          && Double.isFinite(g)
          && Math.abs(w - g) <= tolerance * Math.max(Math.abs(w), Math.abs(g));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String firstDifference(
      String path, JsonNode expected, JsonNode actual, double tolerance) {
    if (expected == null || actual == null) {
      return expected == actual
          ? null
          : path + ": expected " + shorten(expected) + ", got " + shorten(actual);
    }
    if (expected.isObject() && actual.isObject()) {
      for (Map.Entry<String, JsonNode> field : expected.properties()) {
        String difference =
            firstDifference(
                path + "." + field.getKey(),
                field.getValue(),
                actual.get(field.getKey()),
                tolerance);
        if (difference != null) {
          return difference;
        }
      }
      for (Map.Entry<String, JsonNode> field : actual.properties()) {
        if (!expected.has(field.getKey())) {
          return path + "." + field.getKey() + ": not expected, got " + shorten(field.getValue());
        }
      }
      return null;
    }
    if (expected.isArray() && actual.isArray()) {
      for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
        String difference =
            firstDifference(path + "[" + i + "]", expected.get(i), actual.get(i), tolerance);
        if (difference != null) {
          return difference;
        }
      }
      if (expected.size() != actual.size()) {
        return path
            + ": expected "
            + expected.size()
            + " elements, got "
            + actual.size()
            + ": "
            + shorten(actual);
      }
      return null;
    }
    return expected.equals(actual) || closeSampleValues(path, expected, actual, tolerance)
        ? null
        : path + ": expected " + shorten(expected) + ", got " + shorten(actual);
  }

  private static String shorten(JsonNode node) {
    String text = String.valueOf(node);
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  private static ArrayNode sorted(
      ArrayNode array, java.util.function.Function<JsonNode, JsonNode> labelsOf) {
    List<JsonNode> elements = new ArrayList<>();
    array.forEach(elements::add);
    elements.sort(Comparator.comparing(element -> labelKey(labelsOf.apply(element))));
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    elements.forEach(out::add);
    return out;
  }

  /** A label set as a sortable string, names sorted. */
  public static String labelKey(JsonNode labels) {
    if (labels == null || !labels.isObject()) {
      return "";
    }
    Map<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, JsonNode> field : labels.properties()) {
      sorted.put(field.getKey(), field.getValue().asText());
    }
    return sorted.toString();
  }
}
