package io.promroute.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promroute.router.ShardTarget;
import io.promroute.router.UpstreamClient;
import io.promroute.router.UpstreamRequest;
import io.promroute.router.UpstreamResponse;
import io.promroute.servlet.it.FaultyShard.Fault;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link UpstreamClient} must do with a shard that misbehaves ({@link FaultyShard}): one
 * deadline over the whole exchange, a broken body that fails its reads (never a normal end), no
 * redirect followed, and a request that met a dead keep-alive connection sent again. Each client's
 * test extends this with {@link #client()}.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
public abstract class UpstreamClientFaults {

  /** The deadline given to every request here. */
  protected static final Duration TIMEOUT = Duration.ofMillis(1500);

  /** How much later than the deadline a failure may come (a loaded CI machine). */
  protected static final Duration MARGIN = Duration.ofMillis(1500);

  private FaultyShard shard;
  private UpstreamClient client;
  private int requestsBefore;
  private int connectionsBefore;

  /** A new client of the kind under test. */
  protected abstract UpstreamClient client();

  @BeforeEach
  void start() throws Exception {
    shard = new FaultyShard("a");
    client = client();
    // A client's first request pays for its start (Jetty's sets up TLS), which is not what is
    // measured.
    URI base = URI.create("http://" + shard.hostPort());
    try (UpstreamResponse warmUp =
        client
            .send(
                new UpstreamRequest(
                    "a",
                    ShardTarget.of(base),
                    "GET",
                    base.resolve("/api/v1/labels"),
                    Map.of(),
                    new byte[0],
                    Duration.ofSeconds(30)))
            .get(30, TimeUnit.SECONDS)) {
      assertThat(warmUp.body().readAllBytes()).isNotEmpty();
    }
    requestsBefore = shard.requests();
    connectionsBefore = shard.connections();
  }

  @AfterEach
  void stop() throws Exception {
    shard.close();
    if (client instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  private UpstreamRequest request(String pathAndQuery) {
    URI base = URI.create("http://" + shard.hostPort());
    return new UpstreamRequest(
        "a",
        ShardTarget.of(base),
        "GET",
        base.resolve(pathAndQuery),
        Map.of(),
        new byte[0],
        TIMEOUT);
  }

  /** The whole answer, or the exception the exchange or the body's reads failed with. */
  private Object exchange(String pathAndQuery) throws InterruptedException {
    CompletableFuture<UpstreamResponse> future = client.send(request(pathAndQuery));
    try (UpstreamResponse response =
        future.get(TIMEOUT.plus(MARGIN).toMillis() + 5000, TimeUnit.MILLISECONDS)) {
      try (InputStream body = response.body()) {
        return response.status() + " " + new String(body.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (IOException e) {
      return e;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the client's future was not completed long after the deadline", e);
    }
  }

  @Test
  void aHealthyShardsAnswerArrivesWhole() throws Exception {
    Object answer = exchange("/api/v1/query?query=up&time=100");

    assertThat(answer)
        .isEqualTo(
            "200 {\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"a-1\",\"job\":\"node\"},\"value\":[100,\"1\"]},"
                + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"a-2\",\"job\":\"node\"},\"value\":[100,\"1\"]}]}}");
  }

  /**
   * Headers late, a body that stalls or trickles: all fail at the one deadline, and the connection
   * is closed.
   */
  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      names = {"HANG_BEFORE_HEADERS", "HANG_MID_BODY", "HANG_MID_CHUNKED", "TRICKLE"})
  void anAnswerNotCompleteAtTheDeadlineFailsThenAndItsConnectionIsClosed(Fault fault)
      throws Exception {
    shard.fault(fault);
    long start = System.nanoTime();

    Object answer = exchange("/api/v1/query_range?query=up&start=0&end=3000&step=60");

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(answer).isInstanceOf(IOException.class);
    assertThat(answer).isInstanceOf(java.net.http.HttpTimeoutException.class);
    assertThat(took).isBetween(TIMEOUT.minusMillis(100), TIMEOUT.plus(MARGIN));
    awaitClosedConnection();
  }

  /**
   * A body cut by a reset or a close, with a Content-Length or chunked: the reads fail, never a
   * normal end.
   */
  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      names = {"RESET_MID_BODY", "RESET_MID_CHUNKED", "TRUNCATED_CHUNKED", "CLOSE_MID_BODY"})
  void aBodyCutShortFailsItsReads(Fault fault) throws Exception {
    shard.fault(fault);
    long start = System.nanoTime();

    Object answer = exchange("/api/v1/query_range?query=up&start=0&end=3000&step=60");

    assertThat(answer).isInstanceOf(IOException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
  }

  @Test
  void bytesThatAreNotHttpFailTheExchange() throws Exception {
    shard.fault(Fault.GARBAGE);

    assertThat(exchange("/api/v1/query?query=up")).isInstanceOf(IOException.class);
  }

  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      names = {"REDIRECT_302", "REDIRECT_307"})
  void aRedirectIsGivenAsItCameNeverFollowed(Fault fault) throws Exception {
    shard.fault(fault);

    Object answer = exchange("/api/v1/query?query=up");

    assertThat(answer)
        .asString()
        .startsWith((fault == Fault.REDIRECT_302 ? "302" : "307") + " <html>");
    assertThat(shard.requests() - requestsBefore).isEqualTo(1);
  }

  /**
   * The shard closes each keep-alive connection when its second request arrives, as one closing
   * idle connections does when the router reuses one at that moment: every request is still
   * answered, on a new connection.
   */
  @Test
  void aRequestMeetingAConnectionTheShardClosedIsSentAgainOnANewOne() throws Exception {
    shard.fault(Fault.CLOSE_REUSED);

    for (int i = 0; i < 20; i++) {
      Object answer = exchange("/api/v1/query?query=up&time=" + i);
      assertThat(answer).asString().startsWith("200 {\"status\":\"success\"");
    }
    assertThat(shard.connections() - connectionsBefore).isGreaterThan(1);
  }

  @Test
  void postRequestsAreSentAgainToo() throws Exception {
    shard.fault(Fault.CLOSE_REUSED);
    URI base = URI.create("http://" + shard.hostPort());

    for (int i = 0; i < 10; i++) {
      UpstreamRequest post =
          new UpstreamRequest(
              "a",
              ShardTarget.of(base),
              "POST",
              base.resolve("/api/v1/query"),
              Map.of("Content-Type", java.util.List.of("application/x-www-form-urlencoded")),
              ("query=up&time=" + i).getBytes(StandardCharsets.UTF_8),
              TIMEOUT);
      try (UpstreamResponse response = client.send(post).get(10, TimeUnit.SECONDS)) {
        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8))
            .contains("[" + i + ",\"1\"]");
      }
    }
  }

  @Test
  void aRefusedConnectionFailsAtOnce() throws Exception {
    shard.fault(Fault.REFUSE);
    long start = System.nanoTime();

    Object answer = exchange("/api/v1/query?query=up");

    assertThat(answer)
        .as(
            "requests the shard answered before and after: %d, %d",
            requestsBefore, shard.requests())
        .isInstanceOf(java.net.ConnectException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
  }

  @Test
  void givingUpAStalledBodyFailsItsReadsAtOnceAndClosesItsConnection() throws Exception {
    shard.fault(Fault.HANG_MID_CHUNKED);
    CompletableFuture<UpstreamResponse> future =
        client.send(request("/api/v1/query_range?query=up&start=0&end=3000&step=60"));
    UpstreamResponse response = future.get(5, TimeUnit.SECONDS);
    // The answer comes with the headers, maybe before the shard has sent its half of the body:
    // given up then, the body is still arriving (the next case), not stalled.
    awaitStalled();
    long start = System.nanoTime();

    response.close();

    assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
    awaitClosedConnection();
  }

  /**
   * A body given up while the shard is still sending it: its connection is closed too (the shard
   * sees it as a write that fails).
   */
  @Test
  void givingUpABodyStillArrivingFailsItsReadsAndClosesItsConnection() throws Exception {
    shard.fault(Fault.HUGE_BODY);
    UpstreamResponse response =
        client
            .send(request("/api/v1/query_range?query=up&start=0&end=3000&step=60"))
            .get(5, TimeUnit.SECONDS);
    assertThat(response.body().readNBytes(4096)).hasSize(4096);

    response.close();

    assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(IOException.class);
    awaitClosedConnection();
  }

  private void awaitStalled() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (shard.stalled() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(shard.stalled()).as("answers the shard stopped sending partway").isEqualTo(1);
  }

  private void awaitClosedConnection() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (shard.closedByPeer() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(shard.closedByPeer()).as("connections the client closed").isEqualTo(1);
  }
}
