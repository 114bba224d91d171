package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promroute.servlet.it.PromApi.Answer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The HTTP API surface, router vs the global Prometheus, request for request: every endpoint by GET
 * and by POST (with and without a charset, parameters split between URL and body), parameter edge
 * cases as Prometheus parses them, and errors down to the message. Requests are written raw, so
 * encodings a client library would normalise ({@code +} for space, a bare {@code %}, bytes that are
 * not UTF-8) reach both servers as written.
 */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiSurfaceVsGlobalTest {

  static final String T = Long.toString(FixtureData.MID.getEpochSecond());
  static final String START = Long.toString(FixtureData.START.getEpochSecond());
  static final String END = Long.toString(FixtureData.END.getEpochSecond());

  private PrometheusFixture prometheus;
  private JettyRouter router;

  @BeforeAll
  void startRouter(PrometheusFixture prometheus) throws Exception {
    this.prometheus = prometheus;
    router = JettyRouter.start(TestRouters.filter(prometheus.shardHostPorts(), builder -> {}));
  }

  @AfterAll
  void stopRouter() throws Exception {
    if (router != null) {
      router.close();
    }
  }

  /**
   * One request as sent.
   *
   * @param rawQuery the URL query, encoded as it goes on the wire, or {@code null}
   * @param contentType {@code null} for a GET, else the POST's Content-Type
   * @param body the POST body as it goes on the wire
   */
  record Request(String how, String path, String rawQuery, String contentType, String body) {
    Answer send(URI base) {
      byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.ISO_8859_1);
      return PromApi.raw(base, path, rawQuery, contentType, bytes);
    }

    @Override
    public String toString() {
      return how
          + " "
          + path
          + (rawQuery == null ? "" : "?" + rawQuery)
          + (body == null ? "" : " body " + body);
    }
  }

  static String e(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** {@code name=value&...}, each encoded. */
  static String form(String... namesAndValues) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (out.length() > 0) {
        out.append('&');
      }
      out.append(e(namesAndValues[i])).append('=').append(e(namesAndValues[i + 1]));
    }
    return out.toString();
  }

  static final String FORM = "application/x-www-form-urlencoded";

  /**
   * Every way of sending {@code encoded} parameters to {@code path}: GET; POST form; POST form with
   * charset; half in the URL, half in the body (by POST only where Prometheus accepts POST).
   */
  static Stream<Request> everyWay(String path, boolean post, String encoded) {
    List<Request> ways = new ArrayList<>();
    ways.add(new Request("GET", path, encoded, null, null));
    if (post) {
      ways.add(new Request("POST", path, null, FORM, encoded));
      ways.add(new Request("POST;charset", path, null, FORM + "; charset=UTF-8", encoded));
      int split = encoded.indexOf('&');
      if (split > 0) {
        ways.add(
            new Request(
                "POST split",
                path,
                encoded.substring(split + 1),
                FORM,
                encoded.substring(0, split)));
      }
      // Multipart: Go appends its values after the URL's (a form body's come before them).
      String parts = multipart(encoded);
      if (parts != null) {
        ways.add(new Request("POST multipart", path, null, MULTIPART, parts));
        if (split > 0) {
          ways.add(
              new Request(
                  "POST multipart split",
                  path,
                  encoded.substring(split + 1),
                  MULTIPART,
                  multipart(encoded.substring(0, split))));
        }
      }
    }
    return ways.stream();
  }

  static final String BOUNDARY = "xYzZY-promroute";
  static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

  /**
   * The pairs of {@code encoded} as a multipart/form-data body (UTF-8 bytes, held one byte per
   * character as {@link Request#send} sends them), or null if a pair does not decode.
   */
  static String multipart(String encoded) {
    StringBuilder body = new StringBuilder();
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      if (pair.indexOf(';') >= 0 || badEscape(pair)) {
        return null;
      }
      int equals = pair.indexOf('=');
      String name =
          java.net.URLDecoder.decode(
              equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
      String value =
          equals < 0
              ? ""
              : java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
      body.append("--")
          .append(BOUNDARY)
          .append("\r\n")
          .append("Content-Disposition: form-data; name=\"")
          .append(name)
          .append("\"\r\n\r\n")
          .append(value)
          .append("\r\n");
    }
    body.append("--").append(BOUNDARY).append("--\r\n");
    return new String(
        body.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  static Stream<Request> requests() {
    List<Stream<Request>> all = new ArrayList<>();
    String q = "/api/v1/query";
    String r = "/api/v1/query_range";
    String s = "/api/v1/series";
    String l = "/api/v1/labels";
    String one = "up{cluster=\"b\"}";
    String two = "up{cluster=~\"a|b\"}";
    // Times and durations as Prometheus 2.42 parses them.
    for (String time :
        List.of(
            "2026-03-01T01:00:00Z",
            "2026-03-01T03:00:00+02:00",
            "2026-03-01T01:00:00.123456789Z",
            "2026-03-01T00:59:59.999999999-00:00",
            T + ".123456789012",
            T + ".5",
            "-1",
            "-62135596801",
            "0",
            "",
            "1e9",
            "0x10",
            "NaN",
            "Inf",
            "-Inf",
            "+1772326800",
            "1772326800.",
            ".5",
            "2026-03-01",
            "2026-03-01T01:00:00",
            "1_000",
            " 1772326800",
            "1772326800 ",
            "9223372036854775807",
            "1e19",
            "-1e19",
            "1772326800000",
            // Go reads a fraction after a comma too, of nine digits at most.
            "2026-03-01T01:00:00,5Z",
            "2026-03-01T03:00:00,25+02:00",
            "2026-03-01T01:00:00.1234567899Z",
            "2026-03-01T01:00:00,123456789123Z",
            "2026-03-01T01:00:00,Z",
            "2026-03-01T01:00:00.Z",
            "2026-03-01T01:00:00,5")) {
      // One shard, a concatenating fan-out, a cross-shard plan the router evaluates at the time.
      for (String query : List.of(one, two, "count(up)")) {
        all.add(everyWay(q, true, form("query", query, "time", time)));
      }
    }
    for (String step :
        List.of(
            "1m30s",
            "15",
            "15s",
            "0",
            "-1",
            "1.5",
            "0.001",
            "1ms",
            "1y",
            "1e3",
            "",
            "x",
            "11000",
            "1h1m1s1ms",
            "NaN",
            "Inf",
            "1d")) {
      all.add(everyWay(r, true, form("query", two, "start", START, "end", END, "step", step)));
    }
    for (String[] startEnd :
        List.of(
            new String[] {END, START},
            new String[] {"", END},
            new String[] {START, ""},
            new String[] {"2026-03-01T00:00:00+01:00", "2026-03-01T02:00:00+01:00"},
            new String[] {"-100", "100"})) {
      all.add(
          everyWay(
              r, true, form("query", two, "start", startEnd[0], "end", startEnd[1], "step", "60")));
    }
    for (String[] extra :
        List.of(
            new String[] {"timeout", "1m"},
            new String[] {"timeout", "x"},
            new String[] {"timeout", "-1s"},
            new String[] {"timeout", "0"},
            new String[] {"timeout", ""},
            new String[] {"lookback_delta", "1m"},
            new String[] {"lookback_delta", "x"},
            new String[] {"limit", "1"},
            new String[] {"unknown", "1"},
            new String[] {"partial_response", "false"},
            new String[] {"dedup", "true"})) {
      all.add(everyWay(q, true, form("query", two, "time", T, extra[0], extra[1])));
      all.add(everyWay(q, true, form("query", one, "time", T, extra[0], extra[1])));
    }
    // Not covered: stats=all on a fan-out (the router drops data.stats, one Prometheus returns it).
    all.add(everyWay(q, true, form("query", one, "time", T, "stats", "all")));
    // Repeated and empty parameters: Prometheus reads the first (body before URL).
    all.add(everyWay(q, true, form("query", one, "query", "up{cluster=\"a\"}", "time", T)));
    all.add(everyWay(q, true, form("time", T, "time", "x", "query", two)));
    all.add(everyWay(q, true, form("query", "", "time", T)));
    all.add(everyWay(q, true, "query&time=" + T));
    all.add(everyWay(q, true, "time=" + T));
    all.add(everyWay(q, true, "query=up%7Bcluster%3D%22b%22%7D+or+vector(1)&time=" + T));
    all.add(everyWay(q, true, "query=up%7Bcluster%3D%22b%22%7D&&time=" + T + "&"));
    // Pairs Go's url.ParseQuery drops (a bad escape, a semicolon): each endpoint reads what is
    // left,
    // or refuses the request as Go's ParseForm failed.
    // (A bad escape goes by POST only, in the body: java.net.URI refuses one in a URL.)
    for (String bad :
        List.of(
            "x=%zz",
            "x=%2",
            "%zz=1",
            "x;y=1",
            "x=1;y",
            "match%5B%5D=up%7Bcluster%3D%22b%22%7D%3",
            "query=up%zz")) {
      for (String[] endpoint :
          List.of(
              new String[] {q, form("query", one, "time", T)},
              new String[] {q, form("query", two, "time", T)},
              new String[] {s, form("match[]", one, "start", START)},
              new String[] {l, form("match[]", two, "start", START)},
              new String[] {
                "/api/v1/query_exemplars", form("query", one, "start", START, "end", END)
              },
              new String[] {"/api/v1/format_query", form("query", one)})) {
        for (String encoded : List.of(endpoint[1] + "&" + bad, bad + "&" + endpoint[1])) {
          all.add(
              everyWay(endpoint[0], true, encoded)
                  .filter(way -> way.rawQuery() == null || !badEscape(way.rawQuery())));
        }
      }
      if (!badEscape(bad)) {
        all.add(
            everyWay(
                "/api/v1/label/job/values",
                false,
                form("match[]", one, "start", START) + "&" + bad));
      }
    }
    all.add(everyWay(q, true, "query=up%7Bcluster%3D%22b%22%2C+job%3D%22%ff%22%7D&time=" + T));
    all.add(everyWay(q, true, "query=up%7Bcluster%3D%22b%22%2C+job%3D%22%C3%A9%22%7D&time=" + T));
    all.add(everyWay(q, true, "query=up%7bcluster%3d%22b%22%7d&time=" + T));
    all.add(everyWay(q, true, "query=up;cluster&time=" + T));
    // Long, by POST (Jetty's default limit on a request line is the server's, not the router's).
    all.add(
        Stream.of(
            new Request(
                "POST",
                q,
                null,
                FORM,
                form(
                    "query",
                    "up{cluster=\"b\"} + "
                        + "0 * ".repeat(200)
                        + "1"
                        + " or "
                        + "vector(2) or ".repeat(500)
                        + "vector(3)",
                    "time",
                    T))));
    // Matchers: escapes, quotes, unicode, the shard label in regexes.
    for (String query :
        List.of(
            "up{job=\"a\\\"b\"}",
            "up{job=\"a\\\\b\"}",
            "up{job=\"é\\u00e9\\x41\"}",
            "up{job=~\"\\\\d+\"}",
            "up{cluster=~\"a|b\"}",
            "up{cluster!~\"a\"}",
            "up{cluster=~\".*\"}",
            "up{cluster=~\".+\"}",
            "up{cluster=~\"\"}",
            "up{cluster!=\"\"}",
            "up{cluster=\"\"}",
            "up{cluster=~\"A\"}",
            "up{cluster=~\"(?i)A\"}",
            "up{cluster=\"a\",cluster=\"a\"}",
            "up{cluster=~\"[ab]\"}",
            "up{cluster=~\"a.*\"}",
            "up{cluster=~\"a|\"}",
            "up{cluster!~\"a|b|c\"}",
            "up{cluster=~\"x|b\"}",
            "{cluster=\"b\",__name__=\"up\"}",
            "{__name__=~\"u.\",cluster=\"b\"}",
            "up{cluster=\"b\"}[5m]",
            "up{cluster=~\"a|b\"}[1m]",
            "up{cluster=~\"a|b\"} offset 1h",
            "up{cluster=~\"a|b\"} @ " + START,
            "label_replace(up{cluster=\"b\"}, \"cluster\", \"z\", \"\", \"\")",
            "label_replace(up{cluster=~\"a|b\"}, \"x\", \"$1\", \"cluster\", \"(.*)\")",
            "up{cluster=\"b\"} == bool 1",
            "-up{cluster=~\"a|b\"}",
            "scalar(up{cluster=\"b\"})",
            "time()",
            "\"str\"",
            "1",
            "up{",
            "sum(up{cluster=~\"a|b\"}) by (cluster)",
            "count_values(\"cluster\", up{cluster=~\"a|b\"})",
            "absent(up{cluster=\"zz\"})",
            "absent(up{cluster=\"b\"})")) {
      all.add(everyWay(q, true, form("query", query, "time", T)));
    }
    // Series, labels, label values.
    for (String match :
        List.of(
            "up{cluster=~\"a|b\"}",
            "up{cluster!~\"a\"}",
            "up{cluster=~\".*\"}",
            "{cluster=\"b\"}",
            "{cluster=~\"b\"}",
            "{cluster=~\".+\"}",
            "{cluster!=\"\"}",
            "up{cluster=\"\"}",
            "up{job=\"a\\\"b\"}",
            "{__name__=\"up\"}",
            "up{cluster=~\"x\"}",
            "up[5m]",
            "rate(up[5m])",
            "up offset 5m",
            "",
            "  ",
            "# up",
            " up",
            "{__name__=~\".*\"}",
            "{cluster=~\"a|b\",job=~\".+\"}")) {
      all.add(everyWay(s, true, form("match[]", match, "start", START, "end", END)));
      all.add(everyWay(l, true, form("match[]", match, "start", START, "end", END)));
      all.add(
          everyWay(
              "/api/v1/label/cluster/values",
              false,
              form("match[]", match, "start", START, "end", END)));
      all.add(
          everyWay(
              "/api/v1/label/job/values",
              false,
              form("match[]", match, "start", START, "end", END)));
    }
    for (String[] startEnd :
        List.of(
            new String[] {"", ""},
            new String[] {END, START},
            new String[] {"x", END},
            new String[] {"2026-03-01T00:00:00.5+00:30", END},
            new String[] {"-1e400", END},
            new String[] {START, "1e400"})) {
      all.add(everyWay(s, true, form("match[]", "up", "start", startEnd[0], "end", startEnd[1])));
      all.add(everyWay(l, true, form("start", startEnd[0], "end", startEnd[1])));
      all.add(
          everyWay(
              "/api/v1/label/cluster/values",
              false,
              form("start", startEnd[0], "end", startEnd[1])));
    }
    all.add(everyWay(s, true, form("start", START)));
    all.add(everyWay(s, true, form("match[]", "up", "match[]", "up", "start", START)));
    all.add(
        everyWay(
            s,
            true,
            form("match[]", "up{cluster=\"a\"}", "match[]", "up{cluster=\"b\"}", "start", START)));
    for (String name : List.of("cluster", "__name__", "%C3%A9", "1a", "a.b", "instance")) {
      all.add(
          Stream.of(
              new Request("GET", "/api/v1/label/" + name + "/values", null, null, null),
              new Request("POST", "/api/v1/label/" + name + "/values", null, FORM, "match[]=up")));
    }
    // Metadata, rules, alerts, build info, exemplars, format and parse.
    for (String params :
        List.of(
            "",
            "metric=up",
            "metric=",
            "limit=0",
            "limit=1",
            "limit=-5",
            "limit=1.5",
            "metric=up%7Bcluster%3D%22b%22%7D")) {
      all.add(everyWay("/api/v1/metadata", true, params));
    }
    for (String params :
        List.of(
            "",
            "type=alert",
            "type=record",
            "type=ALERT",
            "rule_name[]=x",
            "match[]=up",
            "exclude_alerts=true")) {
      all.add(everyWay("/api/v1/rules", true, params));
    }
    all.add(everyWay("/api/v1/alerts", true, ""));
    all.add(everyWay("/api/v1/status/buildinfo", true, ""));
    for (String params :
        List.of(
            form("query", "http_requests_total{cluster=~\"a|b\"}", "start", START, "end", END),
            form("query", "http_requests_total{cluster=\"b\"}", "start", END, "end", START),
            form("query", "http_requests_total{cluster=\"b\"}"),
            form("query", "sum(http_requests_total)", "start", START, "end", END),
            form("query", "up{", "start", START, "end", END))) {
      all.add(everyWay("/api/v1/query_exemplars", true, params));
    }
    for (String query :
        List.of("up{cluster=\"b\"}", "sum(up)by(cluster)", "up{", "", "up{job=\"é\"}")) {
      all.add(everyWay("/api/v1/format_query", true, form("query", query)));
    }
    // Multipart bodies Go reads in part or not at all: files and unnamed parts are no values,
    // LF line endings and a quoted boundary are fine, a part not closed drops every value.
    String part = "Content-Disposition: form-data; name=\"query\"\r\n\r\nup{cluster=\"b\"}\r\n";
    for (String[] body :
        List.of(
            new String[] {
              MULTIPART,
              "preamble\r\n--" + BOUNDARY + "\r\n" + part + "--" + BOUNDARY + "--\r\nepilogue"
            },
            new String[] {
              MULTIPART,
              ("--" + BOUNDARY + "\r\n" + part + "--" + BOUNDARY + "--").replace("\r\n", "\n")
            },
            new String[] {
              "multipart/form-data; boundary=\"" + BOUNDARY + "\"",
              "--" + BOUNDARY + "\r\n" + part + "--" + BOUNDARY + "--\r\n"
            },
            new String[] {
              MULTIPART,
              "--"
                  + BOUNDARY
                  + "\r\n"
                  + part.replace("name=\"query\"", "name=\"query\"; filename=\"q.txt\"")
                  + "--"
                  + BOUNDARY
                  + "--\r\n"
            },
            new String[] {
              MULTIPART,
              "--"
                  + BOUNDARY
                  + "\r\n"
                  + part.replace("form-data; name=\"query\"", "attachment; name=\"query\"")
                  + "--"
                  + BOUNDARY
                  + "--\r\n"
            },
            new String[] {
              MULTIPART,
              "--"
                  + BOUNDARY
                  + "\r\n"
                  + part
                  + "--"
                  + BOUNDARY
                  + "\r\nContent-Disposition: form-data; name=\"time\"\r\n\r\n"
                  + T
            },
            new String[] {
              MULTIPART,
              "--"
                  + BOUNDARY
                  + "\r\n"
                  + part
                  + "--"
                  + BOUNDARY
                  + "\r\nContent-Disposition: form-data; name=\"time\"\r\n\r\n"
                  + "\r\n--"
                  + BOUNDARY
                  + "--\r\n"
            },
            new String[] {
              "multipart/form-data", "--" + BOUNDARY + "\r\n" + part + "--" + BOUNDARY + "--\r\n"
            },
            new String[] {
              "multipart/mixed; boundary=" + BOUNDARY,
              "--" + BOUNDARY + "\r\n" + part + "--" + BOUNDARY + "--\r\n"
            })) {
      for (String path : List.of(q, "/api/v1/format_query")) {
        all.add(Stream.of(new Request("POST multipart", path, "time=" + T, body[0], body[1])));
      }
    }
    // Series reads no multipart body (its handler calls ParseForm); labels do.
    all.add(
        Stream.of(
            new Request(
                "POST multipart", s, "start=" + START, MULTIPART, multipart(form("match[]", one))),
            new Request(
                "POST multipart",
                l,
                "start=" + START,
                MULTIPART,
                multipart(form("match[]", one)))));
    return all.stream().flatMap(stream -> stream);
  }

  private static boolean badEscape(String encoded) {
    return encoded.replaceAll("%[0-9a-fA-F]{2}", "").indexOf('%') >= 0;
  }

  static Stream<Arguments> cases() {
    return requests().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersAsTheGlobalPrometheus(Request request) {
    Answer expected = request.send(prometheus.global().baseUri());
    Answer actual = request.send(router.baseUri());

    assertThat(actual.status())
        .as("%s: router %s vs global %s", request, actual.summary(), expected.summary())
        .isEqualTo(expected.status());
    if (expected.status() == 405) {
      return; // README "Errors": the router's 405 has Prometheus's JSON envelope, Prometheus's has
      // none
    }
    if ("timeout".equals(expected.errorType())) {
      // Which stage a zero timeout expires in is a race; in a fan-out the shard is named.
      assertThat(actual.errorType()).as("%s: %s", request, actual.summary()).isEqualTo("timeout");
      return;
    }
    assertThat(actual.errorType() + " " + actual.error())
        .as("%s: router %s vs global %s", request, actual.summary(), expected.summary())
        .isEqualTo(expected.errorType() + " " + expected.error());
    assertThat(PromApi.firstDifference(comparable(expected), comparable(actual)))
        .as("router answer vs global answer for %s", request)
        .isNull();
  }

  /**
   * The answer without what differs between any two Prometheus servers (timings) and the router's
   * documented warnings.
   */
  private static JsonNode comparable(Answer answer) {
    if (answer.json() == null) {
      return PromApi.JSON.getNodeFactory().textNode(answer.status() + " " + answer.text());
    }
    JsonNode json = PromApi.comparable(answer.json(), false);
    // README: a shard matcher that selects no known shard answers empty with a warning saying so.
    if (json instanceof ObjectNode object
        && object.get("warnings") != null
        && object.get("warnings").toString().contains("(known shards: ")) {
      object.remove("warnings");
    }
    if (json.get("data") instanceof ObjectNode data
        && data.get("stats") instanceof ObjectNode stats) {
      stats.remove("timings");
      stats.remove("samples");
    }
    return json;
  }
}
