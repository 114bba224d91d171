package io.promroute.api;

/**
 * What a shard's success answer must be, endpoint by endpoint, as far as the router checks it
 * before it merges or relays the answer: {@code "status":"success"}, a {@code data} of the
 * endpoint's kind, for queries a {@code resultType} the request can have and samples of that type.
 * Every reader of shard answers (the byte copy, the merges, the cross-shard reader) asks here, so
 * that what counts as a Prometheus answer is written once.
 */
final class AnswerShape {

  private AnswerShape() {}

  /** The value of {@code "status"}, or null when it is not a string. */
  static void status(String status) throws MalformedAnswerException {
    if (!"success".equals(status)) {
      throw new MalformedAnswerException(
          status == null
              ? "answered a \"status\" that is not a string"
              : "answered \"status\":\"" + shorten(status) + "\" with HTTP 2xx");
    }
  }

  /**
   * The kind of {@code data}, given as the first character of its JSON: {@code '{'}, {@code '['},
   * {@code '"'}, {@code 'n'} for null, and so on.
   */
  static void data(Endpoint endpoint, int first) throws MalformedAnswerException {
    boolean expected =
        switch (endpoint) {
          case QUERY, QUERY_RANGE, METADATA, BUILD_INFO, RULES, ALERTS, PARSE_QUERY -> first == '{';
          // Lists: Prometheus never answers null there, but an empty list as null is harmless.
          case SERIES, LABELS, LABEL_VALUES, QUERY_EXEMPLARS -> first == '[' || first == 'n';
          case FORMAT_QUERY -> first == '"';
        };
    if (!expected) {
      throw new MalformedAnswerException(
          "answered a \"data\" that is not what " + endpoint.path() + " answers");
    }
  }

  /** A query's {@code resultType}: an instant query's can be any, a range query's only a matrix. */
  static void resultType(Endpoint endpoint, String type) throws MalformedAnswerException {
    boolean expected =
        endpoint == Endpoint.QUERY_RANGE
            ? "matrix".equals(type)
            : "vector".equals(type)
                || "matrix".equals(type)
                || "scalar".equals(type)
                || "string".equals(type);
    if (!expected) {
      throw new MalformedAnswerException(
          type == null
              ? "answered a query result without a \"resultType\" before its \"result\""
              : "answered \"resultType\":\"" + shorten(type) + "\" to " + endpoint.path());
    }
  }

  /** Whether a result of this type is a list of series (objects), not one {@code [time, value]}. */
  static boolean hasSeries(String resultType) {
    return "vector".equals(resultType) || "matrix".equals(resultType);
  }

  /**
   * A field of one series of a vector or matrix result: no matrix samples in a vector, and no
   * vector samples in a matrix.
   */
  static void seriesField(String resultType, String field) throws MalformedAnswerException {
    boolean wrong =
        switch (field) {
          case "value", "histogram" -> !"vector".equals(resultType);
          case "values", "histograms" -> !"matrix".equals(resultType);
          default -> false;
        };
    if (wrong) {
      throw new MalformedAnswerException(
          "answered a " + resultType + " holding \"" + field + "\" samples");
    }
  }

  /** A query result's element: a series object for a vector or matrix, a value otherwise. */
  static void resultElement(String resultType, int first) throws MalformedAnswerException {
    if (hasSeries(resultType) != (first == '{')) {
      throw new MalformedAnswerException("answered a " + resultType + " result of the wrong form");
    }
  }

  /** At the end of an answer: both members every success answer has. */
  static void complete(boolean status, boolean data) throws MalformedAnswerException {
    if (!status) {
      throw new MalformedAnswerException("answered without a \"status\"");
    }
    if (!data) {
      throw new MalformedAnswerException("answered without \"data\"");
    }
  }

  /** The first character of the JSON of the value at a token, for {@link #data}. */
  static int kind(com.fasterxml.jackson.core.JsonToken token) {
    if (token == null) {
      return -1;
    }
    return switch (token) {
      case START_OBJECT -> '{';
      case START_ARRAY -> '[';
      case VALUE_STRING -> '"';
      case VALUE_NULL -> 'n';
      default -> '?';
    };
  }

  /**
   * The text of a string value, or null for any other token (for {@link #status} and {@link
   * #resultType}).
   */
  static String text(com.fasterxml.jackson.core.JsonParser parser) throws java.io.IOException {
    return parser.currentToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING
        ? parser.getText()
        : null;
  }

  private static String shorten(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
