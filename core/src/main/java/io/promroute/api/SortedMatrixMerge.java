package io.promroute.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Merges the matrices of several shards' range queries into one matrix sorted by label set, as
 * Prometheus sorts a range query's result. Each shard's matrix is already sorted; with the shard
 * label added it stays sorted, so a k-way merge holds one series per shard, never a whole answer.
 */
final class SortedMatrixMerge {

  private final JsonGenerator generator;
  private final String label;
  private final Set<String> warnings;
  private final Set<String> infos;

  SortedMatrixMerge(JsonGenerator generator, String label, Set<String> warnings, Set<String> infos) {
    this.generator = generator;
    this.label = label;
    this.warnings = warnings;
    this.infos = infos;
  }

  /** One shard's answer, read one series ahead. */
  private final class Cursor {
    final ShardAnswer answer;
    final JsonParser parser;
    boolean inResult;
    List<String> key;
    String series;

    Cursor(ShardAnswer answer) throws IOException {
      this.answer = answer;
      this.parser = Json.parser(answer.body());
    }

    /** Reads up to the first series (or to the end when there is no result array). */
    void open() throws IOException {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("shard \"" + answer.shard() + "\" answered no JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken token = parser.nextToken();
        if (name.equals("data") && token == JsonToken.START_OBJECT) {
          while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("result") && value == JsonToken.START_ARRAY) {
              inResult = true;
              advance();
              return;
            }
            parser.skipChildren();
          }
        } else {
          readTopLevel(name);
        }
      }
    }

    /** Buffers the next series, or finishes reading the answer after the last. */
    void advance() throws IOException {
      key = null;
      series = null;
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        inResult = false;
        finish();
        return;
      }
      Map<String, String> labels = new TreeMap<>(ResponseTransformer.CODE_POINT_ORDER);
      StringWriter raw = new StringWriter();
      try (JsonGenerator out = Json.generator(raw)) {
        out.writeStartObject();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          parser.nextToken();
          if (field.equals("metric") && parser.currentToken() == JsonToken.START_OBJECT) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
              String name = parser.currentName();
              parser.nextToken();
              labels.put(name, parser.getText());
            }
            if (answer.addShardLabel()) {
              labels.putIfAbsent(label, answer.shard());
            }
            out.writeFieldName("metric");
            out.writeStartObject();
            for (Map.Entry<String, String> entry : labels.entrySet()) {
              out.writeStringField(entry.getKey(), entry.getValue());
            }
            out.writeEndObject();
          } else {
            out.writeFieldName(field);
            ResponseTransformer.copy(parser, out, null, label, null);
          }
        }
        out.writeEndObject();
      }
      List<String> flat = new ArrayList<>(labels.size() * 2);
      labels.forEach((name, value) -> {
        flat.add(name);
        flat.add(value);
      });
      key = flat;
      series = raw.toString();
    }

    /** Reads what follows the result: the rest of data, then warnings and infos. */
    private void finish() throws IOException {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        parser.nextToken();
        parser.skipChildren();
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        readTopLevel(name);
      }
    }

    private void readTopLevel(String name) throws IOException {
      if (name.equals("warnings") || name.equals("infos")) {
        Set<String> into = name.equals("warnings") ? warnings : infos;
        if (parser.currentToken() == JsonToken.START_ARRAY) {
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            into.add(parser.getText());
          }
          return;
        }
      }
      parser.skipChildren();
    }
  }

  void run(List<ShardAnswer> answers) throws IOException {
    List<Cursor> cursors = new ArrayList<>();
    try {
      for (ShardAnswer answer : answers) {
        Cursor cursor = new Cursor(answer);
        cursors.add(cursor);
        named(cursor, cursor::open);
      }
      generator.writeStartObject();
      generator.writeStringField("status", "success");
      generator.writeFieldName("data");
      generator.writeStartObject();
      generator.writeStringField("resultType", "matrix");
      generator.writeFieldName("result");
      generator.writeStartArray();
      while (true) {
        Cursor next = null;
        for (Cursor cursor : cursors) {
          if (cursor.series != null
              && (next == null || ResponseTransformer.LABEL_SET_ORDER.compare(cursor.key, next.key) < 0)) {
            next = cursor;
          }
        }
        if (next == null) {
          break;
        }
        generator.writeRawValue(next.series);
        Cursor current = next;
        named(current, current::advance);
      }
      generator.writeEndArray();
      generator.writeEndObject();
    } finally {
      for (Cursor cursor : cursors) {
        cursor.parser.close();
      }
    }
  }

  private interface Step {
    void run() throws IOException;
  }

  private static void named(Cursor cursor, Step step) throws IOException {
    try {
      step.run();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(
          "shard \"" + cursor.answer.shard() + "\" answered invalid JSON: " + e.getOriginalMessage(), e);
    }
  }
}
