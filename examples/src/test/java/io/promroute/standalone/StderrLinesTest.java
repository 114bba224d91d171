package io.promroute.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class StderrLinesTest {

  @Test
  void writesEachLineAsItIsAndOnlyOnFlush() {
    StringWriter out = new StringWriter();
    StderrLines lines = new StderrLines(out);

    lines.accept("ts=2026-12-06T05:40:00.123Z remote=127.0.0.1 status=200");
    assertThat(out.toString()).isEmpty();
    lines.flush();

    assertThat(out.toString())
        .isEqualTo(
            "ts=2026-12-06T05:40:00.123Z remote=127.0.0.1 status=200" + System.lineSeparator());
  }

  @Test
  void theAccessLogFlushesItsSinkAfterABatchOfLines() {
    StringWriter out = new StringWriter();
    AsyncAccessLog log = new AsyncAccessLog(new StderrLines(out), 100, AccessLogFormat.LOGFMT);

    log.accept("one");
    log.accept("two");
    log.close();

    assertThat(out.toString())
        .isEqualTo("one" + System.lineSeparator() + "two" + System.lineSeparator());
  }
}
