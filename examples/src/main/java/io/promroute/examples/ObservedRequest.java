package io.promroute.examples;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request whose form body is kept, up to a limit, as the routing filter reads it: Grafana and
 * promtool POST their queries, and the access log needs the query without reading the body
 * before the filter does.
 */
final class ObservedRequest extends HttpServletRequestWrapper {

  /** The part of a form body kept; the query is cut shorter than this for the log anyway. */
  static final int KEPT_BODY_BYTES = 16 * 1024;

  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private ServletInputStream input;

  ObservedRequest(HttpServletRequest request) {
    super(request);
  }

  /** Whether this request's body is a form worth keeping. */
  static boolean hasForm(HttpServletRequest request) {
    String type = request.getContentType();
    return "POST".equals(request.getMethod()) && type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  @Override
  public ServletInputStream getInputStream() throws IOException {
    if (input == null) {
      input = new Tee(super.getInputStream());
    }
    return input;
  }

  /** The part of the form body read so far, decoded as a form is (UTF-8). */
  String keptBody() {
    synchronized (kept) {
      return kept.toString(StandardCharsets.UTF_8);
    }
  }

  /**
   * The values of the first of {@code names} present in a URL-encoded form ({@code a=1&b=2}); an
   * empty list when none is. A value that does not decode is given as it is.
   */
  static List<String> formValues(String form, String... names) {
    if (form == null || form.isEmpty()) {
      return List.of();
    }
    for (String name : names) {
      List<String> values = new ArrayList<>();
      for (String pair : form.split("&")) {
        int equals = pair.indexOf('=');
        String key = decode(equals < 0 ? pair : pair.substring(0, equals));
        if (key.equals(name)) {
          values.add(equals < 0 ? "" : decode(pair.substring(equals + 1)));
        }
      }
      if (!values.isEmpty()) {
        return values;
      }
    }
    return List.of();
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return text; // a bad %-escape: the filter answers 400, the log shows what came
    }
  }

  private final class Tee extends ServletInputStream {
    private final ServletInputStream in;

    Tee(ServletInputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        keep(new byte[] {(byte) b}, 0, 1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int read = in.read(buffer, offset, length);
      if (read > 0) {
        keep(buffer, offset, read);
      }
      return read;
    }

    private void keep(byte[] bytes, int offset, int length) {
      synchronized (kept) {
        int room = KEPT_BODY_BYTES - kept.size();
        if (room > 0) {
          kept.write(bytes, offset, Math.min(room, length));
        }
      }
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
