package io.promroute.compat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * JSON strings escaped as Go's {@code encoding/json} (and jsoniter's standard-library mode, which
 * Prometheus uses) escapes them: {@code < > &} and U+2028/U+2029 as {@code \}{@code u00XX}, other
 * control characters as lower-case {@code \}{@code u00XX} except {@code \n \r \t}. Copying strings
 * through these escapes keeps shard answers byte-identical.
 */
public final class GoJson {

  private static final CharacterEscapes ESCAPES = new GoEscapes();
  private static final JsonFactory FACTORY = newFactory(JsonFactory.builder().build());

  private GoJson() {}

  /**
   * Sets Go's escapes on a factory.
   *
   * @param factory a factory configured otherwise as the caller needs
   * @return {@code factory}
   */
  public static JsonFactory newFactory(JsonFactory factory) {
    factory.setCharacterEscapes(ESCAPES);
    return factory;
  }

  /**
   * A factory with Go's escapes and Jackson's defaults otherwise.
   *
   * @return the shared factory (thread-safe)
   */
  public static JsonFactory factory() {
    return FACTORY;
  }

  /**
   * A JSON string, quotes included, escaped as Go escapes it.
   *
   * @param text the string
   * @return its JSON form
   */
  public static String quote(String text) {
    StringWriter out = new StringWriter(text.length() + 2);
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      generator.writeString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static final class GoEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] asciiEscapes;

    GoEscapes() {
      asciiEscapes = standardAsciiEscapesForJSON();
      for (int c = 0; c < 32; c++) {
        if (c != '\n' && c != '\r' && c != '\t') {
          asciiEscapes[c] = ESCAPE_CUSTOM;
        }
      }
      asciiEscapes['<'] = ESCAPE_CUSTOM;
      asciiEscapes['>'] = ESCAPE_CUSTOM;
      asciiEscapes['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return asciiEscapes;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      if (ch < 128 || ch == 0x2028 || ch == 0x2029) {
        return new SerializedString(String.format("\\u%04x", ch));
      }
      return null;
    }
  }
}
