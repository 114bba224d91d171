package io.promroute.standalone;

import static java.util.Objects.requireNonNull;

import java.io.Flushable;
import java.io.IOException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Writes access log lines on a thread of its own, in batches. A request only adds its line to a
 * lock-free queue and never wakes the writer: the writer looks at the queue every {@link
 * #INTERVAL}, writes what it finds and flushes once. The access log cost about a fifth of the
 * router's CPU per small request while its writer was woken (a blocking queue's signal) and stderr
 * flushed for every line: a futex wake, a context switch and a write each. When the queue is full,
 * lines are dropped (and counted) rather than slowing requests down.
 */
final class AsyncAccessLog implements Consumer<String>, AutoCloseable {

  /** How long a line may wait before it is written. */
  static final Duration INTERVAL = Duration.ofMillis(50);

  private final Queue<String> queue = new ConcurrentLinkedQueue<>();

  /** Lines in the queue; a line is refused when this reaches the capacity. */
  private final AtomicInteger queued = new AtomicInteger();

  private final int capacity;
  private final Consumer<String> sink;
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;

  private final AccessLogFormat format;

  /**
   * @param format how the log's own notices (lines dropped) are written, as the lines around them
   */
  AsyncAccessLog(Consumer<String> sink, int capacity, AccessLogFormat format) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.sink = requireNonNull(sink, "sink is null");
    this.format = requireNonNull(format, "format is null");
    this.capacity = capacity;
    this.writer = new Thread(this::drain, "promroute-access-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void accept(String line) {
    requireNonNull(line, "line is null");
    if (queued.getAndIncrement() >= capacity) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    queue.add(line);
  }

  /** Lines dropped because the writer could not keep up. */
  long dropped() {
    return dropped.get();
  }

  private void drain() {
    long reported = 0;
    while (true) {
      boolean last = closed; // read before draining: what close() waits for is in the queue by now
      boolean wrote = false;
      String line;
      while ((line = queue.poll()) != null) {
        queued.decrementAndGet();
        sink.accept(line);
        wrote = true;
      }
      long lost = dropped.get();
      if (lost != reported) {
        sink.accept(
            format.notice(
                java.time.Instant.now(),
                "access log: "
                    + (lost - reported)
                    + " line(s) dropped, the log could not keep up"));
        reported = lost;
        wrote = true;
      }
      if (wrote && sink instanceof Flushable flushable) {
        flush(flushable); // once per batch, not once per line
      }
      if (last) {
        return;
      }
      LockSupport.parkNanos(this, INTERVAL.toNanos()); // close() unparks it
      if (Thread.interrupted()) {
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
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
