package io.promroute.api;

import com.fasterxml.jackson.core.JsonParseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One shard's answer copied byte for byte, with the shard label written into each label set the
 * {@link Schema} points at and the router's warnings added. Only the path down to the label sets is
 * parsed; everything else (the sample arrays that make up nearly all of a range answer) is copied
 * as raw bytes, which costs a fraction of tokenizing and re-encoding it and keeps the shard's bytes
 * exactly. Memory stays at two small buffers whatever the answer's size. The reading is {@link
 * RawJsonReader}'s: a shard's malformed answer fails with a {@link JsonParseException}.
 */
final class ShardAnswerCopy implements RawJsonReader.Sink {

  private static final ConcurrentMap<String, byte[]> LABEL_FIELDS = new ConcurrentHashMap<>();
  private static final byte[] WARNINGS = Json.quoted("warnings");
  private final RawJsonReader reader;
  private final OutputStream out;
  // Sized as the reader's buffer, grown to BUFFER when more is written.
  private byte[] output;
  private int written;

  private final String label;

  /** {@code "label":"value"}, encoded as Go encodes it; null when no label is added. */
  private final byte[] labelField;

  private final List<String> warnings;
  private boolean warningsWritten;
  private boolean labelAdded;

  private final Endpoint endpoint;
  private boolean sawStatus;
  private boolean sawData;
  private String resultType;

  private ShardAnswerCopy(
      Endpoint endpoint,
      InputStream in,
      OutputStream out,
      String label,
      String value,
      List<String> warnings) {
    this.endpoint = endpoint;
    this.reader = new RawJsonReader(in);
    this.out = out;
    int size = reader.bufferSize();
    this.output =
        new byte[Math.min(RawJsonReader.BUFFER, size + size / 2 + RawJsonReader.MIN_BUFFER)];
    this.label = label;
    this.labelField = value == null ? null : labelField(label, value);
    this.warnings = warnings;
  }

  /** See {@link ResponseTransformer#addShardLabel}. */
  static void copy(
      Endpoint endpoint,
      InputStream in,
      OutputStream out,
      String label,
      String value,
      List<String> warnings)
      throws IOException {
    ShardAnswerCopy copy = new ShardAnswerCopy(endpoint, in, out, label, value, warnings);
    copy.root(Schema.of(endpoint));
    copy.flush();
  }

  private void root(Schema schema) throws IOException {
    reader.expect('{');
    write('{');
    warningsWritten = warnings.isEmpty();
    boolean any =
        reader.members(
            '}',
            "the answer",
            first -> {
              RawJsonReader.Name name = reader.name();
              if (!first) {
                write(',');
              }
              if (name.text().equals("warnings") && !warningsWritten && reader.peek() == '[') {
                name.writeTo(this, true);
                copyArrayAppending(warnings);
                warningsWritten = true;
                return;
              }
              if (name.text().equals("infos") && !warningsWritten) {
                writeWarningsField(); // Prometheus writes warnings before infos
                write(',');
                warningsWritten = true;
              }
              name.writeTo(this, true);
              switch (name.text()) {
                case "status" -> status();
                case "data" -> data(schema.field("data"));
                default -> value(schema.field(name.text()));
              }
            });
    AnswerShape.complete(sawStatus, sawData);
    if (!warningsWritten) {
      if (any) {
        write(',');
      }
      writeWarningsField();
    }
    write('}');
  }

  private void status() throws IOException {
    sawStatus = true;
    RawJsonReader.Name status = reader.peek() == '"' ? reader.string() : null;
    AnswerShape.status(status == null ? null : status.text());
    status.writeTo(this, false);
  }

  /**
   * {@code data}: of the endpoint's kind; a query's result of its type, and each series with
   * samples of that type.
   */
  private void data(Schema schema) throws IOException {
    sawData = true;
    AnswerShape.data(endpoint, reader.peek());
    if (endpoint != Endpoint.QUERY && endpoint != Endpoint.QUERY_RANGE) {
      value(schema);
      return;
    }
    reader.skip();
    write('{');
    reader.members(
        '}',
        "data",
        first -> {
          if (!first) {
            write(',');
          }
          RawJsonReader.Name name = reader.name();
          name.writeTo(this, true);
          if (name.text().equals("resultType")) {
            RawJsonReader.Name type = reader.peek() == '"' ? reader.string() : null;
            AnswerShape.resultType(endpoint, type == null ? null : type.text());
            resultType = type.text();
            type.writeTo(this, false);
          } else if (name.text().equals("result")) {
            AnswerShape.resultType(endpoint, resultType); // Prometheus writes the type first
            result(schema.field("result").elements());
          } else {
            value(null);
          }
        });
    write('}');
    AnswerShape.resultType(endpoint, resultType);
  }

  private void result(Schema series) throws IOException {
    reader.expect('[');
    write('[');
    reader.members(
        ']',
        "the result",
        first -> {
          if (!first) {
            write(',');
          }
          AnswerShape.resultElement(resultType, reader.peek());
          if (!AnswerShape.hasSeries(resultType)) {
            value(null);
            return;
          }
          reader.skip();
          write('{');
          reader.members(
              '}',
              "a series",
              firstField -> {
                if (!firstField) {
                  write(',');
                }
                RawJsonReader.Name name = reader.name();
                AnswerShape.seriesField(resultType, name.text());
                name.writeTo(this, true);
                value(series.field(name.text()));
              });
          write('}');
        });
    write(']');
  }

  /** Copies one value, going into objects and arrays only where the schema has label sets below. */
  private void value(Schema schema) throws IOException {
    int c = schema == null ? -1 : reader.peek();
    if (c == '{' && schema.isLabelSet() && labelField != null) {
      labelSet();
    } else if (c == '{') {
      reader.skip();
      write('{');
      reader.members(
          '}',
          "an object",
          first -> {
            if (!first) {
              write(',');
            }
            RawJsonReader.Name name = reader.name();
            name.writeTo(this, true);
            value(schema.field(name.text()));
          });
      write('}');
    } else if (c == '[') {
      reader.skip();
      write('[');
      reader.members(
          ']',
          "an array",
          first -> {
            if (!first) {
              write(',');
            }
            value(schema.elements());
          });
      write(']');
    } else {
      reader.copyValue(this);
    }
  }

  /** A label set: the shard label goes at its sorted place, unless the shard stored its own. */
  private void labelSet() throws IOException {
    reader.skip();
    write('{');
    labelAdded = false;
    boolean any =
        reader.members(
            '}',
            "a label set",
            first -> {
              RawJsonReader.Name name = reader.name();
              if (!first) {
                write(',');
              }
              if (!labelAdded) {
                int order = ResponseTransformer.CODE_POINT_ORDER.compare(name.text(), label);
                if (order > 0) {
                  write(labelField, 0, labelField.length);
                  write(',');
                }
                labelAdded = order >= 0; // at 0 the shard stores the label: its own value stands
              }
              name.writeTo(this, true);
              reader.copyValue(this);
            });
    if (!labelAdded) {
      if (any) {
        write(',');
      }
      write(labelField, 0, labelField.length);
    }
    write('}');
  }

  /** The array at the input, copied with {@code extra} strings appended. */
  private void copyArrayAppending(List<String> extra) throws IOException {
    reader.expect('[');
    write('[');
    boolean any =
        reader.members(
            ']',
            "an array",
            first -> {
              if (!first) {
                write(',');
              }
              reader.copyValue(this);
            });
    for (String string : extra) {
      if (any) {
        write(',');
      }
      byte[] encoded = Json.quoted(string);
      write(encoded, 0, encoded.length);
      any = true;
    }
    write(']');
  }

  private void writeWarningsField() throws IOException {
    write(WARNINGS, 0, WARNINGS.length);
    write(':');
    write('[');
    for (int i = 0; i < warnings.size(); i++) {
      if (i > 0) {
        write(',');
      }
      byte[] encoded = Json.quoted(warnings.get(i));
      write(encoded, 0, encoded.length);
    }
    write(']');
  }

  // ---- output ----

  @Override
  public void write(int b) throws IOException {
    if (written == output.length) {
      flush();
    }
    output[written++] = (byte) b;
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    while (length > 0) {
      if (written == output.length) {
        flush();
      }
      int n = Math.min(length, output.length - written);
      System.arraycopy(bytes, offset, output, written, n);
      written += n;
      offset += n;
      length -= n;
    }
  }

  private void flush() throws IOException {
    if (written > 0) {
      out.write(output, 0, written);
      if (written == output.length && output.length < RawJsonReader.BUFFER) {
        output = new byte[Math.min(RawJsonReader.BUFFER, output.length * 2)];
      }
      written = 0;
    }
  }

  /**
   * {@code "label":"value"}; kept per shard, since encoding it through Jackson costs a microsecond
   * or two.
   */
  private static byte[] labelField(String label, String value) {
    String key = label + '\u0000' + value;
    byte[] field = LABEL_FIELDS.get(key);
    if (field == null) {
      field = concat(Json.quoted(label), new byte[] {':'}, Json.quoted(value));
      if (LABEL_FIELDS.size() >= 1024) {
        LABEL_FIELDS.clear(); // shard keys come from the configuration: only reloads ever get here
      }
      LABEL_FIELDS.put(key, field);
    }
    return field;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      bytes.writeBytes(part);
    }
    return bytes.toByteArray();
  }
}
