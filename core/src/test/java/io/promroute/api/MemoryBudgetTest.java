package io.promroute.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

  @Test
  void leasesShareTheBudgetAndGiveEverythingBackWhenClosed() {
    MemoryBudget budget = MemoryBudget.of(1 << 20);
    MemoryBudget.Lease first = budget.lease();
    MemoryBudget.Lease second = budget.lease();

    first.reserve(700 << 10);
    boolean secondFits = second.tryReserve(400 << 10);
    long heldByFirst = budget.reservedBytes();
    first.close();
    boolean secondFitsNow = second.tryReserve(400 << 10);
    second.close();

    assertThat(secondFits).isFalse();
    assertThat(heldByFirst).isGreaterThanOrEqualTo(700 << 10).isLessThanOrEqualTo(1 << 20);
    assertThat(secondFitsNow).isTrue();
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void aRequestLargerThanTheWholeBudgetIs422AndOneCrowdedOutIs503() {
    MemoryBudget budget = MemoryBudget.of(1 << 20);
    MemoryBudget.Lease crowd = budget.lease();
    crowd.reserve(1 << 19);

    try (MemoryBudget.Lease request = budget.lease()) {
      assertThatThrownBy(() -> request.reserve((1 << 20) + 1))
          .isInstanceOfSatisfying(
              ApiException.class,
              e ->
                  assertThat(e.error())
                      .isEqualTo(
                          new ApiError(
                              422,
                              "execution",
                              "query processing would hold more memory than the router's budget of 1048576 bytes (limits.max_memory)")));
      assertThatThrownBy(() -> request.reserve((1 << 19) + 1))
          .isInstanceOfSatisfying(
              ApiException.class, e -> assertThat(e.error().status()).isEqualTo(503));
      assertThat(request.held()).isZero();
    }
    crowd.close();
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void aRequestWhoseBodyAndAnswerTogetherExceedTheBudgetIs422AtOnceNot503AfterWaitingForItself() {
    MemoryBudget budget = MemoryBudget.of(1 << 20);
    MemoryBudget.Lease body = budget.lease();
    body.reserve(1 << 10); // takes a whole chunk of the budget
    MemoryBudget.Lease other = budget.lease();
    other.reserve(1 << 10);
    long started = System.nanoTime();

    try (MemoryBudget.Lease answer = budget.lease(body)) {
      answer.reserve(1 << 18);
      // Fits the budget alone, but not with what the request's body holds.
      assertThatThrownBy(() -> answer.reserve((1 << 20) - (1 << 18) - MemoryBudget.CHUNK_BYTES + 1))
          .isInstanceOfSatisfying(
              ApiException.class, e -> assertThat(e.error().status()).isEqualTo(422));
    }
    long waitedMillis = (System.nanoTime() - started) / 1_000_000;
    // A lease without the sibling waits for the body's chunk and is refused as crowded out.
    try (MemoryBudget.Lease unrelated = budget.lease()) {
      unrelated.reserve(1 << 18);
      assertThatThrownBy(
              () -> unrelated.reserve((1 << 20) - (1 << 18) - MemoryBudget.CHUNK_BYTES + 1))
          .isInstanceOfSatisfying(
              ApiException.class, e -> assertThat(e.error().status()).isEqualTo(503));
    }
    body.close();
    other.close();

    assertThat(waitedMillis).isLessThan(MemoryBudget.CONTENTION_WAIT_NANOS / 1_000_000);
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void aSiblingLeaseMustBeOfTheSameBudget() {
    MemoryBudget.Lease foreign = MemoryBudget.of(1 << 20).lease();

    assertThatThrownBy(() -> MemoryBudget.of(1 << 20).lease(foreign))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requestsThatEachWaitForWhatTheOthersHoldDoNotAllWaitOutTheirPatience() throws Exception {
    MemoryBudget budget = MemoryBudget.of(1 << 20);
    MemoryBudget.Lease first = budget.lease();
    MemoryBudget.Lease second = budget.lease();
    first.reserve(1 << 19);
    second.reserve(1 << 19);
    java.util.concurrent.CompletableFuture<Long> firstWaits =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              long started = System.nanoTime();
              try {
                first.reserve(1 << 18); // waits for second
              } finally {
                first.close();
              }
              return System.nanoTime() - started;
            });
    Thread.sleep(100); // first now waits

    long started = System.nanoTime();
    // second completes the circle: refused at once, not after the 2 s of patience.
    assertThatThrownBy(() -> second.reserve(1 << 18))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.error().status()).isEqualTo(503));
    long refusedAfter = System.nanoTime() - started;
    second.close();

    assertThat(refusedAfter).isLessThan(MemoryBudget.CONTENTION_WAIT_NANOS / 2);
    assertThat(firstWaits.get(10, java.util.concurrent.TimeUnit.SECONDS))
        .isLessThan(MemoryBudget.CONTENTION_WAIT_NANOS);
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void releasedBytesAreReusedByTheSameRequestWithoutTakingMore() {
    MemoryBudget budget = MemoryBudget.of(1 << 20);
    try (MemoryBudget.Lease request = budget.lease()) {
      request.reserve(600 << 10);
      request.release(600 << 10);
      request.reserve(600 << 10);

      assertThat(request.held()).isEqualTo(600 << 10);
      assertThat(budget.reservedBytes()).isLessThanOrEqualTo(1 << 20);
    }
    assertThat(budget.reservedBytes()).isZero();
  }

  @Test
  void aShardAnswerReadForTheRouterReservesItsSamplesAndLabels() throws Exception {
    StringBuilder json =
        new StringBuilder(
            "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
    for (int i = 0; i < 100; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"metric\":{\"i\":\"")
          .append(i)
          .append("\"},\"values\":[");
      for (int t = 0; t < 10; t++) {
        json.append(t == 0 ? "" : ",").append("[").append(t).append(",\"1\"]");
      }
      json.append("]}");
    }
    json.append("]}}");
    MemoryBudget budget = MemoryBudget.of(1 << 30);
    try (MemoryBudget.Lease request = budget.lease()) {
      QueryResult.read(
          new ByteArrayInputStream(json.toString().getBytes(StandardCharsets.UTF_8)),
          SampleLimit.of(1_000_000, request));

      assertThat(request.held())
          .isGreaterThanOrEqualTo(1_000 * MemoryBudget.SAMPLE_BYTES + 100 * (64 + 8 + 56 + 1));
    }
    MemoryBudget tooSmall = MemoryBudget.of(10_000);
    try (MemoryBudget.Lease request = tooSmall.lease()) {
      assertThatThrownBy(
              () ->
                  QueryResult.read(
                      new ByteArrayInputStream(json.toString().getBytes(StandardCharsets.UTF_8)),
                      SampleLimit.of(1_000_000, request)))
          .isInstanceOfSatisfying(
              ApiException.class, e -> assertThat(e.error().status()).isEqualTo(422));
    }
    assertThat(tooSmall.reservedBytes()).isZero();
  }
}
