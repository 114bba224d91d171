package io.promroute.api;

import com.fasterxml.jackson.core.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a JSON answer as bytes, for copies that parse only what they change: white space between
 * tokens is skipped, member names and strings are read whole, and any other value can be copied
 * verbatim to a {@link Sink} with a table-driven scan. The structure is checked as far as it is
 * read (balanced brackets, closed strings, no early end); a malformed answer fails with a {@link
 * JsonParseException}.
 */
final class RawJsonReader {

  static final int BUFFER = 16 * 1024;
  static final int MIN_BUFFER = 256;

  /** Bytes that cannot change the nesting or end a string. */
  private static final boolean[] PLAIN = new boolean[256];

  static {
    java.util.Arrays.fill(PLAIN, true);
    for (char c : "\"\\{}[]".toCharArray()) {
      PLAIN[c] = false;
    }
  }

  /** Where copied bytes go. */
  interface Sink {
    void write(int b) throws IOException;

    void write(byte[] bytes, int offset, int length) throws IOException;
  }

  /** A string as read: its raw bytes between the quotes, escapes kept, and its decoded text. */
  record Name(byte[] raw, int length, String text) {
    /** Writes it back as it was, quotes included, then a colon when it named a member. */
    void writeTo(Sink sink, boolean member) throws IOException {
      sink.write('"');
      sink.write(raw, 0, length);
      sink.write('"');
      if (member) {
        sink.write(':');
      }
    }
  }

  private final InputStream in;
  // Sized to a small answer already in memory, and grown to BUFFER when an answer is larger.
  private byte[] input;
  private int position;
  private int limit;

  RawJsonReader(InputStream in) {
    this.in = in;
    int available = available(in);
    this.input =
        new byte[available > 0 ? Math.min(BUFFER, Math.max(MIN_BUFFER, available + 1)) : BUFFER];
  }

  /** The size of the input buffer, a hint for the size of what is written from it. */
  int bufferSize() {
    return input.length;
  }

  /** Consumes the byte {@link #peek()} answered. */
  void skip() {
    position++;
  }

  /**
   * Copies one member of an array or object, writing the comma before it unless it is the first.
   */
  interface Member {
    void copy(boolean first) throws IOException;
  }

  /**
   * Goes through the members of the array or object just opened, up to its {@code close} (consumed,
   * not written). Answers whether there was any member.
   */
  boolean members(char close, String where, Member member) throws IOException {
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

  /** Copies a whole JSON value verbatim (after leading white space, which is dropped). */
  void copyValue(Sink sink) throws IOException {
    int c = peek();
    if (c != '{' && c != '[' && c != '"') {
      copyLiteral(sink);
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
        if (escaped) {
          escaped = false; // whatever follows a backslash is part of the string
          continue;
        }
        i =
            skipPlain(
                input, i, end); // digits, letters, commas: nearly every byte of a sample array
        if (i == end) {
          break;
        }
        byte b = input[i];
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
      sink.write(input, start, i - start);
      position = i;
      if (done) {
        return;
      }
    }
  }

  /** The index of the first byte from {@code i} that is not {@link #PLAIN}, or {@code end}. */
  private static int skipPlain(byte[] bytes, int i, int end) {
    while (i < end && PLAIN[bytes[i] & 0xff]) {
      i++;
    }
    return i;
  }

  /** A number, true, false or null: up to the next delimiter. */
  private void copyLiteral(Sink sink) throws IOException {
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
      sink.write(b);
      position++;
      any = true;
    }
    if (!any) {
      throw malformed("expected a value");
    }
  }

  /** A member's name, read up to and including its colon. */
  Name name() throws IOException {
    Name name = string();
    expect(':');
    return name;
  }

  /** A string, read whole: its raw bytes between the quotes and its decoded text. */
  Name string() throws IOException {
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

  private static int available(InputStream in) {
    try {
      return in.available();
    } catch (IOException e) {
      return 0; // the read will tell
    }
  }

  private boolean fill() throws IOException {
    if (limit == input.length && input.length < BUFFER) {
      input =
          new byte[Math.min(BUFFER, input.length * 2)]; // the last read filled it: more is coming
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
  int peek() throws IOException {
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
  int next() throws IOException {
    int c = peek();
    if (c < 0) {
      throw malformed("the answer ended early");
    }
    position++;
    return c;
  }

  void expect(char c) throws IOException {
    int actual = next();
    if (actual != c) {
      throw malformed(
          "expected '" + c + "' but found " + (actual < 0 ? "the end" : "'" + (char) actual + "'"));
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  static JsonParseException malformed(String message) {
    return new JsonParseException(null, message);
  }
}
