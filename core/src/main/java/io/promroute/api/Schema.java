package io.promroute.api;

import java.util.HashMap;
import java.util.Map;

/**
 * Where in an endpoint's JSON answer the label sets of series are: the objects the shard label is
 * added to. A small trie over field names, with {@code elements} for array elements.
 */
final class Schema {

  private final Map<String, Schema> fields = new HashMap<>();
  private Schema elements;
  private boolean labelSet;

  private Schema() {}

  Schema field(String name) {
    return fields.get(name);
  }

  Schema elements() {
    return elements;
  }

  boolean isLabelSet() {
    return labelSet;
  }

  private Schema addField(String name) {
    return fields.computeIfAbsent(name, unused -> new Schema());
  }

  private Schema addElements() {
    if (elements == null) {
      elements = new Schema();
    }
    return elements;
  }

  private Schema markLabelSet() {
    labelSet = true;
    return this;
  }

  /** The answer's shape from its root; an empty trie for endpoints with no series in them. */
  static Schema of(Endpoint endpoint) {
    Schema root = new Schema();
    Schema data = root.addField("data");
    switch (endpoint) {
      // Scalars and strings have no "metric" object, so one path serves every result type.
      case QUERY, QUERY_RANGE ->
          data.addField("result").addElements().addField("metric").markLabelSet();
      case QUERY_EXEMPLARS -> data.addElements().addField("seriesLabels").markLabelSet();
      case SERIES -> data.addElements().markLabelSet();
      case RULES -> {
        Schema rule = data.addField("groups").addElements().addField("rules").addElements();
        rule.addField("labels").markLabelSet();
        rule.addField("alerts").addElements().addField("labels").markLabelSet();
      }
      case ALERTS -> data.addField("alerts").addElements().addField("labels").markLabelSet();
      case LABELS, LABEL_VALUES, METADATA, BUILD_INFO, FORMAT_QUERY, PARSE_QUERY -> {}
    }
    return root;
  }
}
