package io.promroute.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class StderrLinesTest {

  @Test
  void writesTheDefaultLogFormatAndOnlyOnFlush() {
    StringWriter out = new StringWriter();
    StderrLines lines = new StderrLines("INFO io.promroute.access: ", out);

    lines.accept("127.0.0.1 \"GET /api/v1/query?query=up\" 200 shards=a 0.4ms");
    assertThat(out.toString()).isEmpty();
    lines.flush();

    assertThat(out.toString()).matches(
        "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}[+-]\\d{4} INFO io\\.promroute\\.access: "
            + "127\\.0\\.0\\.1 \"GET /api/v1/query\\?query=up\" 200 shards=a 0\\.4ms" + System.lineSeparator());
  }

  @Test
  void theAccessLogFlushesItsSinkOnceItsQueueIsEmpty() {
    StringWriter out = new StringWriter();
    AsyncAccessLog log = new AsyncAccessLog(new StderrLines("", out), 100);

    log.accept("one");
    log.accept("two");
    log.close();

    assertThat(out.toString()).contains(" one" + System.lineSeparator())
        .endsWith(" two" + System.lineSeparator());
  }
}
