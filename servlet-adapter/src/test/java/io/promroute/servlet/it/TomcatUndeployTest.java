package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.router.ShardTarget;
import io.promroute.servlet.PromRouteFilter;
import io.promroute.shard.ShardRewriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Undeploying an application stops every thread its filter started: Tomcat checks, when it stops a
 * context, for threads still running with the application's class loader, and warns that they are
 * "very likely to create a memory leak".
 */
class TomcatUndeployTest {

  @TempDir Path baseDir;

  @Test
  void undeployingTheFilterLeavesNoThreadOfItsOwnAndTomcatWarnsOfNoLeak() throws Exception {
    FakeShards.Counting shard = new FakeShards.Counting();
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(String.valueOf(record.getMessage()));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger tomcatLog = Logger.getLogger("org.apache.catalina");
    tomcatLog.addHandler(capture);
    // The test's own client, with threads of another name than the filter's.
    java.util.concurrent.ExecutorService clientThreads =
        java.util.concurrent.Executors.newCachedThreadPool(
            runnable -> new Thread(runnable, "test-client"));
    HttpClient client = HttpClient.newBuilder().executor(clientThreads).build();
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    Tomcat tomcat = TomcatRouterTest.onLoopback(baseDir);
    try {
      Path docBase = Files.createDirectories(baseDir.resolve("app"));
      Context context = tomcat.addContext("/app", docBase.toString());
      Tomcat.addServlet(context, "fallthrough", new JettyRouter.FallthroughServlet())
          .setAsyncSupported(true);
      context.addServletMapping("/", "fallthrough");
      FilterDef filterDef = new FilterDef();
      filterDef.setFilterName("promroute");
      // The filter's own client (none given), as an application using the defaults has.
      filterDef.setFilter(
          PromRouteFilter.builder()
              .rewriter(
                  ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build())
              .shard("a", ShardTarget.of(shard.hostPort()))
              .shard("b", ShardTarget.of(shard.hostPort()))
              .build());
      filterDef.setAsyncSupported("true");
      context.addFilterDef(filterDef);
      FilterMap filterMap = new FilterMap();
      filterMap.setFilterName("promroute");
      filterMap.addURLPattern("/*");
      context.addFilterMap(filterMap);
      tomcat.start();
      URI base = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/app");
      for (String query : List.of("up%7Bcluster%3D%22a%22%7D", "up", "sum(up)")) {
        HttpResponse<String> answer =
            client.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query=" + query)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      }
      Set<Thread> started =
          Thread.getAllStackTraces().keySet().stream()
              .filter(
                  thread ->
                      !before.contains(thread)
                          && (thread.getName().startsWith("HttpClient-")
                              || thread.getName().startsWith("promroute-")))
              .collect(Collectors.toSet());
      assertThat(started).as("threads the filter started while serving").isNotEmpty();

      tomcat.getHost().removeChild(context); // undeploy: stops the context, destroys the filter

      assertThat(warnings)
          .noneMatch(message -> message.contains("very likely to create a memory leak"));
      // On Java 17 the HttpClient's selector thread ends once the client is collected (within its
      // 3 second select timeout); it runs without the application's class loader meanwhile.
      assertThat(started.stream().filter(Thread::isAlive))
          .allMatch(
              thread -> thread.getContextClassLoader() != context.getLoader().getClassLoader());
      // Every thread of the filter's own ends; a JDK selector thread may outlive it until its
      // client
      // is collected (an exchange given up mid-body keeps it longer), without the application's
      // loader.
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (started.stream()
              .anyMatch(
                  thread -> thread.isAlive() && !thread.getName().endsWith("-SelectorManager"))
          && System.nanoTime() < deadline) {
        System.gc();
        Thread.sleep(200);
      }
      assertThat(started.stream().filter(Thread::isAlive).map(Thread::getName))
          .allMatch(name -> name.startsWith("HttpClient-") && name.endsWith("-SelectorManager"));
    } finally {
      tomcatLog.removeHandler(capture);
      tomcat.stop();
      tomcat.destroy();
      shard.close();
      clientThreads.shutdownNow();
    }
  }
}
