package io.promroute.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.promroute.compat.GoJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Jackson set up to write JSON the way Prometheus (Go's encoder) writes it. */
final class Json {

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET)
          .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_CONTENT)
          // Flushing would commit the servlet response: an error found later could no longer be
          // answered with its status. The container sends what its buffer cannot hold anyway.
          .disable(com.fasterxml.jackson.core.StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
          .build();

  static {
    GoJson.newFactory(FACTORY);
  }

  private Json() {}

  /** A generator that leaves {@code out} open: it is the servlet's stream. */
  static JsonGenerator generator(OutputStream out) throws IOException {
    return FACTORY.createGenerator(out);
  }

  static JsonGenerator generator(java.io.Writer out) throws IOException {
    return FACTORY.createGenerator(out);
  }

  static JsonParser parser(InputStream in) throws IOException {
    return FACTORY.createParser(in);
  }

  /** {@code text} as a JSON string, quotes included, escaped as Go escapes it. */
  static byte[] quoted(String text) {
    return GoJson.quote(text).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Copies the current scalar token exactly: numbers keep their spelling ({@code 1435781451.781}).
   */
  static void copyScalar(JsonParser parser, JsonGenerator generator) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case VALUE_STRING ->
          generator.writeString(
              parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
      // From the parser's buffer: no String per number (range answers are mostly timestamps).
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
          generator.writeNumber(
              parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
      case VALUE_TRUE -> generator.writeBoolean(true);
      case VALUE_FALSE -> generator.writeBoolean(false);
      case VALUE_NULL -> generator.writeNull();
      default -> throw new IOException("unexpected JSON token " + token);
    }
  }
}
