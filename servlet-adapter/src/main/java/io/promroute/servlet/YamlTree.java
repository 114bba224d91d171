package io.promroute.servlet;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a small tree that remembers the line of every key and value, so that
 * configuration errors can name both. Jackson's own trees drop locations, hence this one, built
 * from the streaming parser.
 */
final class YamlTree {

  private YamlTree() {}

  /** A node of the tree; {@code line} is 1-based. */
  sealed interface Node permits Scalar, Mapping, Sequence {
    int line();

    /** What this node is, for messages ("a map", "a list", "a value"). */
    String kind();
  }

  /**
   * A scalar; {@code text} is {@code null} for YAML's null ({@code ~}, {@code null} or nothing).
   */
  record Scalar(String text, int line) implements Node {
    boolean isNull() {
      return text == null;
    }

    @Override
    public String kind() {
      return isNull() ? "empty" : "a value";
    }
  }

  /** A key with the line it is on and its value. */
  record Entry(String key, int line, Node value) {}

  /** A mapping, keys in file order. */
  record Mapping(Map<String, Entry> entries, int line) implements Node {
    @Override
    public String kind() {
      return "a map";
    }
  }

  record Sequence(List<Node> items, int line) implements Node {
    @Override
    public String kind() {
      return "a list";
    }
  }

  // "key:" with nothing after it is YAML's null; an empty section then reads as absent.
  private static final YAMLFactory FACTORY =
      YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();

  /**
   * Reads one YAML document. An empty document is an empty mapping.
   *
   * @throws RouterConfigException on malformed YAML or a key given twice
   */
  static Node parse(String yaml, String source) {
    try (JsonParser parser = FACTORY.createParser(yaml)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return new Mapping(Map.of(), 1);
      }
      Node root = read(parser, source);
      if (parser.nextToken() != null) {
        throw new RouterConfigException(
            source
                + ":"
                + line(parser.currentTokenLocation())
                + ": expected one YAML document, found more");
      }
      return root;
    } catch (IOException e) {
      throw new RouterConfigException(source + describeYamlError(e), e);
    }
  }

  private static final java.util.regex.Pattern MARK =
      java.util.regex.Pattern.compile(" in '[^']*', line (\\d+), column \\d+:");

  /**
   * {@code ":<line>: not valid YAML: <what the YAML library says>"}: SnakeYAML's message spreads
   * over lines with code snippets and marks; the line that counts is the last mark's (where the
   * problem is), not Jackson's location (where the construct began).
   */
  static String describeYamlError(IOException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int line = 0;
    java.util.regex.Matcher mark = MARK.matcher(message);
    while (mark.find()) {
      line = Integer.parseInt(mark.group(1));
    }
    if (line == 0
        && e instanceof com.fasterxml.jackson.core.JsonProcessingException processing
        && processing.getLocation() != null) {
      line = processing.getLocation().getLineNr();
    }
    StringBuilder text = new StringBuilder();
    for (String part : message.split("\n")) {
      if (part.isBlank()
          || part.startsWith(" in '")
          || part.startsWith("    ")
          || part.startsWith(" at [Source")) {
        continue;
      }
      if (text.length() > 0) {
        text.append(": ");
      }
      text.append(part.strip());
    }
    return (line > 0 ? ":" + line : "") + ": not valid YAML: " + text;
  }

  private static Node read(JsonParser parser, String source) throws IOException {
    JsonToken token = parser.currentToken();
    int line = line(parser.currentTokenLocation());
    switch (token) {
      case START_OBJECT -> {
        Map<String, Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          int keyLine = line(parser.currentTokenLocation());
          parser.nextToken();
          Node value = read(parser, source);
          Entry previous = entries.put(key, new Entry(key, keyLine, value));
          if (previous != null) {
            throw new RouterConfigException(
                source
                    + ":"
                    + keyLine
                    + ": key \""
                    + key
                    + "\" given twice (first at line "
                    + previous.line()
                    + ")");
          }
        }
        return new Mapping(Collections.unmodifiableMap(entries), line);
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(parser, source));
        }
        return new Sequence(List.copyOf(items), line);
      }
      case VALUE_NULL -> {
        return new Scalar(null, line);
      }
      case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
        return new Scalar(parser.getText(), line);
      }
      default ->
          throw new RouterConfigException(
              source + ":" + line + ": unexpected YAML content " + token);
    }
  }

  private static int line(JsonLocation location) {
    return location == null ? 0 : location.getLineNr();
  }
}
