package io.promroute.compat;

/**
 * Prometheus's legacy label name rule, {@code [a-zA-Z_][a-zA-Z0-9_]*}: what the printer writes
 * bare, what Prometheus 2.x accepts as a label name, and what the configuration accepts as the
 * shard label.
 */
public final class LabelNames {

  private LabelNames() {}

  /**
   * Whether {@code name} matches {@code [a-zA-Z_][a-zA-Z0-9_]*}; the empty name does not.
   *
   * @param name the label name
   * @return whether Prometheus's legacy rule accepts it
   */
  public static boolean isLegacy(String name) {
    int length = name.length();
    if (length == 0) {
      return false;
    }
    for (int index = 0; index < length; index++) {
      char character = name.charAt(index);
      boolean letter =
          character == '_'
              || (character >= 'a' && character <= 'z')
              || (character >= 'A' && character <= 'Z');
      if (!letter && !(index > 0 && character >= '0' && character <= '9')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Appends a label name as Prometheus prints it: bare when legacy, otherwise Go-quoted.
   *
   * @param builder where to append
   * @param name the label name
   */
  public static void append(StringBuilder builder, String name) {
    if (isLegacy(name)) {
      builder.append(name);
    } else {
      GoQuote.appendQuoted(builder, name);
    }
  }

  /**
   * A label name as Prometheus prints it: bare when legacy, otherwise Go-quoted.
   *
   * @param name the label name
   * @return the printed name
   */
  public static String print(String name) {
    return isLegacy(name) ? name : GoQuote.quote(name);
  }
}
