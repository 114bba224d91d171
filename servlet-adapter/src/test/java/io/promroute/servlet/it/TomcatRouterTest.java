package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.servlet.PromRouteFilter;
import io.promroute.servlet.it.PromApi.Answer;
import io.promroute.servlet.it.PromApi.Params;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The same filter, unchanged, in embedded Tomcat 11: the filter is container-neutral. */
@ExtendWith(PrometheusExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TomcatRouterTest {

  private PrometheusFixture prometheus;
  private Tomcat tomcat;
  private Path baseDir;
  private URI baseUri;

  /**
   * An embedded Tomcat, not started, with its files in {@code baseDir} and a connector on a free
   * loopback port.
   */
  static Tomcat onLoopback(Path baseDir) {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    return tomcat;
  }

  @BeforeAll
  void start(PrometheusFixture prometheus) throws Exception {
    this.prometheus = prometheus;
    Filter filter = TestRouters.filter(prometheus.shardHostPorts(), builder -> {});

    baseDir = Files.createTempDirectory("promroute-tomcat-");
    tomcat = onLoopback(baseDir);
    Connector connector = tomcat.getConnector();

    FilterDef filterDef = new FilterDef();
    filterDef.setFilter(filter);
    TomcatRouter.addContext(tomcat, "", baseDir, filterDef);

    // A second application: the filter as web.xml declares it, by class name and its YAML config.
    StringBuilder yaml = new StringBuilder("replace_label_name: cluster\nprome_servers:\n");
    prometheus
        .shardHostPorts()
        .forEach(
            (key, hostPort) ->
                yaml.append("  ").append(key).append(": ").append(hostPort).append('\n'));
    Path config = baseDir.resolve("promroute.yml");
    Files.writeString(config, yaml);
    Path yamlDocBase = Files.createDirectories(baseDir.resolve("yaml-app"));
    FilterDef byClassName = new FilterDef();
    byClassName.setFilterClass(PromRouteFilter.class.getName());
    byClassName.addInitParameter(PromRouteFilter.CONFIG_INIT_PARAM, config.toString());
    TomcatRouter.addContext(tomcat, "/yaml-app", yamlDocBase, byClassName);

    tomcat.start();
    baseUri = URI.create("http://127.0.0.1:" + connector.getLocalPort());
  }

  /**
   * The filter declared by class name with its YAML configuration file, in a context "/yaml-app".
   */
  @Test
  void filterConfiguredByInitParamAnswersAsTheGlobalPrometheus() {
    Params params =
        Params.of(
            "query",
            "sum by (cluster, job) (rate(http_requests_total{cluster=~\"b|c\"}[5m]))",
            "time",
            Long.toString(FixtureData.MID.getEpochSecond()));
    Answer expected = PromApi.get(prometheus.global().baseUri(), "/api/v1/query", params);
    assertThat(expected.status()).as(expected.summary()).isEqualTo(200);
    for (String method : List.of("GET", "POST")) {
      Answer actual = PromApi.send(method, baseUri, "/yaml-app/api/v1/query", params);
      assertThat(actual.status()).as("%s: %s", method, actual.summary()).isEqualTo(200);
      assertThat(
              PromApi.firstDifference(
                  PromApi.comparable(expected.json(), false),
                  PromApi.comparable(actual.json(), false)))
          .as("Tomcat, filter from its YAML config, vs global (%s)", method)
          .isNull();
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (tomcat != null) {
      tomcat.stop();
      tomcat.destroy();
    }
    if (baseDir != null) {
      try (Stream<Path> paths = Files.walk(baseDir)) {
        paths
            .sorted(Comparator.reverseOrder())
            .forEach(
                path -> {
                  try {
                    Files.deleteIfExists(path);
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      }
    }
  }

  @Test
  void answersAsTheGlobalPrometheus() {
    List<Object[]> requests =
        List.of(
            new Object[] {
              "/api/v1/query",
              Params.of(
                  "query",
                  "rate(http_requests_total{cluster=~\"a|b\"}[5m])",
                  "time",
                  Long.toString(FixtureData.MID.getEpochSecond()))
            },
            new Object[] {
              "/api/v1/series",
              Params.of(
                  "match[]",
                  "queue_depth",
                  "start",
                  Long.toString(FixtureData.START.getEpochSecond()),
                  "end",
                  Long.toString(FixtureData.END.getEpochSecond()))
            });
    for (Object[] request : requests) {
      String path = (String) request[0];
      Params params = (Params) request[1];
      for (String method : List.of("GET", "POST")) {
        Answer expected = PromApi.send(method, prometheus.global().baseUri(), path, params);
        assertThat(expected.status()).as(expected.summary()).isEqualTo(200);
        Answer actual = PromApi.send(method, baseUri, path, params);
        assertThat(actual.status()).as("%s %s: %s", method, path, actual.summary()).isEqualTo(200);
        boolean ordered = !path.endsWith("/query");
        assertThat(
                PromApi.firstDifference(
                    PromApi.comparable(expected.json(), ordered),
                    PromApi.comparable(actual.json(), ordered)))
            .as("Tomcat router vs global, %s %s %s", method, path, params)
            .isNull();
      }
    }
  }

  /** A 27 MB answer streams through Tomcat too, with the label put back. */
  @Test
  void largeRangeQueryPassesThrough() {
    Params params =
        Params.of(
            "query",
            "container_memory_working_set_bytes{cluster=\"c\"}",
            "start",
            Long.toString(FixtureData.START.getEpochSecond()),
            "end",
            Long.toString(FixtureData.END.getEpochSecond()),
            "step",
            "1");
    Answer expected = PromApi.get(prometheus.global().baseUri(), "/api/v1/query_range", params);
    assertThat(expected.bytes()).as("size of the global answer").isGreaterThan(20_000_000L);
    Answer actual = PromApi.get(baseUri, "/api/v1/query_range", params);
    assertThat(actual.status()).as(actual.summary()).isEqualTo(200);
    assertThat(PromApi.firstDifference(expected.json(), actual.json()))
        .as("Tomcat router vs global")
        .isNull();
  }

  @Test
  void otherPathsPassDownTheChain() {
    Answer answer = PromApi.get(baseUri, "/index.html", Params.of());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.text()).isEqualTo(JettyRouter.FALLTHROUGH + "/index.html");
  }
}
