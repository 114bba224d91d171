package io.promroute.router;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The values of a {@code multipart/form-data} body as Go's {@code Request.ParseMultipartForm} reads
 * them (Prometheus's {@code FormValue} calls it): every part whose {@code Content-Disposition} is
 * {@code form-data} with a {@code name} and no {@code filename}, in order; files and unnamed parts
 * are skipped. A body Go cannot read (no boundary, a part not closed by the next boundary) gives no
 * values at all, as Go then adds none to the form.
 */
final class MultipartForm {

  private MultipartForm() {}

  /** Whether a Content-Type names a multipart form (its parameters aside). */
  static boolean isMultipartForm(String contentType) {
    return contentType != null && mediaType(contentType).equals("multipart/form-data");
  }

  /**
   * The form's values, or an empty list if the body cannot be read; what they keep is counted in
   * {@code memory} before it is made, and so are the parts' header lines (short, and counted until
   * the request ends although they are dropped sooner: a little more than is held, never less).
   */
  static List<Params.Param> values(String contentType, byte[] body, BodyMemory memory) {
    String boundary = parameters(contentType).get("boundary");
    if (boundary == null || boundary.isEmpty()) {
      return List.of();
    }
    byte[] dashBoundary = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    List<Params.Param> values = new ArrayList<>();
    // The preamble: everything before the first line that is the boundary.
    int position = 0;
    String newline = null;
    while (newline == null) {
      int end = lineEnd(body, position);
      if (end < 0) {
        return List.of();
      }
      if (isDelimiterLine(body, position, end, dashBoundary)) {
        newline = end > 0 && body[end - 1] == '\r' ? "\r\n" : "\n";
      }
      position = end + 1;
    }
    byte[] delimiter = (newline + "--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    while (true) {
      Map<String, String> headers = new LinkedHashMap<>();
      position = readHeaders(body, position, headers, memory);
      if (position < 0) {
        return List.of();
      }
      // The content ends at the next newline and boundary; right after the headers, at the
      // boundary alone (an empty part).
      int contentEnd;
      int afterDelimiter;
      if (startsWith(body, position, dashBoundary)) {
        contentEnd = position;
        afterDelimiter = position + dashBoundary.length;
      } else {
        contentEnd = nextDelimiter(body, delimiter, position);
        if (contentEnd < 0) {
          return List.of();
        }
        afterDelimiter = contentEnd + delimiter.length;
      }
      String disposition = headers.get("content-disposition");
      if (disposition != null && mediaType(disposition).equals("form-data")) {
        Map<String, String> parameters = parameters(disposition);
        String name = parameters.getOrDefault("name", "");
        String filename = parameters.get("filename");
        if (!name.isEmpty() && (filename == null || filename.isEmpty())) {
          memory.reserve(Params.PARAM_BYTES);
          values.add(new Params.Param(name, memory.text(body, position, contentEnd - position)));
        }
      }
      position = afterDelimiter;
      boolean last = startsWith(body, position, new byte[] {'-', '-'});
      if (last) {
        position += 2;
      }
      // Transport padding, then the newline (or, after the last boundary, the end).
      int end = lineEnd(body, position);
      if (!isBlank(body, position, end < 0 ? body.length : end) || (end < 0 && !last)) {
        return List.of();
      }
      if (last) {
        return values;
      }
      position = end + 1;
    }
  }

  /** Reads a part's header lines into {@code headers}; the position after them, or -1. */
  private static int readHeaders(
      byte[] body, int position, Map<String, String> headers, BodyMemory memory) {
    String name = null;
    while (true) {
      int end = lineEnd(body, position);
      if (end < 0) {
        return -1;
      }
      String line = memory.text(body, position, end - position);
      position = end + 1;
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        return position;
      }
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
        String folded = line.trim();
        headers.computeIfPresent(name, (key, value) -> value + " " + folded);
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        return -1;
      }
      name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      headers.putIfAbsent(name, line.substring(colon + 1).trim());
    }
  }

  /**
   * The next newline-and-boundary at or after {@code from} that Go takes for one: followed by
   * {@code --}, padding or a newline (a longer string that starts like the boundary is content).
   */
  private static int nextDelimiter(byte[] body, byte[] delimiter, int from) {
    for (int at = indexOf(body, delimiter, from); at >= 0; at = indexOf(body, delimiter, at + 1)) {
      int next = at + delimiter.length;
      if (next >= body.length) {
        return at;
      }
      byte b = body[next];
      if (b == '-' || b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        return at;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] body, int position, byte[] prefix) {
    if (position + prefix.length > body.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (body[position + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether line {@code [start, end)} is the boundary, with optional trailing spaces and tabs. */
  private static boolean isDelimiterLine(byte[] body, int start, int end, byte[] dashBoundary) {
    if (end - start < dashBoundary.length) {
      return false;
    }
    for (int i = 0; i < dashBoundary.length; i++) {
      if (body[start + i] != dashBoundary[i]) {
        return false;
      }
    }
    return isBlank(body, start + dashBoundary.length, end);
  }

  /** Only spaces, tabs and a final carriage return in {@code [start, end)}. */
  private static boolean isBlank(byte[] body, int start, int end) {
    for (int i = start; i < end; i++) {
      byte b = body[i];
      if (!(b == ' ' || b == '\t' || (b == '\r' && i == end - 1))) {
        return false;
      }
    }
    return true;
  }

  /** The index of the next {@code '\n'} at or after {@code start}, or -1. */
  private static int lineEnd(byte[] body, int start) {
    for (int i = start; i < body.length; i++) {
      if (body[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] body, byte[] pattern, int from) {
    outer:
    for (int i = Math.max(0, from); i <= body.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (body[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String mediaType(String header) {
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  /** A header's {@code ; name=value} parameters (names lowercased, quoted values unquoted). */
  private static Map<String, String> parameters(String header) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = header.indexOf(';');
    while (i >= 0 && i < header.length()) {
      i++;
      int equals = header.indexOf('=', i);
      if (equals < 0) {
        break;
      }
      String name = header.substring(i, equals).trim().toLowerCase(Locale.ROOT);
      int j = equals + 1;
      while (j < header.length() && header.charAt(j) == ' ') {
        j++;
      }
      StringBuilder value = new StringBuilder();
      if (j < header.length() && header.charAt(j) == '"') {
        j++;
        while (j < header.length() && header.charAt(j) != '"') {
          char c = header.charAt(j++);
          if (c == '\\' && j < header.length()) {
            c = header.charAt(j++);
          }
          value.append(c);
        }
        j++;
        int next = header.indexOf(';', j);
        i = next;
      } else {
        int next = header.indexOf(';', j);
        value.append((next < 0 ? header.substring(j) : header.substring(j, next)).trim());
        i = next;
      }
      out.putIfAbsent(name, value.toString());
    }
    return out;
  }
}
