package io.promroute.servlet.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A Prometheus shard on 127.0.0.1 that answers like a small healthy Prometheus until told to
 * misbehave in one of the ways real shards and the networks in front of them do ({@link Fault}). It
 * speaks HTTP/1.1 over raw sockets, so it can break the protocol where a real server library would
 * not let it (a reset in the middle of a body, a chunked body that never ends, bytes that are not
 * HTTP). It records what the router does to its connections: how many it opened, and how many it
 * closed while the shard was still answering (cancellation), and when an answer has stalled.
 *
 * <p>Healthy answers, per path: {@code query} a vector of two {@code up} series whose {@code
 * instance} starts with the shard's name, at the request's {@code time}; {@code query_range} those
 * series as a matrix on the request's grid; {@code series}, {@code labels}, {@code
 * label/<name>/values}, {@code metadata}, {@code status/buildinfo} to match.
 */
public final class FaultyShard implements AutoCloseable {

  /** What the shard does with each request. */
  public enum Fault {
    /** Answers as a healthy Prometheus. */
    NONE,
    /** Connections are refused (nothing listens on the port). */
    REFUSE,
    /** Reads the request and never answers. */
    HANG_BEFORE_HEADERS,
    /**
     * Never answers an API request, as {@link #HANG_BEFORE_HEADERS}, but answers {@code /-/ready}:
     * a live server whose queries are slow.
     */
    HANG_QUERIES,
    /**
     * Sends an API answer's headers and the first half of its chunked body, then nothing more;
     * every other request ({@code /-/ready}) hangs before its headers: a process that froze
     * mid-answer.
     */
    FREEZE_MID_BODY,
    /** Sends headers with a Content-Length and half the body, then waits. */
    HANG_MID_BODY,
    /** Sends a chunked body's first half, then waits. */
    HANG_MID_CHUNKED,
    /** Sends headers with a Content-Length and half the body, then resets the connection. */
    RESET_MID_BODY,
    /** Sends a chunked body's first half, then resets the connection. */
    RESET_MID_CHUNKED,
    /** Sends a chunked body's first half, then closes the connection normally (no last chunk). */
    TRUNCATED_CHUNKED,
    /**
     * Sends headers with a Content-Length and half the body, then closes the connection normally.
     */
    CLOSE_MID_BODY,
    /** Sends the healthy answer one byte every {@link #TRICKLE_INTERVAL_MS} ms. */
    TRICKLE,
    /** Answers bytes that are not HTTP, then closes. */
    GARBAGE,
    /** A proxy's HTML 404 page. */
    HTML_404,
    /** A proxy's HTML 500 page. */
    HTML_500,
    /** A complete HTTP 200 whose JSON body is cut in the middle. */
    TRUNCATED_JSON,
    /** HTTP 200 with {@code {"status":"error",...}}. */
    STATUS_ERROR,
    /**
     * A well-formed success answer of the wrong kind: a matrix for an instant query, objects for
     * lists.
     */
    WRONG_RESULT_TYPE,
    /** A 302 to a path of this shard that answers healthy (so following it would go unseen). */
    REDIRECT_302,
    /** A 307, the same way. */
    REDIRECT_307,
    /**
     * The healthy answer gzipped, with {@code Content-Encoding: gzip}, whether asked for or not.
     */
    GZIP_UNASKED,
    /** A valid answer of about {@link #HUGE_SERIES} series, chunked. */
    HUGE_BODY,
    /**
     * The start of a {@link #HUGE_BODY} answer, about {@link #BREAK_AFTER_SERIES} series (well past
     * any buffer, so a router relaying it has committed its answer), then a reset.
     */
    RESET_AFTER_MEGABYTES,
    /**
     * Answers the first request of each connection healthy and keeps the connection open, then
     * closes it without answering when a second request comes on it: a shard closing an idle
     * keep-alive connection just as the router reuses it.
     */
    CLOSE_REUSED
  }

  /**
   * The faults after which a shard has not given a complete answer, read for as long as one waits.
   */
  public static final Set<Fault> HANGING =
      Set.of(Fault.HANG_BEFORE_HEADERS, Fault.HANG_MID_BODY, Fault.HANG_MID_CHUNKED, Fault.TRICKLE);

  /**
   * Slow enough that the shortest answer a matrix trickles (about 40 bytes of label values) takes
   * twice the fault matrices' 2 s deadline: at 50 ms its last byte raced the deadline.
   */
  public static final int TRICKLE_INTERVAL_MS = 100;

  public static final int HUGE_SERIES = 100_000;
  public static final int BREAK_AFTER_SERIES = 20_000;
  private static final String REDIRECTED = "/redirected";

  private final String name;
  private final int port;
  private volatile ServerSocket serverSocket;
  private volatile Fault fault = Fault.NONE;
  private volatile boolean closed;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger apiRequests = new AtomicInteger();
  private final AtomicInteger closedByPeer = new AtomicInteger();
  private final AtomicInteger stalled = new AtomicInteger();

  /**
   * @param name the shard's name, at the start of its series' {@code instance} label
   */
  public FaultyShard(String name) throws IOException {
    this.name = name;
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    this.port = socket.getLocalPort();
    listen(socket);
  }

  /**
   * Sets the fault for requests from now on, and closes the open connections (a client's idle
   * connections would otherwise get around {@link Fault#REFUSE}, which stops listening until
   * another fault is set).
   */
  public synchronized FaultyShard fault(Fault fault) throws IOException {
    this.fault = fault;
    dropConnections();
    if (fault == Fault.REFUSE && serverSocket != null) {
      serverSocket.close();
      serverSocket = null;
    } else if (fault != Fault.REFUSE && serverSocket == null) {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      listen(socket);
    }
    return this;
  }

  public Fault fault() {
    return fault;
  }

  public String name() {
    return name;
  }

  public String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** Requests read so far. */
  public int requests() {
    return requests.get();
  }

  /** Requests read so far for the Prometheus API ({@code /api/...}), not counting probes. */
  public int apiRequests() {
    return apiRequests.get();
  }

  /**
   * Connections the router closed while this shard had not finished answering (a hanging fault), or
   * was still writing its answer: a close seen by a read that ends or a write that fails.
   */
  public int closedByPeer() {
    return closedByPeer.get();
  }

  /**
   * Answers that stopped partway ({@link Fault#HANG_MID_BODY}, {@link Fault#HANG_MID_CHUNKED},
   * {@link Fault#FREEZE_MID_BODY}): counted once their first part is sent, so that nothing more
   * comes after it.
   */
  public int stalled() {
    return stalled.get();
  }

  /** Closes every open connection (as a restart of the shard would), keeps listening. */
  public void dropConnections() {
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (serverSocket != null) {
      closeQuietly(serverSocket);
    }
    dropConnections();
  }

  private void listen(ServerSocket socket) {
    serverSocket = socket;
    Thread acceptor = new Thread(() -> accept(socket), "faulty-shard-" + name);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void accept(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        Socket connection = socket.accept();
        if (closed) {
          connection.close();
          return;
        }
        connections.incrementAndGet();
        sockets.add(connection);
        Thread thread = new Thread(() -> serve(connection), "faulty-shard-" + name + "-connection");
        thread.setDaemon(true);
        thread.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  // ---- one connection ----

  private record Request(
      String method, String path, Map<String, List<String>> params, Map<String, String> headers) {
    String param(String key) {
      List<String> values = params.get(key);
      return values == null || values.isEmpty() ? null : values.get(0);
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      int served = 0;
      while (true) {
        Request request = readRequest(in);
        if (request == null) {
          return; // the router closed an idle connection
        }
        requests.incrementAndGet();
        if (request.path().startsWith("/api/")) {
          apiRequests.incrementAndGet();
        }
        Fault current = request.path().equals(REDIRECTED) ? Fault.NONE : fault;
        if (current == Fault.HANG_QUERIES) {
          current = request.path().startsWith("/api/") ? Fault.HANG_BEFORE_HEADERS : Fault.NONE;
        } else if (current == Fault.FREEZE_MID_BODY) {
          current =
              request.path().startsWith("/api/")
                  ? Fault.HANG_MID_CHUNKED
                  : Fault.HANG_BEFORE_HEADERS;
        }
        if (current == Fault.CLOSE_REUSED && served > 0 || current == Fault.REFUSE) {
          return; // REFUSE: a connection accepted just before the port closed gets nothing either
        }
        boolean reusable;
        try {
          reusable = answer(request, current, socket, in, out);
        } catch (IOException e) {
          if (!socket.isClosed()) {
            // A write failed: the router dropped the connection while the answer was on its way
            // (a body given up as it arrives). Not when this shard closed the socket itself.
            closedByPeer.incrementAndGet();
          }
          return;
        }
        if (!reusable) {
          return;
        }
        served++;
      }
    } catch (IOException e) {
      // the router went away, or this shard was closed
    } finally {
      sockets.remove(socket);
    }
  }

  /** Answers one request; false when the connection must not be used again. */
  private boolean answer(
      Request request, Fault fault, Socket socket, InputStream in, OutputStream out)
      throws IOException {
    byte[] healthy = healthyBody(request);
    switch (fault) {
      // (REFUSE, HANG_QUERIES and FREEZE_MID_BODY never get here)
      case NONE, CLOSE_REUSED, REFUSE, HANG_QUERIES, FREEZE_MID_BODY -> {
        writeResponse(out, 200, "application/json", healthy, Map.of());
        return true;
      }
      case HANG_BEFORE_HEADERS -> {
        waitForPeerClose(in);
        return false;
      }
      case HANG_MID_BODY, RESET_MID_BODY, CLOSE_MID_BODY -> {
        writeHead(
            out,
            200,
            "application/json",
            Map.of("Content-Length", Integer.toString(healthy.length)));
        out.write(healthy, 0, healthy.length / 2);
        out.flush();
        endBroken(fault == Fault.HANG_MID_BODY, fault == Fault.RESET_MID_BODY, socket, in);
        return false;
      }
      case HANG_MID_CHUNKED, RESET_MID_CHUNKED, TRUNCATED_CHUNKED -> {
        writeHead(out, 200, "application/json", Map.of("Transfer-Encoding", "chunked"));
        writeChunk(out, healthy, 0, healthy.length / 2);
        out.flush();
        endBroken(fault == Fault.HANG_MID_CHUNKED, fault == Fault.RESET_MID_CHUNKED, socket, in);
        return false;
      }
      case TRICKLE -> {
        writeHead(
            out,
            200,
            "application/json",
            Map.of("Content-Length", Integer.toString(healthy.length)));
        for (byte b : healthy) {
          out.write(b);
          out.flush();
          sleep(TRICKLE_INTERVAL_MS);
        }
        return true;
      }
      case GARBAGE -> {
        out.write(
            "\u0016\u0003\u0001 this is not HTTP at all \u0000\u00ff\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return false;
      }
      case HTML_404 -> {
        writeResponse(out, 404, "text/html", html("404 Not Found"), Map.of());
        return true;
      }
      case HTML_500 -> {
        writeResponse(out, 500, "text/html", html("500 Internal Server Error"), Map.of());
        return true;
      }
      case TRUNCATED_JSON -> {
        writeResponse(
            out,
            200,
            "application/json",
            java.util.Arrays.copyOf(healthy, healthy.length / 2),
            Map.of());
        return true;
      }
      case STATUS_ERROR -> {
        writeResponse(
            out,
            200,
            "application/json",
            utf8(
                "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"shard "
                    + name
                    + " broke on purpose\"}"),
            Map.of());
        return true;
      }
      case WRONG_RESULT_TYPE -> {
        writeResponse(out, 200, "application/json", wrongBody(request), Map.of());
        return true;
      }
      case REDIRECT_302, REDIRECT_307 -> {
        int status = fault == Fault.REDIRECT_302 ? 302 : 307;
        writeResponse(out, status, "text/html", html("moved"), Map.of("Location", REDIRECTED));
        return true;
      }
      case GZIP_UNASKED -> {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
          gzip.write(healthy);
        }
        writeResponse(
            out, 200, "application/json", zipped.toByteArray(), Map.of("Content-Encoding", "gzip"));
        return true;
      }
      case HUGE_BODY -> {
        writeHead(out, 200, "application/json", Map.of("Transfer-Encoding", "chunked"));
        writeHuge(request, out, HUGE_SERIES);
        out.write(utf8("0\r\n\r\n"));
        out.flush();
        return true;
      }
      case RESET_AFTER_MEGABYTES -> {
        writeHead(out, 200, "application/json", Map.of("Transfer-Encoding", "chunked"));
        writeHuge(request, out, BREAK_AFTER_SERIES);
        out.flush();
        endBroken(false, true, socket, in);
        return false;
      }
    }
    throw new AssertionError(fault);
  }

  /** After half an answer: wait for the router to give up, reset the connection, or close it. */
  private void endBroken(boolean hang, boolean reset, Socket socket, InputStream in)
      throws IOException {
    if (hang) {
      stalled.incrementAndGet();
      waitForPeerClose(in);
    } else if (reset) {
      socket.setSoLinger(true, 0); // close() sends a RST
      socket.close();
    } else {
      socket.shutdownOutput();
      waitForPeerClose(in);
    }
  }

  /**
   * Reads until the router closes the connection, and counts that, unless this shard closed first.
   */
  private void waitForPeerClose(InputStream in) {
    try {
      byte[] buffer = new byte[4096];
      while (in.read(buffer) >= 0) {
        // requests the router pipelines are ignored
      }
      closedByPeer.incrementAndGet();
    } catch (SocketException e) {
      if (!closed) {
        closedByPeer.incrementAndGet(); // reset by the router
      }
    } catch (IOException e) {
      // closed here
    }
  }

  // ---- bodies ----

  private byte[] healthyBody(Request request) {
    String path = request.path();
    String time = number(request.param("time"), Instant.now().getEpochSecond());
    List<String> series = List.of(seriesJson(1), seriesJson(2));
    String data;
    if (path.equals("/api/v1/query") || path.equals(REDIRECTED)) {
      List<String> samples = new ArrayList<>();
      for (String labels : series) {
        samples.add("{\"metric\":" + labels + ",\"value\":[" + time + ",\"1\"]}");
      }
      data = "{\"resultType\":\"vector\",\"result\":[" + String.join(",", samples) + "]}";
    } else if (path.equals("/api/v1/query_range")) {
      double start = Double.parseDouble(number(request.param("start"), 0));
      double end = Double.parseDouble(number(request.param("end"), 0));
      double step = Math.max(Double.parseDouble(number(request.param("step"), 60)), 0.001);
      List<String> values = new ArrayList<>();
      for (int i = 0; start + i * step <= end && i < 11_000; i++) {
        values.add("[" + format(start + i * step) + ",\"1\"]");
      }
      List<String> matrix = new ArrayList<>();
      for (String labels : series) {
        matrix.add("{\"metric\":" + labels + ",\"values\":[" + String.join(",", values) + "]}");
      }
      data = "{\"resultType\":\"matrix\",\"result\":[" + String.join(",", matrix) + "]}";
    } else if (path.equals("/api/v1/series")) {
      data = "[" + String.join(",", series) + "]";
    } else if (path.equals("/api/v1/labels")) {
      data = "[\"__name__\",\"instance\",\"job\"]";
    } else if (path.startsWith("/api/v1/label/") && path.endsWith("/values")) {
      String label = path.substring("/api/v1/label/".length(), path.length() - "/values".length());
      data =
          switch (label) {
            case "__name__" -> "[\"up\"]";
            case "job" -> "[\"node\"]";
            case "instance" -> "[\"" + name + "-1\",\"" + name + "-2\"]";
            default -> "[]";
          };
    } else if (path.equals("/api/v1/metadata")) {
      data = "{\"up\":[{\"type\":\"gauge\",\"help\":\"Whether the target is up.\",\"unit\":\"\"}]}";
    } else if (path.equals("/api/v1/status/buildinfo")) {
      data =
          "{\"version\":\"2.42.0\",\"revision\":\""
              + name
              + "\",\"branch\":\"HEAD\",\"buildUser\":\"faulty\","
              + "\"buildDate\":\"20230131\",\"goVersion\":\"go1.19.5\"}";
    } else {
      return utf8("{\"status\":\"error\",\"errorType\":\"not_found\",\"error\":\"no such path\"}");
    }
    return utf8("{\"status\":\"success\",\"data\":" + data + "}");
  }

  /**
   * A success answer of the wrong shape for the path: what a confused or foreign server might send.
   */
  private byte[] wrongBody(Request request) {
    String path = request.path();
    if (path.equals("/api/v1/query")) {
      // A matrix holding vector samples.
      return utf8(
          "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":"
              + seriesJson(1)
              + ",\"value\":[1,\"1\"]}]}}");
    }
    if (path.equals("/api/v1/query_range")) {
      return utf8(
          "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
              + seriesJson(1)
              + ",\"value\":[1,\"1\"]}]}}");
    }
    if (path.equals("/api/v1/status/buildinfo") || path.equals("/api/v1/metadata")) {
      return utf8("{\"status\":\"success\",\"data\":[\"not\",\"an\",\"object\"]}");
    }
    return utf8("{\"status\":\"success\",\"data\":{\"not\":\"a list\"}}");
  }

  private String seriesJson(int index) {
    return "{\"__name__\":\"up\",\"instance\":\"" + name + "-" + index + "\",\"job\":\"node\"}";
  }

  /**
   * {@code count} series of the healthy answer's kind, written as it goes; the answer ends only
   * after {@link #HUGE_SERIES}.
   */
  private void writeHuge(Request request, OutputStream out, int count) throws IOException {
    String time = number(request.param("time"), Instant.now().getEpochSecond());
    boolean range = request.path().equals("/api/v1/query_range");
    boolean query = range || request.path().equals("/api/v1/query");
    writeChunk(
        out,
        utf8(
            query
                ? "{\"status\":\"success\",\"data\":{\"resultType\":\""
                    + (range ? "matrix" : "vector")
                    + "\",\"result\":["
                : "{\"status\":\"success\",\"data\":["));
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String labels =
          "{\"__name__\":\"up\",\"instance\":\"" + name + "-" + i + "\",\"job\":\"node\"}";
      batch.append(i == 0 ? "" : ",");
      if (!query) {
        batch.append(
            request.path().equals("/api/v1/series") ? labels : "\"" + name + "-" + i + "\"");
      } else if (range) {
        String start = number(request.param("start"), 0);
        batch
            .append("{\"metric\":")
            .append(labels)
            .append(",\"values\":[[")
            .append(start)
            .append(",\"1\"]]}");
      } else {
        batch
            .append("{\"metric\":")
            .append(labels)
            .append(",\"value\":[")
            .append(time)
            .append(",\"1\"]}");
      }
      if (batch.length() > 16_000) {
        writeChunk(out, utf8(batch.toString()));
        batch.setLength(0);
      }
    }
    if (count == HUGE_SERIES) {
      batch.append(query ? "]}}" : "]}");
    }
    writeChunk(out, utf8(batch.toString()));
  }

  private static byte[] html(String title) {
    return utf8(
        "<html><head><title>"
            + title
            + "</title></head><body><h1>"
            + title
            + "</h1></body></html>\n");
  }

  // ---- HTTP ----

  /** Reads a request line, headers and a Content-Length body; null at the end of the stream. */
  private static Request readRequest(InputStream in) throws IOException {
    String line = readLine(in);
    while (line != null && line.isEmpty()) {
      line = readLine(in);
    }
    if (line == null) {
      return null;
    }
    String[] parts = line.split(" ");
    if (parts.length < 2) {
      throw new IOException("not a request line: " + line);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String header = readLine(in); header != null && !header.isEmpty(); header = readLine(in)) {
      int colon = header.indexOf(':');
      if (colon > 0) {
        headers.put(
            header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            header.substring(colon + 1).trim());
      }
    }
    String target = parts[1];
    int question = target.indexOf('?');
    String path = question < 0 ? target : target.substring(0, question);
    Map<String, List<String>> params = new LinkedHashMap<>();
    if (question >= 0) {
      parseForm(target.substring(question + 1), params);
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    if (length > 0) {
      parseForm(new String(in.readNBytes(length), StandardCharsets.UTF_8), params);
    }
    return new Request(parts[0], path, params, headers);
  }

  private static void parseForm(String form, Map<String, List<String>> into) {
    for (String pair : form.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key =
          URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
      String value =
          equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      into.computeIfAbsent(key, unused -> new ArrayList<>()).add(value);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(c);
    }
    return null;
  }

  private static void writeResponse(
      OutputStream out, int status, String contentType, byte[] body, Map<String, String> headers)
      throws IOException {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("Content-Length", Integer.toString(body.length));
    writeHead(out, status, contentType, all);
    out.write(body);
    out.flush();
  }

  private static void writeHead(
      OutputStream out, int status, String contentType, Map<String, String> headers)
      throws IOException {
    StringBuilder head =
        new StringBuilder("HTTP/1.1 ")
            .append(status)
            .append(' ')
            .append(reason(status))
            .append("\r\n");
    head.append("Content-Type: ").append(contentType).append("\r\n");
    head.append("Date: Sun, 06 Dec 2026 05:00:00 GMT\r\n");
    headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void writeChunk(OutputStream out, byte[] bytes) throws IOException {
    writeChunk(out, bytes, 0, bytes.length);
  }

  private static void writeChunk(OutputStream out, byte[] bytes, int offset, int length)
      throws IOException {
    if (length == 0) {
      return;
    }
    out.write(utf8(Integer.toHexString(length) + "\r\n"));
    out.write(bytes, offset, length);
    out.write(utf8("\r\n"));
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 302 -> "Found";
      case 307 -> "Temporary Redirect";
      case 404 -> "Not Found";
      default -> "Internal Server Error";
    };
  }

  private static String number(String value, double otherwise) {
    if (value == null) {
      return format(otherwise);
    }
    try {
      return format(Double.parseDouble(value));
    } catch (NumberFormatException e) {
      return format(Instant.parse(value).toEpochMilli() / 1000.0);
    }
  }

  private static String format(double seconds) {
    return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
