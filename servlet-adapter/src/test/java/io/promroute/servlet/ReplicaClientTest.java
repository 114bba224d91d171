package io.promroute.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.router.ReplicaClient;
import io.promroute.router.ReplicaPolicy;
import io.promroute.router.ReplicaStatus;
import io.promroute.router.ShardTarget;
import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import io.promroute.servlet.it.Eventually;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The replica layer over the JDK client and real loopback servers: dead, failing, hanging and
 * healthy replicas.
 */
class ReplicaClientTest {

  private static final String OK =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
  private static final String QUERY = "/api/v1/query?query=up";

  private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
  private ReplicaClient client;

  @AfterEach
  void close() throws Exception {
    if (client != null) {
      client.close();
    }
    for (AutoCloseable resource : closing) {
      resource.close();
    }
  }

  @Test
  void aDeadReplicaFailsOverToTheNextAndIsThenSkipped() throws Exception {
    URI dead = deadPort();
    FakeShard healthy = shard().answer("/api/v1/query", OK);
    client = client(policy(Duration.ofSeconds(10), Duration.ofMinutes(1)), dead, healthy.uri());

    for (int i = 0; i < 3; i++) {
      try (UpstreamResponse response =
          send(dead, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo(OK);
      }
    }

    assertThat(healthy.received).hasSize(3);
    assertThat(client.status())
        .extracting(
            ReplicaStatus::replica, ReplicaStatus::inRotation, ReplicaStatus::consecutiveFailures)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, false, 1),
            org.assertj.core.groups.Tuple.tuple(1, true, 0));
  }

  @Test
  void eachReplicaGetsTheRequestUnderItsOwnPathPrefix() throws Exception {
    URI dead = URI.create(deadPort() + "/prom-a");
    FakeShard healthy = shard().answer("/other/prefix/api/v1/query", OK);
    client =
        client(
            policy(Duration.ofSeconds(10), Duration.ofMinutes(1)),
            dead,
            URI.create(healthy.uri() + "/other/prefix"));

    try (UpstreamResponse response = send(dead, Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(200);
    }
    assertThat(healthy.only().path()).isEqualTo("/other/prefix/api/v1/query");
    assertThat(healthy.only().query()).isEqualTo("query=up");
  }

  @Test
  void aReplicaThatDropsConnectionsIsAskedOnceThenNotDuringItsBackOff() throws Exception {
    RawServer dropping = RawServer.start(socket -> socket.close());
    closing.add(dropping);
    FakeShard healthy = shard().answer("/api/v1/query", OK);
    client =
        client(
            policy(Duration.ofSeconds(10), Duration.ofMinutes(1)), dropping.uri(), healthy.uri());

    int afterFirst = 0;
    for (int i = 0; i < 5; i++) {
      try (UpstreamResponse response =
          send(dropping.uri(), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
        assertThat(response.status()).isEqualTo(200);
      }
      if (i == 0) {
        afterFirst = dropping.accepted.get();
      }
    }

    // The JDK client itself retries a GET once on a fresh connection, and the router's client sends
    // a request whose connection died before any answer once more: up to four connections, then
    // none.
    assertThat(afterFirst).isBetween(1, 4);
    assertThat(dropping.accepted.get()).isEqualTo(afterFirst);
    assertThat(healthy.received).hasSize(5);
  }

  @Test
  void aServerErrorOrARedirectFailsOverAndTheFailedReplicaReturnsAfterItsBackOff()
      throws Exception {
    FakeShard failing =
        shard()
            .answer(
                "/api/v1/query",
                503,
                "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"x\"}");
    FakeShard redirecting = shard().answer("/api/v1/query", 302, "");
    FakeShard healthy = shard().answer("/api/v1/query", OK);
    client =
        client(
            policy(Duration.ofSeconds(10), Duration.ofMillis(300)),
            failing.uri(),
            redirecting.uri(),
            healthy.uri());

    try (UpstreamResponse response =
        send(failing.uri(), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(200);
    }
    assertThat(failing.received).hasSize(1);
    assertThat(redirecting.received).hasSize(1);
    assertThat(healthy.received).hasSize(1);
    assertThat(healthy.only().path()).isEqualTo("/api/v1/query");
    assertThat(healthy.only().query()).isEqualTo("query=up");

    failing.answer("/api/v1/query", OK); // it recovers
    Thread.sleep(400); // the back-off passes
    try (UpstreamResponse response =
        send(failing.uri(), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(200);
    }
    // The first replica answers again: requests stick to the first one in rotation.
    assertThat(failing.received).hasSize(2);
    assertThat(healthy.received).hasSize(1);
  }

  @Test
  void aPostGoesToTheNextReplicaWithItsBodyAndHeaders() throws Exception {
    FakeShard failing =
        shard()
            .answer(
                "/api/v1/query",
                500,
                "{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"x\"}");
    FakeShard healthy = shard().answer("/api/v1/query", OK);
    client =
        client(policy(Duration.ofSeconds(10), Duration.ofMinutes(1)), failing.uri(), healthy.uri());
    ShardTarget target =
        new ShardTarget(
            List.of(failing.uri(), healthy.uri()),
            null,
            null,
            "t0ken",
            Map.of(),
            ShardTarget.Tls.DEFAULT);
    byte[] form = "query=sum(up)&time=1".getBytes(StandardCharsets.UTF_8);
    UpstreamRequest post =
        new UpstreamRequest(
            "a",
            target,
            "POST",
            URI.create(failing.uri() + "/api/v1/query"),
            Map.of(
                "authorization",
                List.of("Bearer t0ken"),
                "content-type",
                List.of("application/x-www-form-urlencoded")),
            form,
            Duration.ofSeconds(10));

    try (UpstreamResponse response = client.send(post).get(10, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(200);
    }
    FakeShard.Received received = healthy.only();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.body()).isEqualTo("query=sum(up)&time=1");
    assertThat(received.headers()).containsEntry("authorization", "Bearer t0ken");
    assertThat(failing.only().body()).isEqualTo("query=sum(up)&time=1");
  }

  @Test
  void aPrometheusClientErrorIsAnAnswerNotAFailure() throws Exception {
    String badData = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}";
    FakeShard first = shard().answer("/api/v1/query", 400, badData);
    FakeShard second = shard().answer("/api/v1/query", OK);
    client =
        client(policy(Duration.ofSeconds(10), Duration.ofMinutes(1)), first.uri(), second.uri());

    try (UpstreamResponse response =
        send(first.uri(), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(400);
    }
    assertThat(second.received).isEmpty();
    assertThat(client.status().get(0).inRotation()).isTrue();
  }

  @Test
  void aHangingReplicaGetsCompanyAfterTheFirstByteTimeoutAndIsSkippedAfterwards() throws Exception {
    RawServer hanging = RawServer.start(socket -> {});
    closing.add(hanging);
    FakeShard healthy = shard().answer("/api/v1/query", OK);
    Duration firstByte = Duration.ofSeconds(1);
    client = client(policy(firstByte, Duration.ofMinutes(1)), hanging.uri(), healthy.uri());

    long start = System.nanoTime();
    try (UpstreamResponse response =
        send(hanging.uri(), Duration.ofSeconds(20)).get(20, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(200);
    }
    long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(firstMillis).isBetween(firstByte.toMillis(), firstByte.toMillis() + 3000);

    start = System.nanoTime();
    try (UpstreamResponse response =
        send(hanging.uri(), Duration.ofSeconds(20)).get(20, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(200);
    }
    long secondMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(hanging.accepted.get()).isEqualTo(1);
    assertThat(secondMillis).isLessThan(firstByte.toMillis());
    // The losing attempt was cancelled: its connection is closed, not left open until the timeout.
    Eventually.eventually(() -> assertThat(hanging.closed.get()).isEqualTo(1));
  }

  @Test
  void whenEveryReplicaFailsTheLastFailureIsTheAnswer() throws Exception {
    FakeShard first =
        shard()
            .answer(
                "/api/v1/query",
                500,
                "{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"one\"}");
    FakeShard second =
        shard()
            .answer(
                "/api/v1/query",
                503,
                "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"two\"}");
    client =
        client(policy(Duration.ofSeconds(10), Duration.ofMinutes(1)), first.uri(), second.uri());
    try (UpstreamResponse response =
        send(first.uri(), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(503);
      assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
          .contains("two");
    }

    URI deadOne = deadPort();
    URI deadTwo = deadPort();
    client.close();
    client = client(policy(Duration.ofSeconds(10), Duration.ofMinutes(1)), deadOne, deadTwo);
    CompletableFuture<UpstreamResponse> refused = send(deadOne, Duration.ofSeconds(10));
    assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(ConnectException.class);
    // Both out of rotation, both still asked: better a replica that failed than no answer.
    CompletableFuture<UpstreamResponse> again = send(deadOne, Duration.ofSeconds(10));
    assertThatThrownBy(() -> again.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(ConnectException.class);
    assertThat(client.status())
        .extracting(ReplicaStatus::consecutiveFailures)
        .containsExactly(2, 2);
  }

  @Test
  void hangingReplicasTimeOutWithinTheRequestsTimeout() throws Exception {
    RawServer one = RawServer.start(socket -> {});
    RawServer two = RawServer.start(socket -> {});
    closing.add(one);
    closing.add(two);
    client = client(policy(Duration.ofMillis(200), Duration.ofMinutes(1)), one.uri(), two.uri());

    long start = System.nanoTime();
    CompletableFuture<UpstreamResponse> answer = send(one.uri(), Duration.ofSeconds(1));
    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(HttpTimeoutException.class);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(millis).isBetween(900L, 2500L);
    assertThat(one.accepted.get()).isEqualTo(1);
    assertThat(two.accepted.get()).isEqualTo(1);
  }

  @Test
  void cancellingTheRequestClosesEveryAttempt() throws Exception {
    RawServer one = RawServer.start(socket -> {});
    RawServer two = RawServer.start(socket -> {});
    closing.add(one);
    closing.add(two);
    client = client(policy(Duration.ofMillis(100), Duration.ofMinutes(1)), one.uri(), two.uri());

    CompletableFuture<UpstreamResponse> answer = send(one.uri(), Duration.ofSeconds(60));
    Eventually.eventually(() -> assertThat(two.accepted.get()).isEqualTo(1));
    answer.cancel(true);

    Eventually.eventually(() -> assertThat(one.closed.get() + two.closed.get()).isEqualTo(2));
    // Cancelled requests say nothing about the replicas.
    assertThat(client.status()).extracting(ReplicaStatus::inRotation).containsExactly(true, true);
  }

  @Test
  void probesTakeAnUnreadyReplicaOutBeforeAnyRequestPaysAndBringItBack() throws Exception {
    FakeShard starting =
        shard().answer("/-/ready", 503, "Service Unavailable").answer("/api/v1/query", OK);
    FakeShard ready =
        shard().answer("/-/ready", 200, "Prometheus Server is Ready.").answer("/api/v1/query", OK);
    client =
        client(
            new ReplicaPolicy(
                Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofMillis(100)),
            starting.uri(),
            ready.uri());
    Eventually.eventually(() -> assertThat(client.status().get(0).inRotation()).isFalse());
    Thread.sleep(200); // several back-offs: with probes, only a passing probe brings it back

    try (UpstreamResponse response =
        send(starting.uri(), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
      assertThat(response.status()).isEqualTo(200);
    }
    assertThat(starting.received)
        .extracting(FakeShard.Received::path)
        .doesNotContain("/api/v1/query");
    assertThat(ready.received).extracting(FakeShard.Received::path).contains("/api/v1/query");

    starting.answer("/-/ready", 200, "Prometheus Server is Ready.");
    Eventually.eventually(() -> assertThat(client.status().get(0).inRotation()).isTrue());
  }

  @Test
  void aSmallSuccessAnswerThatIsNotOneFailsOver() throws Exception {
    FakeShard broken =
        shard()
            .answer(
                "/api/v1/query",
                "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"boom\"}");
    FakeShard healthy = shard().answer("/api/v1/query", OK);
    client =
        client(policy(Duration.ofSeconds(10), Duration.ofMinutes(1)), broken.uri(), healthy.uri());

    try (UpstreamResponse response =
        send(broken.uri(), Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS)) {
      assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(OK);
    }

    assertThat(broken.received).hasSize(1);
    assertThat(client.status()).extracting(ReplicaStatus::inRotation).containsExactly(false, true);
  }

  /**
   * A replica can answer (headers in, body still streaming) before its attempt is even registered:
   * that answer is the request's, and cancelling its attempt would break its body off.
   */
  @Test
  void aReplicaThatAnswersAtOnceIsNeverCancelled() throws Exception {
    AtomicInteger cancels = new AtomicInteger();
    UpstreamClient answersAtOnce =
        request -> {
          CompletableFuture<UpstreamResponse> answered =
              new CompletableFuture<>() {
                @Override
                public boolean cancel(boolean mayInterruptIfRunning) {
                  cancels.incrementAndGet();
                  return super.cancel(mayInterruptIfRunning);
                }
              };
          answered.complete(new io.promroute.router.InMemoryResponse(200, OK));
          return answered;
        };
    ShardTarget target =
        new ShardTarget(
            List.of(URI.create("http://127.0.0.1:1"), URI.create("http://127.0.0.1:2")),
            null,
            null,
            null,
            Map.of(),
            ShardTarget.Tls.DEFAULT);
    client =
        (ReplicaClient)
            ReplicaClient.wrap(
                answersAtOnce,
                Map.of("a", target),
                policy(Duration.ofSeconds(10), Duration.ofMinutes(1)));

    try (UpstreamResponse response =
        client
            .send(
                new UpstreamRequest(
                    "a",
                    target,
                    "GET",
                    URI.create("http://127.0.0.1:1" + QUERY),
                    Map.of(),
                    new byte[0],
                    Duration.ofSeconds(10)))
            .get(10, TimeUnit.SECONDS)) {
      assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(OK);
    }

    assertThat(cancels.get()).isZero();
  }

  @Test
  void aShardWithOneAddressGoesStraightToTheClientBelow() {
    UpstreamClient below =
        request -> CompletableFuture.failedFuture(new IllegalStateException("below"));
    assertThat(ReplicaClient.wrap(below, Map.of("a", ShardTarget.of("h:1")), ReplicaPolicy.DEFAULT))
        .isSameAs(below);
  }

  private ReplicaClient client(ReplicaPolicy policy, URI... replicas) {
    List<URI> urls = List.of(replicas);
    ShardTarget target = new ShardTarget(urls, null, null, null, Map.of(), ShardTarget.Tls.DEFAULT);
    return (ReplicaClient)
        ReplicaClient.wrap(UpstreamClient.jdk(Duration.ofSeconds(2)), Map.of("a", target), policy);
  }

  private static ReplicaPolicy policy(Duration firstByte, Duration backoff) {
    return new ReplicaPolicy(firstByte, backoff, Duration.ZERO);
  }

  /** A request as the engine builds it: for the first replica's URL, with the whole target. */
  private CompletableFuture<UpstreamResponse> send(URI first, Duration timeout) {
    ShardTarget target =
        new ShardTarget(
            client.status().stream().map(ReplicaStatus::baseUrl).toList(),
            null,
            null,
            null,
            Map.of(),
            ShardTarget.Tls.DEFAULT);
    assertThat(target.baseUrl()).isEqualTo(first);
    return client.send(
        new UpstreamRequest(
            "a", target, "GET", URI.create(first + QUERY), Map.of(), new byte[0], timeout));
  }

  private FakeShard shard() throws Exception {
    FakeShard shard = new FakeShard();
    closing.add(shard);
    return shard;
  }

  /** A port nothing listens on: connections are refused. */
  private static URI deadPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  /** A loopback server that hands each accepted connection to a handler and counts them. */
  static final class RawServer implements AutoCloseable {
    interface Handler {
      void accepted(Socket socket) throws IOException;
    }

    final AtomicInteger accepted = new AtomicInteger();

    /** Connections the client closed (the read reached the end). */
    final AtomicInteger closed = new AtomicInteger();

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private RawServer(ServerSocket server) {
      this.server = server;
    }

    static RawServer start(Handler handler) throws IOException {
      RawServer raw = new RawServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
      Thread acceptor =
          new Thread(
              () -> {
                while (!raw.server.isClosed()) {
                  try {
                    Socket socket = raw.server.accept();
                    raw.accepted.incrementAndGet();
                    raw.sockets.add(socket);
                    handler.accepted(socket);
                    if (!socket.isClosed()) {
                      Thread reader =
                          new Thread(
                              () -> {
                                try {
                                  while (socket.getInputStream().read() >= 0) {
                                    // the request, then nothing: the client closes or the test ends
                                  }
                                  raw.closed.incrementAndGet();
                                } catch (IOException e) {
                                  raw.closed.incrementAndGet();
                                }
                              });
                      reader.setDaemon(true);
                      reader.start();
                    }
                  } catch (IOException e) {
                    return; // closed
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      return raw;
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }
}
