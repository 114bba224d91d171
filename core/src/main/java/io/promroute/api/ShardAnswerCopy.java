package io.promroute.api;

import com.fasterxml.jackson.core.JsonParseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One shard's answer copied byte for byte, with the shard label written into each label set the
 * {@link Schema} points at and the router's warnings added. Only the path down to the label sets
 * is parsed; everything else (the sample arrays that make up nearly all of a range answer) is
 * copied as raw bytes, which costs a fraction of tokenizing and re-encoding it and keeps the
 * shard's bytes exactly. Memory stays at two small buffers whatever the answer's size.
 *
 * <p>The structure is checked as far as it is read (balanced brackets, closed strings, no early
 * end); a shard's malformed answer fails with a {@link JsonParseException}.
 */
final class ShardAnswerCopy {

  private static final int BUFFER = 16 * 1024;
  private static final int MIN_BUFFER = 256;
  private static final java.util.concurrent.ConcurrentMap<String, byte[]> LABEL_FIELDS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final byte[] WARNINGS = Json.quoted("warnings");
  /** Bytes that cannot change the nesting or end a string. */
  private static final boolean[] PLAIN = new boolean[256];

  static {
    java.util.Arrays.fill(PLAIN, true);
    for (char c : "\"\\{}[]".toCharArray()) {
      PLAIN[c] = false;
    }
  }

  private final InputStream in;
  private final OutputStream out;
  // Sized to a small answer already in memory, and grown to BUFFER when an answer is larger.
  private byte[] input;
  private int position;
  private int limit;
  private byte[] output;
  private int written;

  private final String label;
  /** {@code "label":"value"}, encoded as Go encodes it; null when no label is added. */
  private final byte[] labelField;
  private final List<String> warnings;
  private boolean warningsWritten;
  private boolean labelAdded;

  private ShardAnswerCopy(InputStream in, OutputStream out, String label, String value, List<String> warnings) {
    this.in = in;
    this.out = out;
    int available = available(in);
    this.input = new byte[available > 0 ? Math.min(BUFFER, Math.max(MIN_BUFFER, available + 1)) : BUFFER];
    this.output = new byte[Math.min(BUFFER, input.length + input.length / 2 + MIN_BUFFER)];
    this.label = label;
    this.labelField = value == null ? null : labelField(label, value);
    this.warnings = warnings;
  }

  /** See {@link ResponseTransformer#addShardLabel}. */
  static void copy(Endpoint endpoint, InputStream in, OutputStream out, String label, String value, List<String> warnings)
      throws IOException {
    ShardAnswerCopy copy = new ShardAnswerCopy(in, out, label, value, warnings);
    copy.root(value == null ? null : Schema.of(endpoint));
    copy.flush();
  }

  private void root(Schema schema) throws IOException {
    expect('{');
    write('{');
    warningsWritten = warnings.isEmpty();
    boolean any = members('}', "the answer", first -> {
      Name name = name();
      if (!first) {
        write(',');
      }
      if (name.text.equals("warnings") && !warningsWritten && peek() == '[') {
        name.writeTo(this);
        copyArrayAppending(warnings);
        warningsWritten = true;
        return;
      }
      if (name.text.equals("infos") && !warningsWritten) {
        writeWarningsField(); // Prometheus writes warnings before infos
        write(',');
        warningsWritten = true;
      }
      name.writeTo(this);
      value(schema == null ? null : schema.field(name.text));
    });
    if (!warningsWritten) {
      if (any) {
        write(',');
      }
      writeWarningsField();
    }
    write('}');
  }

  /** Copies one value, going into objects and arrays only where the schema has label sets below. */
  private void value(Schema schema) throws IOException {
    int c = schema == null ? -1 : peek();
    if (c == '{' && schema.isLabelSet() && labelField != null) {
      labelSet();
    } else if (c == '{') {
      position++;
      write('{');
      members('}', "an object", first -> {
        if (!first) {
          write(',');
        }
        Name name = name();
        name.writeTo(this);
        value(schema.field(name.text));
      });
      write('}');
    } else if (c == '[') {
      position++;
      write('[');
      members(']', "an array", first -> {
        if (!first) {
          write(',');
        }
        value(schema.elements());
      });
      write(']');
    } else {
      copyValue();
    }
  }

  /** A label set: the shard label goes at its sorted place, unless the shard stored its own. */
  private void labelSet() throws IOException {
    position++;
    write('{');
    labelAdded = false;
    boolean any = members('}', "a label set", first -> {
      Name name = name();
      if (!first) {
        write(',');
      }
      if (!labelAdded) {
        int order = ResponseTransformer.CODE_POINT_ORDER.compare(name.text, label);
        if (order > 0) {
          write(labelField, 0, labelField.length);
          write(',');
        }
        labelAdded = order >= 0; // at 0 the shard stores the label: its own value stands
      }
      name.writeTo(this);
      copyValue();
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
    expect('[');
    write('[');
    boolean any = members(']', "an array", first -> {
      if (!first) {
        write(',');
      }
      copyValue();
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

  /** Copies one member of an array or object, writing the comma before it unless it is the first. */
  private interface Member {
    void copy(boolean first) throws IOException;
  }

  /**
   * Goes through the members of the array or object just opened, up to its {@code close}
   * (consumed, not written). Answers whether there was any member.
   */
  private boolean members(char close, String where, Member member) throws IOException {
    if (peek() == close) {
      position++;
      return false;
    }
    for (boolean first = true; ; first = false) {
      member.copy(first);
      int next = next();
      if (next == close) {
        return true;
      }
      if (next != ',') {
        throw malformed("expected ',' or '" + close + "' in " + where);
      }
    }
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

  // ---- raw copying ----

  /** Copies a whole JSON value verbatim (after leading white space, which is dropped). */
  private void copyValue() throws IOException {
    int c = peek();
    if (c != '{' && c != '[' && c != '"') {
      copyLiteral();
      return;
    }
    int depth = 0;
    boolean inString = false;
    boolean escaped = false;
    while (true) {
      if (position == limit && !fill()) {
        throw malformed("the answer ended inside a value");
      }
      int start = position;
      int end = limit;
      int i = start;
      boolean done = false;
      for (; i < end; i++) {
        byte b = input[i];
        if (escaped) {
          escaped = false; // whatever follows a backslash is part of the string
          continue;
        }
        if (PLAIN[b & 0xff]) {
          continue; // digits, letters, commas: nearly every byte of a sample array
        }
        if (inString) {
          if (b == '\\') {
            escaped = true;
          } else if (b == '"') {
            inString = false;
            if (depth == 0) { // a string value on its own
              i++;
              done = true;
              break;
            }
          }
        } else if (b == '"') {
          inString = true;
        } else if (b == '{' || b == '[') {
          depth++;
        } else if (b == '}' || b == ']') {
          depth--;
          if (depth == 0) {
            i++;
            done = true;
            break;
          }
        }
      }
      write(input, start, i - start);
      position = i;
      if (done) {
        return;
      }
    }
  }

  /** A number, true, false or null: up to the next delimiter. */
  private void copyLiteral() throws IOException {
    boolean any = false;
    while (true) {
      if (position == limit && !fill()) {
        break;
      }
      byte b = input[position];
      if (b == ',' || b == '}' || b == ']' || isSpace(b)) {
        break;
      }
      if (b == '"' || b == '{' || b == '[' || b == ':') {
        throw malformed("unexpected '" + (char) b + "'");
      }
      write(b);
      position++;
      any = true;
    }
    if (!any) {
      throw malformed("expected a value");
    }
  }

  /** An object member's name, read up to and including its colon. */
  private record Name(byte[] raw, int length, String text) {
    void writeTo(ShardAnswerCopy copy) throws IOException {
      copy.write('"');
      copy.write(raw, 0, length);
      copy.write('"');
      copy.write(':');
    }
  }

  private Name name() throws IOException {
    expect('"');
    boolean escapes = false;
    boolean escaped = false;
    byte[] raw = new byte[32];
    int count = 0;
    while (true) {
      if (position == limit && !fill()) {
        throw malformed("the answer ended inside a string");
      }
      byte b = input[position++];
      if (escaped) {
        escaped = false;
      } else if (b == '\\') {
        escaped = true;
        escapes = true;
      } else if (b == '"') {
        break;
      }
      if (count == raw.length) {
        raw = java.util.Arrays.copyOf(raw, count * 2);
      }
      raw[count++] = b;
    }
    expect(':');
    String text = new String(raw, 0, count, StandardCharsets.UTF_8);
    return new Name(raw, count, escapes ? unescape(text) : text);
  }

  private JsonParseException malformedString() {
    return malformed("bad escape in a string");
  }

  private String unescape(String text) throws JsonParseException {
    StringBuilder result = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\\') {
        result.append(c);
        continue;
      }
      if (++i >= text.length()) {
        throw malformedString();
      }
      char e = text.charAt(i);
      switch (e) {
        case '"', '\\', '/' -> result.append(e);
        case 'b' -> result.append('\b');
        case 'f' -> result.append('\f');
        case 'n' -> result.append('\n');
        case 'r' -> result.append('\r');
        case 't' -> result.append('\t');
        case 'u' -> {
          if (i + 4 >= text.length()) {
            throw malformedString();
          }
          try {
            result.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
          } catch (NumberFormatException | StringIndexOutOfBoundsException bad) {
            throw malformedString();
          }
          i += 4;
        }
        default -> throw malformedString();
      }
    }
    return result.toString();
  }

  // ---- input ----

  private static int available(InputStream in) {
    try {
      return in.available();
    } catch (IOException e) {
      return 0; // the read will tell
    }
  }

  private boolean fill() throws IOException {
    if (limit == input.length && input.length < BUFFER) {
      input = new byte[Math.min(BUFFER, input.length * 2)]; // the last read filled it: more is coming
    }
    int read = in.read(input, 0, input.length);
    if (read <= 0) {
      position = limit = 0;
      return false;
    }
    position = 0;
    limit = read;
    return true;
  }

  /** The next byte that is not white space, not consumed; -1 at the end. */
  private int peek() throws IOException {
    while (true) {
      if (position == limit && !fill()) {
        return -1;
      }
      byte b = input[position];
      if (!isSpace(b)) {
        return b;
      }
      position++;
    }
  }

  /** The next byte that is not white space, consumed. */
  private int next() throws IOException {
    int c = peek();
    if (c < 0) {
      throw malformed("the answer ended early");
    }
    position++;
    return c;
  }

  private void expect(char c) throws IOException {
    int actual = next();
    if (actual != c) {
      throw malformed("expected '" + c + "' but found " + (actual < 0 ? "the end" : "'" + (char) actual + "'"));
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static JsonParseException malformed(String message) {
    return new JsonParseException(null, message);
  }

  // ---- output ----

  private void write(int b) throws IOException {
    if (written == output.length) {
      flush();
    }
    output[written++] = (byte) b;
  }

  private void write(byte[] bytes, int offset, int length) throws IOException {
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
      if (written == output.length && output.length < BUFFER) {
        output = new byte[Math.min(BUFFER, output.length * 2)];
      }
      written = 0;
    }
  }

  /** {@code "label":"value"}; kept per shard, since encoding it through Jackson costs a microsecond or two. */
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
