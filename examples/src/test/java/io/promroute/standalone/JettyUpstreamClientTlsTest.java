package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.promroute.servlet.RouterConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JettyUpstreamClient} with a shard on HTTPS: insecure_skip_verify, ca_file, neither. */
class JettyUpstreamClientTlsTest {

  @TempDir Path directory;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private HttpsServer shard;
  private RouterServer router;

  @AfterEach
  void stop() {
    if (router != null) {
      router.close();
    }
    if (shard != null) {
      shard.stop(0);
    }
  }

  private void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
  }

  @Test
  void httpsShardsAnswerWithTheirTlsSettings() throws Exception {
    keytool(
        "-genkeypair",
        "-alias",
        "shard",
        "-keyalg",
        "EC",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        "shard.p12",
        "-storepass",
        "secret1");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "shard",
        "-keystore",
        "shard.p12",
        "-storepass",
        "secret1",
        "-file",
        "ca.pem");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(directory.resolve("shard.p12"))) {
      store.load(in, "secret1".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "secret1".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    shard = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    shard.setHttpsConfigurator(new HttpsConfigurator(context));
    shard.createContext(
        "/api/v1/query",
        exchange -> {
          authorizations.add(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          byte[] answer =
              ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                      + "{\"metric\":{\"__name__\":\"up\"},\"value\":[1767268800,\"1\"]}]}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    shard.start();
    String url = "https://127.0.0.1:" + shard.getAddress().getPort();
    Path file = directory.resolve("router.yml");
    Files.writeString(
        file,
        """
        shards:
          skip:
            url: %1$s
            bearer_token: t0ken
            tls: {insecure_skip_verify: true}
          ca:
            url: %1$s
            tls: {ca_file: %2$s}
          plain:
            url: %1$s
        http:
          listen_addr: 127.0.0.1:0
        upstream:
          timeout: 5s
        """
            .formatted(url, directory.resolve("ca.pem")));
    router =
        new RouterServer(
            file,
            RouterConfig.load(file),
            RouterEngines::create,
            new JettyUpstreamClient(Duration.ofSeconds(5)),
            new RouterMetrics(true),
            line -> {},
            RouterOptions.forTests());
    router.start();

    assertThat(query("up{cluster=\"skip\"}").statusCode()).isEqualTo(200);
    assertThat(authorizations).containsExactly("Bearer t0ken");
    HttpResponse<String> ca = query("up{cluster=\"ca\"}");
    assertThat(ca.statusCode()).isEqualTo(200);
    assertThat(ca.body()).contains("\"cluster\":\"ca\"");
    assertThat(query("up{cluster=\"plain\"}").statusCode())
        .isEqualTo(502); // the JDK's CAs do not know it
  }

  private HttpResponse<String> query(String promql) throws Exception {
    URI uri =
        router
            .baseUri()
            .resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
