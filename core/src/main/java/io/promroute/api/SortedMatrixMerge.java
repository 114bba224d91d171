package io.promroute.api;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Merges the matrices of several shards' range queries into one matrix sorted by label set, as
 * Prometheus sorts a range query's result. Each shard's matrix is already sorted; with the shard
 * label added it stays sorted, so a k-way merge holds one series per shard, never a whole answer.
 *
 * <p>Each series is read with {@link RawJsonReader}: its labels are parsed (to sort, and to put the
 * shard label among them), its samples are copied as the shard wrote them, bytes unchanged.
 */
final class SortedMatrixMerge {

  private static final RawJsonReader.Sink DISCARD =
      new RawJsonReader.Sink() {
        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] bytes, int offset, int length) {}
      };

  private final JsonGenerator generator;
  private final OutputStream out;
  private final String label;
  private final Set<String> warnings;
  private final Set<String> infos;

  /**
   * @param generator writes the envelope to {@code out}; the series go to {@code out} directly,
   *     between flushes of the generator
   */
  SortedMatrixMerge(
      JsonGenerator generator,
      OutputStream out,
      String label,
      Set<String> warnings,
      Set<String> infos) {
    this.generator = generator;
    this.out = out;
    this.label = label;
    this.warnings = warnings;
    this.infos = infos;
  }

  /** A series as it will be written, and its sorted label set. */
  private static final class Series implements RawJsonReader.Sink {
    byte[] bytes = new byte[1024];
    int length;

    @Override
    public void write(int b) {
      if (length == bytes.length) {
        bytes = Arrays.copyOf(bytes, length * 2);
      }
      bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int count) {
      if (length + count > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(length + count, length * 2));
      }
      System.arraycopy(source, offset, bytes, length, count);
      length += count;
    }
  }

  /** One shard's answer, read one series ahead. */
  private final class Cursor {
    final ShardAnswer answer;
    final RawJsonReader reader;

    /**
     * The shard label's name and value as written, or null when the shard's series keep their
     * labels.
     */
    final RawJsonReader.Name[] shardLabel;

    boolean inResult;
    boolean firstInResult;
    private boolean sawStatus;
    private boolean sawData;
    private boolean sawResultType;
    List<String> key;
    Series series;

    Cursor(ShardAnswer answer) {
      this.answer = answer;
      this.reader = new RawJsonReader(answer.body());
      if (answer.addShardLabel()) {
        // Encoded once per shard, not per series.
        byte[] name = unquoted(Json.quoted(label));
        byte[] value = unquoted(Json.quoted(answer.shard()));
        this.shardLabel =
            new RawJsonReader.Name[] {
              new RawJsonReader.Name(name, name.length, label),
              new RawJsonReader.Name(value, value.length, answer.shard())
            };
      } else {
        this.shardLabel = null;
      }
    }

    /** Reads up to the first series (or to the end when there is no result array). */
    void open() throws IOException {
      reader.expect('{');
      if (reader.peek() == '}') {
        reader.skip();
        return;
      }
      do {
        RawJsonReader.Name name = reader.name();
        if (name.text().equals("data")) {
          sawData = true;
          AnswerShape.data(Endpoint.QUERY_RANGE, reader.peek());
          reader.skip();
          if (openData()) {
            return;
          }
        } else {
          readTopLevel(name.text());
        }
      } while (separator('}'));
      AnswerShape.complete(sawStatus, sawData);
    }

    /** Inside data: up to the result array (true), or through data when it has none. */
    private boolean openData() throws IOException {
      if (reader.peek() == '}') {
        reader.skip();
        return false;
      }
      do {
        RawJsonReader.Name name = reader.name();
        if (name.text().equals("resultType")) {
          RawJsonReader.Name type = reader.peek() == '"' ? reader.string() : null;
          AnswerShape.resultType(Endpoint.QUERY_RANGE, type == null ? null : type.text());
          sawResultType = true;
          continue;
        }
        if (name.text().equals("result")) {
          AnswerShape.resultType(Endpoint.QUERY_RANGE, sawResultType ? "matrix" : null);
          reader.expect('[');
          inResult = true;
          firstInResult = true;
          advance();
          return true;
        }
        reader.copyValue(DISCARD);
      } while (separator('}'));
      AnswerShape.resultType(Endpoint.QUERY_RANGE, sawResultType ? "matrix" : null);
      return false;
    }

    /** Answers true after a comma, false at {@code close}. */
    private boolean separator(char close) throws IOException {
      int next = reader.next();
      if (next == ',') {
        return true;
      }
      if (next != close) {
        throw RawJsonReader.malformed("expected ',' or '" + close + "'");
      }
      return false;
    }

    /** Buffers the next series, or finishes reading the answer after the last. */
    void advance() throws IOException {
      key = null;
      series = null;
      boolean more = firstInResult ? reader.peek() != ']' : separator(']');
      if (firstInResult && !more) {
        reader.skip();
      }
      firstInResult = false;
      if (!more) {
        inResult = false;
        finish();
        return;
      }
      readSeries();
    }

    private void readSeries() throws IOException {
      Series next = new Series();
      reader.expect('{');
      next.write('{');
      Map<String, RawJsonReader.Name[]> labels = null;
      if (reader.peek() == '}') {
        reader.skip();
      } else {
        boolean first = true;
        do {
          if (!first) {
            next.write(',');
          }
          first = false;
          RawJsonReader.Name name = reader.name();
          AnswerShape.seriesField("matrix", name.text());
          if (name.text().equals("metric") && reader.peek() == '{') {
            reader.skip();
            labels = readLabels();
            writeLabels(labels, next);
          } else {
            name.writeTo(next, true);
            reader.copyValue(next);
          }
        } while (separator('}'));
      }
      next.write('}');
      List<String> flat = new ArrayList<>();
      if (labels != null) {
        labels.forEach(
            (labelName, nameAndValue) -> {
              flat.add(labelName);
              flat.add(nameAndValue[1].text());
            });
      }
      key = flat;
      series = next;
    }

    /** The label set, sorted by name, with the shard label unless the shard stores its own. */
    private Map<String, RawJsonReader.Name[]> readLabels() throws IOException {
      Map<String, RawJsonReader.Name[]> labels =
          new TreeMap<>(ResponseTransformer.CODE_POINT_ORDER);
      if (reader.peek() == '}') {
        reader.skip();
      } else {
        do {
          RawJsonReader.Name name = reader.name();
          RawJsonReader.Name value = reader.string();
          labels.put(name.text(), new RawJsonReader.Name[] {name, value});
        } while (separator('}'));
      }
      if (shardLabel != null && !labels.containsKey(label)) {
        labels.put(label, shardLabel);
      }
      return labels;
    }

    private void writeLabels(Map<String, RawJsonReader.Name[]> labels, Series into)
        throws IOException {
      into.write(METRIC, 0, METRIC.length);
      into.write('{');
      boolean first = true;
      for (RawJsonReader.Name[] nameAndValue : labels.values()) {
        if (!first) {
          into.write(',');
        }
        first = false;
        nameAndValue[0].writeTo(into, true);
        nameAndValue[1].writeTo(into, false);
      }
      into.write('}');
    }

    /** Reads what follows the result: the rest of data, then warnings and infos. */
    private void finish() throws IOException {
      while (separator('}')) {
        reader.name();
        reader.copyValue(DISCARD);
      }
      while (separator('}')) {
        readTopLevel(reader.name().text());
      }
      AnswerShape.complete(sawStatus, sawData);
    }

    private void readTopLevel(String name) throws IOException {
      if (name.equals("status")) {
        sawStatus = true;
        RawJsonReader.Name status = reader.peek() == '"' ? reader.string() : null;
        AnswerShape.status(status == null ? null : status.text());
        return;
      }
      if ((name.equals("warnings") || name.equals("infos")) && reader.peek() == '[') {
        Set<String> into = name.equals("warnings") ? warnings : infos;
        reader.skip();
        if (reader.peek() == ']') {
          reader.skip();
          return;
        }
        do {
          if (reader.peek() == '"') {
            into.add(reader.string().text());
          } else {
            reader.copyValue(DISCARD);
          }
        } while (separator(']'));
        return;
      }
      reader.copyValue(DISCARD);
    }
  }

  private static final byte[] METRIC =
      "\"metric\":".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static byte[] unquoted(byte[] quoted) {
    return Arrays.copyOfRange(quoted, 1, quoted.length - 1);
  }

  void run(List<ShardAnswer> answers) throws IOException {
    List<Cursor> cursors = new ArrayList<>();
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
    generator.flush(); // the series go straight to the stream after what the generator wrote
    boolean first = true;
    while (true) {
      Cursor next = null;
      for (Cursor cursor : cursors) {
        if (cursor.series != null
            && (next == null
                || ResponseTransformer.LABEL_SET_ORDER.compare(cursor.key, next.key) < 0)) {
          next = cursor;
        }
      }
      if (next == null) {
        break;
      }
      if (!first) {
        out.write(',');
      }
      first = false;
      out.write(next.series.bytes, 0, next.series.length);
      Cursor current = next;
      named(current, current::advance);
    }
    generator.writeEndArray();
    generator.writeEndObject();
  }

  private interface Step {
    void run() throws IOException;
  }

  private static void named(Cursor cursor, Step step) throws IOException {
    try {
      step.run();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new MalformedAnswerException(
          "shard \""
              + cursor.answer.shard()
              + "\" answered invalid JSON: "
              + e.getOriginalMessage());
    } catch (MalformedAnswerException e) {
      throw new MalformedAnswerException(
          "shard \"" + cursor.answer.shard() + "\" " + e.getMessage());
    }
  }
}
