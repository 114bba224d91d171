package io.promroute.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.PromRouteFilter;
import io.promroute.standalone.FakePrometheus;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** Runs each usage example, so that they cannot rot. */
class ExamplesTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void programmaticApiExamplePrintsTheShardAndTheQueryToSendIt() {
    String output = captureOutput(() -> ProgrammaticApiExample.main(new String[0]));

    assertThat(output)
        .startsWith(
            """
        shards: [b]
        send:   sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))
        put cluster back on the answer: false
        sum(up): CROSS_SHARD_MERGE over [a, b, c]:\s""");
    assertThat(output)
        .endsWith(
            """
        share of b: CROSS_SHARD_MERGE over [a, b, c]: (sum(shards(sum(rate(http_requests_total{cluster="b"}[5m])))) \
        / sum(shards(sum(rate(http_requests_total[5m])))))
        refused (UNKNOWN_SHARD): query selects an unknown shard: unknown shard "zzz" in cluster="zzz" (known shards: a, b, c)
        """);
  }

  @Test
  void servletContainerExampleRoutesGrafanaQueriesAndLeavesTheApplicationAlone() throws Exception {
    try (FakePrometheus a = new FakePrometheus("node-a:9100");
        FakePrometheus b = new FakePrometheus("node-b:9100")) {
      Map<String, String> shards = new LinkedHashMap<>();
      shards.put("a", a.address());
      shards.put("b", b.address());
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      Server server =
          ServletContainerExample.start(
              0, shards, new PrintStream(printed, true, StandardCharsets.UTF_8));
      try {
        URI base =
            URI.create(
                "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());

        HttpResponse<String> page = get(base.resolve("/hello"));
        HttpResponse<String> query =
            get(
                base.resolve(
                    "/prometheus/api/v1/query?query="
                        + URLEncoder.encode("up{cluster=\"b\"}", StandardCharsets.UTF_8)));

        assertThat(printed.toString(StandardCharsets.UTF_8))
            .isEqualTo(
                "application: " + base + "/\nGrafana data source URL: " + base + "/prometheus\n");
        assertThat(page.body()).isEqualTo("hello from the application at /hello\n");
        assertThat(query.statusCode()).isEqualTo(200);
        assertThat(query.body())
            .contains("\"cluster\":\"b\"")
            .contains("node-b:9100")
            .doesNotContain("node-a");
        assertThat(b.queries).containsExactly("up");
        assertThat(a.queries).isEmpty();
      } finally {
        server.stop();
      }
    }
  }

  @Test
  void webXmlSnippetDeclaresTheFilterAsTheContainerNeedsIt() throws Exception {
    Element filter = webXmlFilter();

    assertThat(text(filter, "filter-class")).isEqualTo(PromRouteFilter.class.getName());
    assertThat(Filter.class).isAssignableFrom(Class.forName(text(filter, "filter-class")));
    assertThat(text(filter, "async-supported")).isEqualTo("true");
    assertThat(text(filter, "param-name")).isEqualTo(PromRouteFilter.CONFIG_INIT_PARAM);
  }

  @Test
  void theFilterConfiguredAsInWebXmlServesFromItsYamlFile(@TempDir Path directory)
      throws Exception {
    Element declared = webXmlFilter();
    try (FakePrometheus a = new FakePrometheus("node-a:9100")) {
      Path config = directory.resolve("prome-route.yml");
      Files.writeString(
          config, "prome_servers:\n  a: " + a.address() + "\nhttp:\n  path_prefix: /prometheus\n");
      // What a container does with the web.xml declaration: instantiate the class by name, give it
      // its init-param, async-supported.
      FilterHolder holder = new FilterHolder();
      holder.setClassName(text(declared, "filter-class"));
      holder.setInitParameter(text(declared, "param-name"), config.toString());
      holder.setAsyncSupported(Boolean.parseBoolean(text(declared, "async-supported")));
      Server server = new Server(0);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
      ServletHolder application = new ServletHolder(new ServletContainerExample.HelloServlet());
      application.setAsyncSupported(true);
      context.addServlet(application, "/");
      server.setHandler(context);
      server.start();
      try {
        URI base =
            URI.create(
                "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());

        HttpResponse<String> query =
            get(
                base.resolve(
                    "/prometheus/api/v1/query?query="
                        + URLEncoder.encode("up{cluster=\"a\"}", StandardCharsets.UTF_8)));

        assertThat(query.statusCode()).isEqualTo(200);
        assertThat(query.body()).contains("\"cluster\":\"a\"").contains("node-a:9100");
        assertThat(a.queries).containsExactly("up");
      } finally {
        server.stop();
      }
    }
  }

  private HttpResponse<String> get(URI uri) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Element webXmlFilter() throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document document =
        factory.newDocumentBuilder().parse(Path.of("src/main/webapp/WEB-INF/web.xml").toFile());
    return (Element) document.getElementsByTagNameNS("*", "filter").item(0);
  }

  private static String text(Element element, String child) {
    return element.getElementsByTagNameNS("*", child).item(0).getTextContent().strip();
  }

  private static String captureOutput(Runnable example) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      example.run();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
