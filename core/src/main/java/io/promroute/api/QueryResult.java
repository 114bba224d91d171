package io.promroute.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.promroute.promql.PromQL;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code data} of a successful {@code /api/v1/query} or {@code /api/v1/query_range} answer,
 * held in memory: what the router reads from each shard to merge answers across shards, and what it
 * writes back. Values are doubles read from and written as Prometheus's strings ({@code "NaN"},
 * {@code "+Inf"}, Go's shortest {@code 'f'} format); timestamps are milliseconds.
 *
 * @param type the result type
 * @param series the series: for a vector one point each, for a scalar one series with no labels and
 *     one point
 * @param warnings the answer's {@code warnings}
 */
public record QueryResult(Type type, List<Series> series, List<String> warnings) {

  /** Prometheus's {@code resultType}. */
  public enum Type {
    VECTOR("vector"),
    MATRIX("matrix"),
    SCALAR("scalar"),
    STRING("string");

    private final String resultType;

    Type(String resultType) {
      this.resultType = resultType;
    }

    public String resultType() {
      return resultType;
    }

    static Type of(String resultType) throws IOException {
      for (Type type : values()) {
        if (type.resultType.equals(resultType)) {
          return type;
        }
      }
      throw new IOException("shard answer has an unknown resultType \"" + resultType + "\"");
    }
  }

  /**
   * One sample.
   *
   * @param timestampMillis the time
   * @param value the float value; 0 for a histogram sample (what Prometheus 2.42's engine reads as
   *     the value of a histogram sample)
   * @param histogram the native histogram, or null for a float sample
   */
  public record Point(long timestampMillis, double value, NativeHistogram histogram) {
    /** A float sample. */
    public Point(long timestampMillis, double value) {
      this(timestampMillis, value, null);
    }
  }

  /**
   * One series.
   *
   * @param labels {@code [name, value, name, value, ...]}, sorted by name as Prometheus sorts
   * @param points the samples, by time
   */
  public record Series(List<String> labels, List<Point> points) {
    public Series {
      labels = List.copyOf(requireNonNull(labels, "labels is null"));
      points = List.copyOf(requireNonNull(points, "points is null"));
      if (labels.size() % 2 != 0) {
        throw new IllegalArgumentException("labels must be name, value pairs: " + labels);
      }
    }
  }

  public QueryResult {
    requireNonNull(type, "type is null");
    series = List.copyOf(requireNonNull(series, "series is null"));
    warnings = List.copyOf(requireNonNull(warnings, "warnings is null"));
  }

  /**
   * Reads a successful answer of {@code /api/v1/query} or {@code /api/v1/query_range}. Does not
   * close {@code in}.
   *
   * @throws IOException if it is not such an answer
   */
  public static QueryResult read(InputStream in) throws IOException {
    return read(in, SampleLimit.unlimited());
  }

  /**
   * {@link #read(InputStream)}, counting every sample read against {@code limit} as it is read, so
   * that an answer too large for the router stops being read at the limit, not at the end of the
   * heap.
   *
   * @throws ApiException 422 {@code execution} when the samples held exceed the limit
   */
  public static QueryResult read(InputStream in, SampleLimit limit) throws IOException {
    requireNonNull(limit, "limit is null");
    try (JsonParser parser = Json.parser(in)) {
      expect(parser.nextToken(), JsonToken.START_OBJECT);
      Type type = null;
      boolean sawStatus = false;
      List<Series> series = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        switch (name) {
          case "status" -> {
            sawStatus = true;
            AnswerShape.status(AnswerShape.text(parser));
          }
          case "data" -> {
            AnswerShape.data(Endpoint.QUERY, AnswerShape.kind(token));
            type = readData(parser, series, limit);
          }
          case "warnings" -> {
            if (token == JsonToken.START_ARRAY) {
              while (parser.nextToken() != JsonToken.END_ARRAY) {
                warnings.add(parser.getText());
              }
            } else {
              parser.skipChildren();
            }
          }
          default -> parser.skipChildren();
        }
      }
      AnswerShape.complete(sawStatus, type != null);
      return new QueryResult(type, series, warnings);
    }
  }

  private static Type readData(JsonParser parser, List<Series> series, SampleLimit limit)
      throws IOException {
    Type type = null;
    // "result" may come before "resultType": keep the raw scalar point until the type is known.
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken token = parser.nextToken();
      if (name.equals("resultType")) {
        AnswerShape.resultType(Endpoint.QUERY, AnswerShape.text(parser));
        type = Type.of(parser.getText());
      } else if (name.equals("result")) {
        expect(token, JsonToken.START_ARRAY);
        JsonToken first = parser.nextToken();
        if (first == JsonToken.END_ARRAY) {
          continue;
        }
        if (type != null) {
          AnswerShape.resultElement(type.resultType(), AnswerShape.kind(first));
        }
        if (first == JsonToken.START_OBJECT) {
          do {
            series.add(readSeries(parser, type, limit));
          } while (parser.nextToken() == JsonToken.START_OBJECT);
        } else {
          // A scalar or a string: [time, "value"].
          long time = readTimestamp(parser);
          parser.nextToken();
          String text = parser.getText();
          expect(parser.nextToken(), JsonToken.END_ARRAY);
          limit.add(1);
          series.add(new Series(List.of(), List.of(new Point(time, parseValueOrNaN(text)))));
        }
      } else {
        parser.skipChildren();
      }
    }
    if (type == null) {
      throw new IOException("shard answer has no data.resultType");
    }
    return type;
  }

  private static Series readSeries(JsonParser parser, Type type, SampleLimit limit)
      throws IOException {
    List<String> labels = new ArrayList<>();
    List<Point> points = new ArrayList<>();
    boolean sorted = true;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      if (type != null) {
        AnswerShape.seriesField(type.resultType(), name);
      }
      JsonToken token = parser.nextToken();
      switch (name) {
        case "metric" -> {
          expect(token, JsonToken.START_OBJECT);
          List<String[]> pairs = new ArrayList<>();
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String label = parser.currentName();
            parser.nextToken();
            pairs.add(new String[] {label, parser.getText()});
          }
          pairs.sort((a, b) -> ResponseTransformer.CODE_POINT_ORDER.compare(a[0], b[0]));
          for (String[] pair : pairs) {
            labels.add(pair[0]);
            labels.add(pair[1]);
          }
          limit.addLabels(labels);
        }
        case "value" -> {
          limit.add(1);
          points.add(readPoint(parser));
        }
        case "values" -> {
          expect(token, JsonToken.START_ARRAY);
          while (parser.nextToken() == JsonToken.START_ARRAY) {
            limit.add(1);
            points.add(readPoint(parser));
          }
        }
        case "histogram" -> {
          limit.add(1);
          points.add(readHistogramPoint(parser, limit));
        }
        case "histograms" -> {
          expect(token, JsonToken.START_ARRAY);
          while (parser.nextToken() == JsonToken.START_ARRAY) {
            limit.add(1);
            points.add(readHistogramPoint(parser, limit));
          }
          // Prometheus writes a series' float points, then its histogram points.
          sorted = false;
        }
        default -> parser.skipChildren();
      }
    }
    if (!sorted) {
      points.sort(java.util.Comparator.comparingLong(Point::timestampMillis));
    }
    return new Series(labels, points);
  }

  /**
   * Reads {@code [time, {"count":"..","sum":"..","buckets":[[rule,"lower","upper","count"],...]}]};
   * the parser is on its START_ARRAY and ends on its END_ARRAY.
   */
  private static Point readHistogramPoint(JsonParser parser, SampleLimit limit) throws IOException {
    expect(parser.currentToken(), JsonToken.START_ARRAY);
    parser.nextToken();
    long time = readTimestamp(parser);
    expect(parser.nextToken(), JsonToken.START_OBJECT);
    double count = 0;
    double sum = 0;
    List<NativeHistogram.Bucket> buckets = new ArrayList<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      JsonToken token = parser.nextToken();
      switch (name) {
        case "count" -> count = parseValue(parser.getText());
        case "sum" -> sum = parseValue(parser.getText());
        case "buckets" -> {
          expect(token, JsonToken.START_ARRAY);
          while (parser.nextToken() == JsonToken.START_ARRAY) {
            parser.nextToken();
            int rule = parser.getIntValue();
            parser.nextToken();
            double lower = parseValue(parser.getText());
            parser.nextToken();
            double upper = parseValue(parser.getText());
            parser.nextToken();
            double bucketCount = parseValue(parser.getText());
            expect(parser.nextToken(), JsonToken.END_ARRAY);
            buckets.add(new NativeHistogram.Bucket(rule, lower, upper, bucketCount));
          }
        }
        default -> parser.skipChildren();
      }
    }
    expect(parser.nextToken(), JsonToken.END_ARRAY);
    limit.addHistogramBuckets(buckets.size());
    try {
      return new Point(time, 0, NativeHistogram.of(count, sum, buckets));
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "shard answer holds a native histogram the router cannot read: " + e.getMessage(), e);
    }
  }

  /** Reads {@code [time, "value"]}; the parser is on its START_ARRAY and ends on its END_ARRAY. */
  private static Point readPoint(JsonParser parser) throws IOException {
    expect(parser.currentToken(), JsonToken.START_ARRAY);
    parser.nextToken();
    long time = readTimestamp(parser);
    parser.nextToken();
    double value = parseValue(parser.getText());
    expect(parser.nextToken(), JsonToken.END_ARRAY);
    return new Point(time, value);
  }

  private static long readTimestamp(JsonParser parser) throws IOException {
    return new BigDecimal(parser.getText())
        .movePointRight(3)
        .setScale(0, RoundingMode.HALF_EVEN)
        .longValueExact();
  }

  private static double parseValueOrNaN(String text) {
    try {
      return parseValue(text);
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  /**
   * Go's {@code strconv.ParseFloat(text, 64)} for the spellings Prometheus produces and accepts:
   * decimals, exponents, {@code NaN}, {@code Inf} and {@code Infinity} with any sign and case.
   *
   * @throws IOException if it is not a number
   */
  public static double parseValue(String text) throws IOException {
    String lower = text.toLowerCase(java.util.Locale.ROOT);
    String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
    boolean negative = lower.startsWith("-");
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (unsigned.equals("nan")) {
      return Double.NaN;
    }
    // Java also reads "1d", "0x1p3" and "Infinity"-like words Go rejects; Go's syntax is plain
    // digits, one point, an optional exponent (and hex floats, which Prometheus never writes).
    if (unsigned.isEmpty() || !unsigned.matches("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
      throw new IOException("not a number: \"" + text + "\"");
    }
    return Double.parseDouble(text);
  }

  /**
   * Writes the answer as Prometheus writes it ({@code {"status":"success","data":{...}}}), with
   * {@link #warnings()} and {@code extraWarnings} (duplicates dropped) when there are any. Does not
   * close {@code out}.
   */
  public void write(OutputStream out, List<String> extraWarnings) throws IOException {
    try (JsonGenerator generator = Json.generator(out)) {
      generator.writeStartObject();
      generator.writeStringField("status", "success");
      generator.writeFieldName("data");
      generator.writeStartObject();
      generator.writeStringField("resultType", type.resultType());
      generator.writeFieldName("result");
      switch (type) {
        case SCALAR, STRING -> {
          Point point = series.isEmpty() ? null : series.get(0).points().get(0);
          if (point == null) {
            generator.writeStartArray();
            generator.writeEndArray();
          } else {
            writePoint(generator, point);
          }
        }
        case VECTOR, MATRIX -> {
          generator.writeStartArray();
          for (Series one : series) {
            generator.writeStartObject();
            generator.writeFieldName("metric");
            generator.writeStartObject();
            for (int i = 0; i < one.labels().size(); i += 2) {
              generator.writeStringField(one.labels().get(i), one.labels().get(i + 1));
            }
            generator.writeEndObject();
            if (type == Type.VECTOR) {
              Point point = one.points().get(0);
              generator.writeFieldName(point.histogram() == null ? "value" : "histogram");
              writePoint(generator, point);
            } else {
              // As Prometheus: the float points, then the histogram points, each field only
              // when it has points (but "values" of a series without any).
              boolean histograms = false;
              boolean floats = false;
              for (Point point : one.points()) {
                histograms |= point.histogram() != null;
                floats |= point.histogram() == null;
              }
              if (floats || !histograms) {
                writePoints(generator, "values", one.points(), false);
              }
              if (histograms) {
                writePoints(generator, "histograms", one.points(), true);
              }
            }
            generator.writeEndObject();
          }
          generator.writeEndArray();
        }
      }
      generator.writeEndObject();
      java.util.Set<String> all = new java.util.LinkedHashSet<>(warnings);
      all.addAll(extraWarnings);
      if (!all.isEmpty()) {
        generator.writeFieldName("warnings");
        generator.writeStartArray();
        for (String warning : all) {
          generator.writeString(warning);
        }
        generator.writeEndArray();
      }
      generator.writeEndObject();
    }
  }

  private static void writePoints(
      JsonGenerator generator, String field, List<Point> points, boolean histograms)
      throws IOException {
    generator.writeFieldName(field);
    generator.writeStartArray();
    for (Point point : points) {
      if ((point.histogram() != null) == histograms) {
        writePoint(generator, point);
      }
    }
    generator.writeEndArray();
  }

  private static void writePoint(JsonGenerator generator, Point point) throws IOException {
    generator.writeStartArray();
    generator.writeNumber(
        ResponseTransformer.timestamp(Instant.ofEpochMilli(point.timestampMillis())));
    if (point.histogram() == null) {
      generator.writeString(PromQL.formatApiSampleValue(point.value()));
    } else {
      writeHistogram(generator, point.histogram());
    }
    generator.writeEndArray();
  }

  /** As Prometheus 2.42's API: count, sum, and the non-empty buckets when there are any. */
  private static void writeHistogram(JsonGenerator generator, NativeHistogram histogram)
      throws IOException {
    generator.writeStartObject();
    generator.writeStringField("count", PromQL.formatApiSampleValue(histogram.count()));
    generator.writeStringField("sum", PromQL.formatApiSampleValue(histogram.sum()));
    List<NativeHistogram.Bucket> buckets = histogram.buckets();
    if (!buckets.isEmpty()) {
      generator.writeFieldName("buckets");
      generator.writeStartArray();
      for (NativeHistogram.Bucket bucket : buckets) {
        generator.writeStartArray();
        generator.writeNumber(bucket.boundaryRule());
        generator.writeString(PromQL.formatApiSampleValue(bucket.lower()));
        generator.writeString(PromQL.formatApiSampleValue(bucket.upper()));
        generator.writeString(PromQL.formatApiSampleValue(bucket.count()));
        generator.writeEndArray();
      }
      generator.writeEndArray();
    }
    generator.writeEndObject();
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException(
          "shard answer is not a Prometheus query answer: expected "
              + expected
              + ", got "
              + actual);
    }
  }
}
