package io.promroute.examples;

import java.io.BufferedWriter;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * Access log lines on stderr, each after a time stamp and {@code prefix}, as the router's default
 * java.util.logging format writes them ({@code 2026-11-25T11:10:10.800+0000 INFO
 * io.promroute.access: ...}). Buffered: {@link AsyncAccessLog} flushes when its queue is empty.
 * Used by its writer thread only.
 */
final class StderrLines implements Consumer<String>, Flushable {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

  private final String prefix;
  private final Writer out;

  StderrLines(String prefix) {
    this(prefix, new OutputStreamWriter(System.err, Charset.defaultCharset()));
  }

  StderrLines(String prefix, Writer out) {
    this.prefix = prefix;
    this.out = new BufferedWriter(out, 16 * 1024);
  }

  @Override
  public void accept(String line) {
    try {
      TIME.formatTo(ZonedDateTime.now(), out);
      out.write(' ');
      out.write(prefix);
      out.write(line);
      out.write(System.lineSeparator());
    } catch (IOException e) {
      // stderr is gone: as java.util.logging's console handler, lose the line
    }
  }

  @Override
  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      // as above
    }
  }
}
