package io.promroute.standalone;

import java.io.BufferedWriter;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.util.function.Consumer;

/**
 * Access log lines on stderr, as they are: each line carries its own time stamp. Buffered: {@link
 * AsyncAccessLog} flushes once per batch of lines. Used by its writer thread only.
 */
final class StderrLines implements Consumer<String>, Flushable {

  private final Writer out;

  StderrLines() {
    this(new OutputStreamWriter(System.err, Charset.defaultCharset()));
  }

  StderrLines(Writer out) {
    this.out = new BufferedWriter(out, 16 * 1024);
  }

  @Override
  public void accept(String line) {
    try {
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
