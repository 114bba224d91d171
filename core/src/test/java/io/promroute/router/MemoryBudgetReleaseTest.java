package io.promroute.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.promroute.shard.ShardRewriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router's memory budget ({@code limits.max_memory}) is reserved by what a request holds and
 * given back when the request ends, whichever way it ends: after each request below the engine
 * holds nothing.
 */
class MemoryBudgetReleaseTest {

  private static final long MIB = 1 << 20;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  /**
   * A vector of {@code series} series of metric x, each with a label value of {@code padding}
   * characters.
   */
  private static String vector(String shard, int series, int padding) {
    StringBuilder json =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
    String pad = "p".repeat(padding);
    for (int i = 0; i < series; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"metric\":{\"__name__\":\"x\",\"i\":\"")
          .append(shard)
          .append(i)
          .append("\",\"pad\":\"")
          .append(pad)
          .append("\"},\"value\":[1700000000,\"1\"]}");
    }
    return json.append("]}}").toString();
  }

  private static String series(String shard, int series) {
    StringBuilder json = new StringBuilder("{\"status\":\"success\",\"data\":[");
    for (int i = 0; i < series; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"__name__\":\"x\",\"i\":\"")
          .append(shard)
          .append(i)
          .append("\"}");
    }
    return json.append("]}").toString();
  }

  private static Engine engine(
      long maxMemoryBytes,
      boolean partial,
      long maxSamples,
      int maxSeries,
      ExecutorService executor,
      Function<UpstreamRequest, UpstreamResponse> shards) {
    ShardRewriter rewriter =
        ShardRewriter.builder().shardLabel("cluster").shards(List.of("a", "b")).build();
    Router router = new Router(Routing.of(rewriter), "cluster", List.of("a", "b"), true, true);
    UpstreamClient client =
        request -> CompletableFuture.supplyAsync(() -> shards.apply(request), executor);
    return new Engine(
        router,
        "cluster",
        Map.of(
            "a",
            ShardTarget.of(URI.create("http://a.invalid")),
            "b",
            ShardTarget.of(URI.create("http://b.invalid"))),
        client,
        "",
        Duration.ofSeconds(30),
        partial,
        Set.of(),
        1 << 20,
        executor,
        false,
        maxSamples,
        maxSeries,
        false,
        Map::of,
        maxMemoryBytes,
        java.time.Duration.ZERO);
  }

  private Engine engine(long maxMemoryBytes, Function<UpstreamRequest, UpstreamResponse> shards) {
    return engine(maxMemoryBytes, false, 50_000_000, 1_000_000, executor, shards);
  }

  private static RecordedResponse run(
      Engine engine, String path, String query, RecordedResponse response)
      throws InterruptedException {
    Exchange exchange =
        engine.exchange(
            TestRequest.get(
                path,
                "query="
                    + URLEncoder.encode(query, StandardCharsets.UTF_8)
                    + "&time=1700000000&match[]="
                    + URLEncoder.encode(query, StandardCharsets.UTF_8)),
            response);
    exchange.start();
    assertThat(response.ended.await(30, TimeUnit.SECONDS)).isTrue();
    return response;
  }

  private static RecordedResponse query(Engine engine, String query) throws InterruptedException {
    return run(engine, "/api/v1/query", query, new RecordedResponse());
  }

  private static String shardOf(UpstreamRequest request) {
    return request.shard();
  }

  @Test
  void aCrossShardQueryHoldsItsSamplesWhileEvaluatedAndGivesThemBackWhenAnswered()
      throws Exception {
    AtomicLong heldWhileReading = new AtomicLong();
    Engine[] engine = new Engine[1];
    engine[0] =
        engine(
            64 * MIB,
            request -> {
              InputStream body =
                  JsonAnswer.streamed(200, vector(shardOf(request), 1_000, 10)).body();
              if (shardOf(request).equals("b")) {
                // Read after a's answer: a's series are held by then.
                body =
                    new FilterInputStream(body) {
                      @Override
                      public int read(byte[] bytes, int offset, int length) throws IOException {
                        heldWhileReading.compareAndSet(0, engine[0].memoryHeldBytes());
                        return super.read(bytes, offset, length);
                      }
                    };
              }
              return new JsonAnswer(200, body);
            });

    RecordedResponse response = query(engine[0], "sum(x)");

    assertThat(response.status).as(response.text()).isEqualTo(200);
    assertThat(response.text()).contains("\"2000\"");
    assertThat(heldWhileReading.get()).isGreaterThan(1_000 * 96L);
    assertThat(engine[0].memoryHeldBytes()).isZero();
  }

  @Test
  void aQueryThatAloneNeedsMoreThanTheBudgetIs422AndHoldsNothingAfterwards() throws Exception {
    Engine engine =
        engine(
            256 << 10, request -> JsonAnswer.streamed(200, (vector(shardOf(request), 5_000, 10))));

    RecordedResponse response = query(engine, "sum(x)");

    assertThat(response.status).isEqualTo(422);
    assertThat(response.text())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":"
                + "\"query processing would hold more memory than the router's budget of 262144 bytes (limits.max_memory)\"}");
    assertThat(engine.memoryHeldBytes()).isZero();
  }

  @Test
  void aQueryThatFindsTheBudgetHeldByOthersIs503AndSucceedsOnceTheyAreDone() throws Exception {
    Engine engine =
        engine(4 * MIB, request -> JsonAnswer.streamed(200, (vector(shardOf(request), 2_000, 10))));
    io.promroute.api.MemoryBudget.Lease other = engine.memory.lease();
    other.reserve(4 * MIB - (64 << 10));

    RecordedResponse refused = query(engine, "sum(x)");
    long heldByOther = engine.memoryHeldBytes();
    other.close();
    RecordedResponse next = query(engine, "sum(x)");

    assertThat(refused.status).isEqualTo(503);
    assertThat(refused.text())
        .isEqualTo(
            "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":"
                + "\"the router's memory budget (limits.max_memory) is held by other queries; try again later\"}");
    assertThat(heldByOther).isEqualTo(4 * MIB - (64 << 10));
    assertThat(next.status).as(next.text()).isEqualTo(200);
    assertThat(engine.memoryHeldBytes()).isZero();
  }

  @Test
  void theSampleLimitAndTheSeriesLimitGiveTheBudgetBack() throws Exception {
    Engine samples =
        engine(
            64 * MIB,
            false,
            1_500,
            1_000_000,
            executor,
            request -> JsonAnswer.streamed(200, (vector(shardOf(request), 1_000, 10))));
    Engine series =
        engine(
            64 * MIB,
            false,
            50_000_000,
            1_500,
            executor,
            request -> JsonAnswer.streamed(200, (series(shardOf(request), 1_000))));

    RecordedResponse tooManySamples = query(samples, "sum(x)");
    RecordedResponse tooManySeries = run(series, "/api/v1/series", "x", new RecordedResponse());

    assertThat(tooManySamples.status).isEqualTo(422);
    assertThat(tooManySamples.text()).contains("too many samples");
    assertThat(samples.memoryHeldBytes()).isZero();
    assertThat(tooManySeries.status).isEqualTo(422);
    assertThat(tooManySeries.text()).contains("limits.max_series");
    assertThat(series.memoryHeldBytes()).isZero();
  }

  @Test
  void aSeriesUnionHoldsItsLabelSetsAndGivesThemBackWhenAnswered() throws Exception {
    Engine small =
        engine(64 << 10, request -> JsonAnswer.streamed(200, (series(shardOf(request), 1_000))));
    Engine large =
        engine(64 * MIB, request -> JsonAnswer.streamed(200, (series(shardOf(request), 1_000))));

    RecordedResponse refused = run(small, "/api/v1/series", "x", new RecordedResponse());
    RecordedResponse answered = run(large, "/api/v1/series", "x", new RecordedResponse());

    assertThat(refused.status).isEqualTo(422);
    assertThat(refused.text()).contains("limits.max_memory");
    assertThat(small.memoryHeldBytes()).isZero();
    assertThat(answered.status).isEqualTo(200);
    assertThat(answered.text()).contains("\"i\":\"a999\"", "\"i\":\"b999\"");
    assertThat(large.memoryHeldBytes()).isZero();
  }

  @Test
  void aClientGoneWhileTheAnswerIsWrittenGivesTheBudgetBack() throws Exception {
    Engine engine =
        engine(
            64 * MIB, request -> JsonAnswer.streamed(200, (vector(shardOf(request), 1_000, 10))));
    RecordedResponse gone = new RecordedResponse();
    gone.clientGone = true;

    run(engine, "/api/v1/query", "sum by (i) (x)", gone);

    assertThat(gone.aborted).isTrue();
    assertThat(engine.memoryHeldBytes()).isZero();
  }

  @Test
  void aQueryCancelledWhileItsAnswersAreReadGivesTheBudgetBack() throws Exception {
    Exchange[] exchange = new Exchange[1];
    CountDownLatch started = new CountDownLatch(1);
    Engine engine =
        engine(
            64 * MIB,
            request -> {
              InputStream body =
                  JsonAnswer.streamed(200, vector(shardOf(request), 2_000, 10)).body();
              if (shardOf(request).equals("b")) {
                body =
                    new FilterInputStream(body) {
                      @Override
                      public int read(byte[] bytes, int offset, int length) throws IOException {
                        try {
                          started.await();
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                        exchange[0].onError(); // the client leaves while the router reads
                        return super.read(bytes, offset, length);
                      }
                    };
              }
              return new JsonAnswer(200, body);
            });
    RecordedResponse response = new RecordedResponse();
    exchange[0] =
        engine.exchange(TestRequest.get("/api/v1/query", "query=sum(x)&time=1700000000"), response);
    started.countDown();

    exchange[0].start();

    assertThat(response.ended.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(response.status).isNotEqualTo(200);
    assertThat(engine.memoryHeldBytes()).isZero();
  }

  @Test
  void aShardFailureAndAPartialAnswerGiveTheBudgetBack() throws Exception {
    Engine strict =
        engine(
            64 * MIB,
            request ->
                shardOf(request).equals("b")
                    ? JsonAnswer.streamed(
                        503,
                        ("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"down\"}"))
                    : JsonAnswer.streamed(200, (vector("a", 1_000, 10))));
    Engine partial =
        engine(
            64 * MIB,
            true,
            50_000_000,
            1_000_000,
            executor,
            request -> JsonAnswer.streamed(200, (vector(shardOf(request), 1_000, 10))));

    RecordedResponse failed = query(strict, "sum(x)");
    RecordedResponse buffered = query(partial, "x");

    assertThat(failed.status).isEqualTo(503);
    assertThat(strict.memoryHeldBytes()).isZero();
    assertThat(buffered.status).isEqualTo(200);
    assertThat(buffered.text()).contains("\"i\":\"a999\"", "\"i\":\"b999\"");
    assertThat(partial.memoryHeldBytes()).isZero();
  }

  /** A POST of a form body of {@code bytes} bytes: {@code sum(x)} and a comment that pads it. */
  private static ApiRequest post(int bytes) {
    String start = "query=sum(x)%20%23%20";
    String time = "&time=1700000000";
    return TestRequest.post(
        "/api/v1/query", start + "p".repeat(bytes - start.length() - time.length()) + time);
  }

  /** Runs {@code request} to its end, as the transport ends it ({@link Exchange#onComplete}). */
  private static RecordedResponse complete(Engine engine, ApiRequest request)
      throws InterruptedException {
    RecordedResponse response = new RecordedResponse();
    Exchange exchange = engine.exchange(request, response);
    exchange.start();
    assertThat(response.ended.await(30, TimeUnit.SECONDS)).isTrue();
    exchange.onComplete();
    return response;
  }

  @Test
  void aPostBodyHoldsTheBudgetUntilTheRequestEnds() throws Exception {
    AtomicLong heldWhileShardsAsked = new AtomicLong();
    Engine[] engine = new Engine[1];
    engine[0] =
        engine(
            64 * MIB,
            request -> {
              heldWhileShardsAsked.compareAndSet(0, engine[0].memoryHeldBytes());
              return JsonAnswer.streamed(200, vector(shardOf(request), 10, 1));
            });

    RecordedResponse response = complete(engine[0], post(400_000));

    assertThat(response.status).as(response.text()).isEqualTo(200);
    // The most the body held at once, counted once: its bytes, their unescaped copy and the query's
    // text while it is decoded (three bytes a byte, in 256 KiB chunks), still held while the shards
    // are asked; not four or more, as when a buffer that doubles, its copy and the whole body's
    // text were counted besides.
    assertThat(heldWhileShardsAsked.get())
        .isGreaterThanOrEqualTo(3 * 400_000L)
        .isLessThan(4 * 400_000L);
    assertThat(engine[0].memoryHeldBytes()).isZero();
  }

  @Test
  void aPostBodyFindingTheBudgetHeldIs503WhileAGetAnswersOr422WhenTooLarge() throws Exception {
    Engine engine =
        engine(5 * MIB / 2, request -> JsonAnswer.streamed(200, vector(shardOf(request), 10, 1)));
    io.promroute.api.MemoryBudget.Lease other = engine.memory.lease();
    other.reserve(2 * MIB);

    RecordedResponse refused = complete(engine, post(400_000));
    RecordedResponse get = query(engine, "sum(x)");
    long heldMeanwhile = engine.memoryHeldBytes();
    other.close();
    RecordedResponse passed = complete(engine, post(400_000));
    // Alone, a body that needs more than the whole budget (three bytes a byte): retrying cannot
    // help.
    RecordedResponse tooLarge = complete(engine, post(1_000_000));

    assertThat(refused.status).as(refused.text()).isEqualTo(503);
    assertThat(refused.text()).contains("\"errorType\":\"unavailable\"", "limits.max_memory");
    assertThat(get.status).as(get.text()).isEqualTo(200);
    assertThat(heldMeanwhile).isEqualTo(2 * MIB);
    assertThat(tooLarge.status).as(tooLarge.text()).isEqualTo(422);
    assertThat(tooLarge.text()).contains("\"errorType\":\"execution\"", "limits.max_memory");
    assertThat(passed.status).as(passed.text()).isEqualTo(200);
    assertThat(engine.memoryHeldBytes()).isZero();
  }
}
