package io.promroute.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.promroute.compat.GoStrings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns shard answers into the answer one Prometheus holding every shard's data, with the shard
 * label, would give. Everything streams; nothing builds a tree of a whole body. One shard's answer
 * ({@link #addShardLabel}) and the range merge are copied as bytes, parsing only the labels they
 * change; the other merges go through Jackson's parser and generator.
 *
 * <p>Memory: {@link #addShardLabel} holds two small buffers, the range merge one series per shard,
 * the concatenating merges (query, query_exemplars, rules, alerts) one token at a time, whatever
 * the size of the answers. The unions (series, labels, label values, metadata) must sort and
 * deduplicate across shards, so they hold the distinct label sets, names or metadata entries of all
 * shards, never the raw bodies.
 *
 * <p>Label sets are written sorted by label name in Unicode code point order (Go's byte order of
 * UTF-8), where Prometheus writes them: the shard label is inserted at its sorted place.
 */
public final class ResponseTransformer {

  private ResponseTransformer() {}

  /**
   * Copies one shard's successful answer, adding {@code label="value"} to each series' label set
   * (none when {@code value} is null) and appending {@code warnings} to its {@code warnings}.
   * Status, {@code warnings}, {@code infos} and {@code stats} pass through; numbers keep their
   * spelling. Does not close either stream.
   */
  public static void addShardLabel(
      Endpoint endpoint,
      InputStream in,
      OutputStream out,
      String label,
      String value,
      List<String> warnings)
      throws IOException {
    requireNonNull(label, "label is null");
    ShardAnswerCopy.copy(endpoint, in, out, label, value, warnings);
  }

  /**
   * Reads a shard's successful answer to the end and checks that it is the endpoint's Prometheus
   * answer, as {@link #addShardLabel} and {@link #merge} check what they copy: for an answer
   * already in memory, to know before anything is written whether it can be used. Does not close
   * {@code in}.
   *
   * @throws MalformedAnswerException if it is JSON but not such an answer
   * @throws com.fasterxml.jackson.core.JsonProcessingException if it is not JSON
   */
  public static void check(Endpoint endpoint, InputStream in) throws IOException {
    ShardAnswerCopy.copy(endpoint, in, OutputStream.nullOutputStream(), "", null, List.of());
  }

  /**
   * Merges the successful answers of several shards into one answer. Query, query_exemplars, rules
   * and alerts answers are concatenated in the given order (each series with its shard's label);
   * query_range matrices are merged sorted by label set, as Prometheus sorts them (one series per
   * shard held at a time); series, labels ({@code label} included when any shard has series), label
   * values and metadata are unioned, deduplicated and sorted as Prometheus sorts them. Warnings and
   * infos are merged without duplicates; {@code stats} of a merge are dropped. Closes the answers'
   * bodies, not {@code out}.
   */
  public static void merge(
      Endpoint endpoint,
      List<ShardAnswer> answers,
      OutputStream out,
      String label,
      List<String> warnings)
      throws IOException {
    merge(endpoint, answers, out, label, warnings, 0);
  }

  /**
   * {@link #merge(Endpoint, List, OutputStream, String, List)} with Prometheus 3's {@code limit} of
   * series, labels and label values: when a shard answered that it cut its own answer to {@code
   * limit} (the warning {@code results truncated due to limit}, which Prometheus 3 gives and 2.x,
   * which ignores {@code limit}, does not), the union is cut to {@code limit} too. A metadata union
   * keeps at most {@code limit} metrics (when positive), as every version does.
   */
  public static void merge(
      Endpoint endpoint,
      List<ShardAnswer> answers,
      OutputStream out,
      String label,
      List<String> warnings,
      int limit)
      throws IOException {
    merge(endpoint, answers, out, label, warnings, limit, 0, null);
  }

  /**
   * {@link #merge(Endpoint, List, OutputStream, String, List, int)}, refusing a series union
   * ({@code /api/v1/series}) of more than {@code maxSeries} label sets (0: no limit) before
   * anything is written (the union is held in memory to be sorted and deduplicated), and reserving
   * what a union (series, labels, label values, metadata) holds from {@code memory} as it is read;
   * merges that stream reserve nothing.
   *
   * @param memory the request's share of the router's memory budget; null for none
   * @throws ApiException 422 {@code execution} when the union passes {@code maxSeries}; 422 or 503
   *     from {@link MemoryBudget.Lease#reserve}, before anything is written
   */
  public static void merge(
      Endpoint endpoint,
      List<ShardAnswer> answers,
      OutputStream out,
      String label,
      List<String> warnings,
      int limit,
      int maxSeries,
      MemoryBudget.Lease memory)
      throws IOException {
    requireNonNull(label, "label is null");
    Set<String> allWarnings = new LinkedHashSet<>();
    Set<String> infos = new LinkedHashSet<>();
    try (JsonGenerator generator = Json.generator(out)) {
      switch (endpoint) {
        // A range query's matrix is sorted by label set in Prometheus; shards' matrices are merged.
        case QUERY_RANGE ->
            new SortedMatrixMerge(generator, out, label, allWarnings, infos).run(answers);
        case QUERY, QUERY_EXEMPLARS, RULES, ALERTS ->
            new Concatenation(endpoint, generator, label, allWarnings, infos).run(answers);
        case SERIES, LABELS, LABEL_VALUES, METADATA ->
            new Union(endpoint, label, allWarnings, infos, limit, maxSeries, memory)
                .run(answers, generator);
        case BUILD_INFO, FORMAT_QUERY, PARSE_QUERY ->
            throw new IllegalArgumentException(endpoint + " answers are not merged");
      }
      allWarnings.addAll(warnings);
      writeStrings(generator, "warnings", allWarnings);
      writeStrings(generator, "infos", infos);
      generator.writeEndObject();
    } finally {
      for (ShardAnswer answer : answers) {
        answer.body().close();
      }
    }
  }

  /**
   * The answer to a request that selects no shard (only unknown shard values): an empty result of
   * the right type, as a Prometheus with no matching series answers, plus {@code warnings}.
   *
   * @param resultType {@code vector}, {@code matrix}, {@code scalar} or {@code string}; used by
   *     query and query_range
   * @param time the evaluation time of an instant query (for a scalar's sample)
   */
  public static void emptyResult(
      Endpoint endpoint, String resultType, Instant time, OutputStream out, List<String> warnings)
      throws IOException {
    try (JsonGenerator generator = Json.generator(out)) {
      generator.writeStartObject();
      generator.writeStringField("status", "success");
      generator.writeFieldName("data");
      switch (endpoint) {
        case QUERY, QUERY_RANGE -> {
          String type = endpoint == Endpoint.QUERY_RANGE ? "matrix" : resultType;
          generator.writeStartObject();
          generator.writeStringField("resultType", type);
          generator.writeFieldName("result");
          if (type.equals("scalar") || type.equals("string")) {
            generator.writeStartArray();
            generator.writeNumber(timestamp(time));
            generator.writeString(type.equals("scalar") ? "NaN" : "");
            generator.writeEndArray();
          } else {
            generator.writeStartArray();
            generator.writeEndArray();
          }
          generator.writeEndObject();
        }
        case METADATA -> {
          generator.writeStartObject();
          generator.writeEndObject();
        }
        case RULES, ALERTS -> {
          generator.writeStartObject();
          generator.writeFieldName(endpoint == Endpoint.RULES ? "groups" : "alerts");
          generator.writeStartArray();
          generator.writeEndArray();
          generator.writeEndObject();
        }
        default -> {
          generator.writeStartArray();
          generator.writeEndArray();
        }
      }
      writeStrings(generator, "warnings", warnings);
      generator.writeEndObject();
    }
  }

  /**
   * A success answer whose data is a list of strings (labels, label values), sorted and distinct.
   */
  public static void stringList(Collection<String> values, OutputStream out, List<String> warnings)
      throws IOException {
    Set<String> sorted = new TreeSet<>(CODE_POINT_ORDER);
    sorted.addAll(values);
    try (JsonGenerator generator = Json.generator(out)) {
      generator.writeStartObject();
      generator.writeStringField("status", "success");
      writeStrings(generator, "data", sorted, true);
      writeStrings(generator, "warnings", warnings);
      generator.writeEndObject();
    }
  }

  /**
   * The answer of {@code /api/v1/parse_query}: the query's syntax tree in Prometheus 3's JSON shape
   * (its web UI's tree view).
   */
  public static void parseQueryAnswer(io.promroute.promql.ast.Expr expr, OutputStream out)
      throws IOException {
    try (JsonGenerator generator = Json.generator(out)) {
      generator.writeStartObject();
      generator.writeStringField("status", "success");
      generator.writeFieldName("data");
      AstJson.write(expr, generator);
      generator.writeEndObject();
    }
  }

  /** A success answer whose data is one string ({@code format_query}). */
  public static void stringData(String data, OutputStream out) throws IOException {
    try (JsonGenerator generator = Json.generator(out)) {
      generator.writeStartObject();
      generator.writeStringField("status", "success");
      generator.writeStringField("data", data);
      generator.writeEndObject();
    }
  }

  /**
   * Whether a successful answer's {@code data} is a non-empty array or object (a shard with
   * matching series, for {@code label/<shard label>/values}). Reads {@code in} to the end of {@code
   * data} and closes it.
   */
  public static boolean hasData(InputStream in) throws IOException {
    try (in;
        JsonParser parser = Json.parser(in)) {
      expect(parser.nextToken(), JsonToken.START_OBJECT);
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        if (name.equals("status")) {
          AnswerShape.status(AnswerShape.text(parser));
        } else if (name.equals("data")) {
          if (token == JsonToken.START_ARRAY) {
            return parser.nextToken() != JsonToken.END_ARRAY;
          }
          if (token == JsonToken.START_OBJECT) {
            return parser.nextToken() != JsonToken.END_OBJECT;
          }
          return false;
        }
        parser.skipChildren();
      }
      return false;
    }
  }

  /**
   * Go's string order: UTF-8 bytes, which is Unicode code point order (not Java's UTF-16 order).
   */
  static final Comparator<String> CODE_POINT_ORDER = GoStrings.ORDER;

  // Prometheus's labels.Compare over [name, value, name, value, ...] lists.
  static final Comparator<List<String>> LABEL_SET_ORDER =
      (a, b) -> {
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
          int c = CODE_POINT_ORDER.compare(a.get(i), b.get(i));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(a.size(), b.size());
      };

  // ---- streaming copy ----

  /** Copies the value at the parser's current token, adding the label inside label sets. */
  static void copy(
      JsonParser parser, JsonGenerator generator, Schema schema, String label, String value)
      throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.START_OBJECT) {
      if (schema != null && schema.isLabelSet()) {
        copyLabelSet(parser, generator, label, value);
        return;
      }
      generator.writeStartObject();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        generator.writeFieldName(name);
        parser.nextToken();
        copy(parser, generator, schema == null ? null : schema.field(name), label, value);
      }
      generator.writeEndObject();
    } else if (token == JsonToken.START_ARRAY) {
      Schema elements = schema == null ? null : schema.elements();
      generator.writeStartArray();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        copy(parser, generator, elements, label, value);
      }
      generator.writeEndArray();
    } else {
      Json.copyScalar(parser, generator);
    }
  }

  private static void copyLabelSet(
      JsonParser parser, JsonGenerator generator, String label, String value) throws IOException {
    generator.writeStartObject();
    boolean added = false;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      if (!added) {
        int order = CODE_POINT_ORDER.compare(name, label);
        if (order > 0) {
          generator.writeStringField(label, value);
          added = true;
        } else if (order == 0) {
          // The shard already has the label (it stores it): its own value stands.
          added = true;
        }
      }
      generator.writeFieldName(name);
      parser.nextToken();
      copy(parser, generator, null, label, value);
    }
    if (!added) {
      generator.writeStringField(label, value);
    }
    generator.writeEndObject();
  }

  private static void writeStrings(JsonGenerator generator, String field, Collection<String> values)
      throws IOException {
    writeStrings(generator, field, values, false);
  }

  private static void writeStrings(
      JsonGenerator generator, String field, Collection<String> values, boolean evenIfEmpty)
      throws IOException {
    if (values.isEmpty() && !evenIfEmpty) {
      return; // Prometheus omits empty warnings and infos
    }
    generator.writeFieldName(field);
    generator.writeStartArray();
    for (String value : values) {
      generator.writeString(value);
    }
    generator.writeEndArray();
  }

  private static void readStrings(JsonParser parser, Collection<String> into) throws IOException {
    if (parser.currentToken() != JsonToken.START_ARRAY) {
      parser.skipChildren();
      return;
    }
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      if (parser.currentToken() == JsonToken.VALUE_STRING) {
        into.add(parser.getText());
      } else {
        parser.skipChildren();
      }
    }
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException(
          "shard answer is not a Prometheus API answer: expected " + expected + ", got " + actual);
    }
  }

  /** Prometheus's timestamp spelling: seconds with up to three decimals, no trailing zeros. */
  static String timestamp(Instant time) {
    long millis = time.toEpochMilli();
    String sign = millis < 0 ? "-" : "";
    long abs = Math.abs(millis);
    long fraction = abs % 1000;
    if (fraction == 0) {
      return sign + abs / 1000;
    }
    String digits = String.format("%03d", fraction).replaceAll("0+$", "");
    return sign + abs / 1000 + "." + digits;
  }

  // ---- merges ----

  private interface ShardReader {
    void read(ShardAnswer answer) throws IOException;
  }

  /** A malformed answer names its shard: with several shards the message must say which one. */
  private static void readNamingShard(ShardAnswer answer, ShardReader reader) throws IOException {
    try {
      reader.read(answer);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new MalformedAnswerException(
          "shard \"" + answer.shard() + "\" answered invalid JSON: " + e.getOriginalMessage());
    } catch (MalformedAnswerException e) {
      throw new MalformedAnswerException("shard \"" + answer.shard() + "\" " + e.getMessage());
    }
  }

  /** Streams each shard's array of results into one array, in shard order. */
  private static final class Concatenation {
    private final Endpoint endpoint;
    private final JsonGenerator generator;
    private final String label;
    private final Set<String> warnings;
    private final Set<String> infos;
    private final String arrayField; // inside "data"; null when "data" itself is the array
    private final Schema elementSchema;
    private boolean headerWritten;
    private String resultType;

    Concatenation(
        Endpoint endpoint,
        JsonGenerator generator,
        String label,
        Set<String> warnings,
        Set<String> infos) {
      this.endpoint = endpoint;
      this.generator = generator;
      this.label = label;
      this.warnings = warnings;
      this.infos = infos;
      this.arrayField =
          switch (endpoint) {
            case QUERY, QUERY_RANGE -> "result";
            case RULES -> "groups";
            case ALERTS -> "alerts";
            default -> null;
          };
      Schema data = Schema.of(endpoint).field("data");
      this.elementSchema = arrayField == null ? data.elements() : data.field(arrayField).elements();
    }

    void run(List<ShardAnswer> answers) throws IOException {
      generator.writeStartObject();
      generator.writeStringField("status", "success");
      for (ShardAnswer answer : answers) {
        readNamingShard(answer, this::read);
      }
      writeHeader();
      generator.writeEndArray();
      if (arrayField != null) {
        generator.writeEndObject();
      }
    }

    private void read(ShardAnswer answer) throws IOException {
      String value = answer.addShardLabel() ? answer.shard() : null;
      boolean query = endpoint == Endpoint.QUERY || endpoint == Endpoint.QUERY_RANGE;
      boolean sawStatus = false;
      boolean sawData = false;
      try (JsonParser parser = Json.parser(answer.body())) {
        expect(parser.nextToken(), JsonToken.START_OBJECT);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken token = parser.nextToken();
          switch (name) {
            case "status" -> {
              sawStatus = true;
              AnswerShape.status(AnswerShape.text(parser));
            }
            case "data" -> {
              sawData = true;
              AnswerShape.data(endpoint, AnswerShape.kind(token));
              String type = null;
              if (arrayField == null) {
                copyElements(parser, value, null);
              } else {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                  String field = parser.currentName();
                  parser.nextToken();
                  if (field.equals(arrayField)) {
                    if (query) {
                      AnswerShape.resultType(endpoint, type);
                    }
                    copyElements(parser, value, type);
                  } else if (field.equals("resultType") && query) {
                    type = AnswerShape.text(parser);
                    AnswerShape.resultType(endpoint, type);
                    if (resultType != null && !resultType.equals(type)) {
                      throw new MalformedAnswerException(
                          "answered a " + type + " where another shard answered a " + resultType);
                    }
                    resultType = type;
                  } else {
                    parser.skipChildren();
                  }
                }
              }
            }
            case "warnings" -> readStrings(parser, warnings);
            case "infos" -> readStrings(parser, infos);
            default -> parser.skipChildren();
          }
        }
        AnswerShape.complete(sawStatus, sawData);
      }
    }

    /**
     * The elements of the shard's array; for a query result of {@code type}, checked against it.
     */
    private void copyElements(JsonParser parser, String value, String type) throws IOException {
      if (parser.currentToken() != JsonToken.START_ARRAY) {
        if (parser.currentToken() != JsonToken.VALUE_NULL) {
          throw new MalformedAnswerException(
              "answered a \""
                  + (arrayField == null ? "data" : arrayField)
                  + "\" that is not a list");
        }
        return; // e.g. query_exemplars answers null for a query without selectors
      }
      writeHeader();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        if (type == null) {
          copy(parser, generator, value == null ? null : elementSchema, label, value);
          continue;
        }
        AnswerShape.resultElement(type, AnswerShape.kind(parser.currentToken()));
        if (!AnswerShape.hasSeries(type)) {
          copy(parser, generator, null, label, null);
          continue;
        }
        generator.writeStartObject();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          AnswerShape.seriesField(type, field);
          generator.writeFieldName(field);
          parser.nextToken();
          copy(parser, generator, value == null ? null : elementSchema.field(field), label, value);
        }
        generator.writeEndObject();
      }
    }

    private void writeHeader() throws IOException {
      if (headerWritten) {
        return;
      }
      headerWritten = true;
      generator.writeFieldName("data");
      if (arrayField != null) {
        generator.writeStartObject();
        if (endpoint == Endpoint.QUERY || endpoint == Endpoint.QUERY_RANGE) {
          String type =
              resultType != null ? resultType : endpoint == Endpoint.QUERY ? "vector" : "matrix";
          generator.writeStringField("resultType", type);
        }
        generator.writeFieldName(arrayField);
      }
      generator.writeStartArray();
    }
  }

  /**
   * Collects the distinct label sets, strings or metadata of every shard, then writes them sorted.
   */
  private static final class Union {
    private final Endpoint endpoint;
    private final String label;
    private final Set<String> warnings;
    private final Set<String> infos;
    private final Set<List<String>> labelSets = new TreeSet<>(LABEL_SET_ORDER);
    private final Set<String> strings = new TreeSet<>(CODE_POINT_ORDER);
    private final Map<String, Set<String>> metadata = new TreeMap<>(CODE_POINT_ORDER);

    private static final String TRUNCATED = "results truncated due to limit";
    private final int limit;
    private final int maxSeries;
    private final MemoryBudget.Lease memory;

    Union(
        Endpoint endpoint,
        String label,
        Set<String> warnings,
        Set<String> infos,
        int limit,
        int maxSeries,
        MemoryBudget.Lease memory) {
      this.limit = limit;
      this.maxSeries = maxSeries;
      this.memory = memory;
      this.endpoint = endpoint;
      this.label = label;
      this.warnings = warnings;
      this.infos = infos;
    }

    void run(List<ShardAnswer> answers, JsonGenerator generator) throws IOException {
      for (ShardAnswer answer : answers) {
        readNamingShard(answer, this::read);
      }
      generator.writeStartObject();
      generator.writeStringField("status", "success");
      generator.writeFieldName("data");
      switch (endpoint) {
        case SERIES -> {
          generator.writeStartArray();
          for (List<String> labelSet : truncated(labelSets)) {
            generator.writeStartObject();
            for (int i = 0; i < labelSet.size(); i += 2) {
              generator.writeStringField(labelSet.get(i), labelSet.get(i + 1));
            }
            generator.writeEndObject();
          }
          generator.writeEndArray();
        }
        case METADATA -> {
          generator.writeStartObject();
          // Metadata's limit counts metrics, and every Prometheus version applies it: each shard
          // kept at most limit, the union keeps the first limit of them by name.
          int kept = 0;
          for (Map.Entry<String, Set<String>> entry : metadata.entrySet()) {
            if (limit > 0 && kept++ == limit) {
              break;
            }
            generator.writeFieldName(entry.getKey());
            generator.writeStartArray();
            for (String raw : entry.getValue()) {
              generator.writeRawValue(raw);
            }
            generator.writeEndArray();
          }
          generator.writeEndObject();
        }
        default -> {
          generator.writeStartArray();
          for (String string : truncated(strings)) {
            generator.writeString(string);
          }
          generator.writeEndArray();
        }
      }
    }

    /** Counts {@code bytes} more held by the union. */
    private void hold(long bytes) {
      if (memory != null) {
        memory.reserve(bytes);
      }
    }

    private <T> Collection<T> truncated(Set<T> all) {
      // Only shards that apply limit (Prometheus 3) say they truncated; 2.x ignores it and so
      // would one 2.x server holding every shard's data.
      if (limit <= 0 || all.size() <= limit || !warnings.contains(TRUNCATED)) {
        return all;
      }
      return new ArrayList<>(all).subList(0, limit);
    }

    private void read(ShardAnswer answer) throws IOException {
      boolean sawStatus = false;
      boolean sawData = false;
      try (JsonParser parser = Json.parser(answer.body())) {
        expect(parser.nextToken(), JsonToken.START_OBJECT);
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          JsonToken token = parser.nextToken();
          switch (name) {
            case "status" -> {
              sawStatus = true;
              AnswerShape.status(AnswerShape.text(parser));
            }
            case "data" -> {
              sawData = true;
              AnswerShape.data(endpoint, AnswerShape.kind(token));
              readData(parser, answer);
            }
            case "warnings" -> readStrings(parser, warnings);
            case "infos" -> readStrings(parser, infos);
            default -> parser.skipChildren();
          }
        }
        AnswerShape.complete(sawStatus, sawData);
      }
    }

    private void readData(JsonParser parser, ShardAnswer answer) throws IOException {
      switch (endpoint) {
        case SERIES -> {
          if (parser.currentToken() != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
          }
          while (parser.nextToken() == JsonToken.START_OBJECT) {
            TreeMap<String, String> labels = new TreeMap<>(CODE_POINT_ORDER);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String name = parser.currentName();
              parser.nextToken();
              labels.put(name, parser.getText());
            }
            if (answer.addShardLabel()) {
              labels.putIfAbsent(label, answer.shard());
            }
            List<String> flat = new ArrayList<>(labels.size() * 2);
            labels.forEach(
                (name, value) -> {
                  flat.add(name);
                  flat.add(value);
                });
            if (labelSets.add(flat)) {
              hold(MemoryBudget.labelsBytes(flat));
            }
            if (maxSeries > 0 && labelSets.size() > maxSeries) {
              throw new ApiException(
                  new ApiError(
                      422,
                      "execution",
                      "the merged answer has more than "
                          + maxSeries
                          + " series, the router's limit (limits.max_series)"));
            }
          }
        }
        case METADATA -> {
          if (parser.currentToken() != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
          }
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String metric = parser.currentName();
            parser.nextToken();
            Set<String> entries = metadata.computeIfAbsent(metric, unused -> new LinkedHashSet<>());
            if (parser.currentToken() != JsonToken.START_ARRAY) {
              parser.skipChildren();
              continue;
            }
            while (parser.nextToken() != JsonToken.END_ARRAY) {
              StringWriter raw = new StringWriter();
              try (JsonGenerator entry = Json.generator(raw)) {
                copy(parser, entry, null, label, null);
              }
              String entry = raw.toString();
              if (entries.add(entry)) {
                hold(MemoryBudget.stringBytes(metric) + MemoryBudget.stringBytes(entry));
              }
            }
          }
        }
        default -> {
          // Added one by one (no list of a shard's strings): each is counted before it is kept.
          boolean any = false;
          if (parser.currentToken() != JsonToken.START_ARRAY) {
            parser.skipChildren();
            return;
          }
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
              parser.skipChildren();
              continue;
            }
            String value = parser.getText();
            any = true;
            if (!strings.contains(value)) {
              hold(MemoryBudget.stringBytes(value));
              strings.add(value);
            }
          }
          if (endpoint == Endpoint.LABELS && answer.addShardLabel() && any) {
            strings.add(label);
          }
        }
      }
    }
  }
}
