package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AsyncAccessLogTest {

  @Test
  void writesEveryLineInOrderBeforeClosing() throws Exception {
    List<String> written = new CopyOnWriteArrayList<>();
    AsyncAccessLog log = new AsyncAccessLog(written::add, 100, AccessLogFormat.LOGFMT);

    log.accept("one");
    log.accept("two");
    log.close();

    assertThat(written).containsExactly("one", "two");
  }

  @Test
  void dropsAndReportsLinesWhenTheWriterCannotKeepUp() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> written = new CopyOnWriteArrayList<>();
    AsyncAccessLog log =
        new AsyncAccessLog(
            line -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              written.add(line);
            },
            2,
            AccessLogFormat.JSON);

    for (int i = 0; i < 10; i++) {
      log.accept("line " + i);
    }
    long dropped = log.dropped();
    release.countDown();
    log.close();

    // The writer holds one line, the queue two: at least 7 of 10 cannot be kept.
    assertThat(dropped).isGreaterThanOrEqualTo(7);
    // The notice is a line of the log's own format, so that a JSON reader can read it too.
    assertThat(written)
        .anyMatch(
            line ->
                line.matches(
                    "\\{\"ts\":\"[^\"]+\",\"msg\":\"access log: "
                        + dropped
                        + " line\\(s\\) dropped, the log could not keep up\"}"));
    assertThat(written).hasSize((int) (10 - dropped + 1));
  }
}
