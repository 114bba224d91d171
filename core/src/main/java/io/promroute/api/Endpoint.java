package io.promroute.api;

import java.util.Optional;
import java.util.Set;

/**
 * The Prometheus API endpoints PromRoute answers, with the parameter that carries PromQL and the
 * HTTP methods Prometheus accepts on each.
 */
public enum Endpoint {
  QUERY("/api/v1/query", "query", true),
  QUERY_RANGE("/api/v1/query_range", "query", true),
  QUERY_EXEMPLARS("/api/v1/query_exemplars", "query", true),
  SERIES("/api/v1/series", "match[]", true),
  LABELS("/api/v1/labels", "match[]", true),
  /** {@code /api/v1/label/<name>/values}; {@link #path()} is the pattern. */
  LABEL_VALUES("/api/v1/label/{name}/values", "match[]", false),
  METADATA("/api/v1/metadata", null, false),
  RULES("/api/v1/rules", null, false),
  ALERTS("/api/v1/alerts", null, false),
  BUILD_INFO("/api/v1/status/buildinfo", null, false),
  FORMAT_QUERY("/api/v1/format_query", "query", true),
  PARSE_QUERY("/api/v1/parse_query", "query", true);

  private static final String LABEL_PREFIX = "/api/v1/label/";
  private static final String LABEL_SUFFIX = "/values";

  private final String path;
  private final String promqlParameter;
  private final boolean acceptsPost;

  Endpoint(String path, String promqlParameter, boolean acceptsPost) {
    this.path = path;
    this.promqlParameter = promqlParameter;
    this.acceptsPost = acceptsPost;
  }

  /** The path under the API root, e.g. {@code /api/v1/query}. */
  public String path() {
    return path;
  }

  /** {@code query} or {@code match[]}: the parameter whose values are PromQL. */
  public Optional<String> promqlParameter() {
    return Optional.ofNullable(promqlParameter);
  }

  /** The methods Prometheus accepts: GET always, POST with a form body on some. */
  public Set<String> methods() {
    return acceptsPost ? Set.of("GET", "POST") : Set.of("GET");
  }

  /** The endpoint of a path (without any prefix), if it is one PromRoute answers. */
  public static Optional<Endpoint> of(String path) {
    for (Endpoint endpoint : values()) {
      if (endpoint != LABEL_VALUES && endpoint.path.equals(path)) {
        return Optional.of(endpoint);
      }
    }
    return labelName(path).map(name -> LABEL_VALUES);
  }

  /** The {@code <name>} of {@code /api/v1/label/<name>/values}, not decoded. */
  public static Optional<String> labelName(String path) {
    if (path.startsWith(LABEL_PREFIX) && path.endsWith(LABEL_SUFFIX)) {
      String name = path.substring(LABEL_PREFIX.length(), path.length() - LABEL_SUFFIX.length());
      if (!name.isEmpty() && name.indexOf('/') < 0) {
        return Optional.of(name);
      }
    }
    return Optional.empty();
  }
}
