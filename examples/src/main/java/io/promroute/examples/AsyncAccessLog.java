package io.promroute.examples;

import static java.util.Objects.requireNonNull;

import java.io.Flushable;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Writes access log lines on a thread of its own. java.util.logging's console handler writes and
 * flushes every record under a lock, which in the request path cost about a third of the small
 * query throughput; here a request only queues its line. When the queue is full, lines are dropped
 * (and counted) rather than slowing requests down.
 */
final class AsyncAccessLog implements Consumer<String>, AutoCloseable {

  private final BlockingQueue<String> queue;
  private final Consumer<String> sink;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  private final AccessLogFormat format;

  /** @param format how the log's own notices (lines dropped) are written, as the lines around them */
  AsyncAccessLog(Consumer<String> sink, int capacity, AccessLogFormat format) {
    this.sink = requireNonNull(sink, "sink is null");
    this.format = requireNonNull(format, "format is null");
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.writer = new Thread(this::drain, "promroute-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void accept(String line) {
    if (!queue.offer(line)) {
      dropped.incrementAndGet();
    }
  }

  /** Lines dropped because the writer could not keep up. */
  long dropped() {
    return dropped.get();
  }

  private void drain() {
    long reported = 0;
    while (!closed || !queue.isEmpty()) {
      try {
        String line = queue.poll(200, TimeUnit.MILLISECONDS);
        if (line != null) {
          sink.accept(line);
        }
        long lost = dropped.get();
        if (lost != reported) {
          sink.accept(format.notice(java.time.Instant.now(),
              "access log: " + (lost - reported) + " line(s) dropped, the log could not keep up"));
          reported = lost;
        }
        if (queue.isEmpty() && sink instanceof Flushable flushable) {
          flush(flushable); // a buffering sink writes once per burst, not once per line
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static void flush(Flushable flushable) {
    try {
      flushable.flush();
    } catch (IOException e) {
      // the sink's destination is gone; nothing to tell it with
    }
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
