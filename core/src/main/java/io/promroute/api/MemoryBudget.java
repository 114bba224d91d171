package io.promroute.api;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's one memory budget, shared by all its requests: what a request holds in memory to
 * merge or evaluate answers (a cross-shard query's shard answers and what is computed from them, a
 * series or label union, a partial answer's buffered shard bodies) and its POST body while it is
 * read and kept is reserved from it first and given back when the request ends, however it ends.
 * Per-request limits ({@link SampleLimit}, {@code limits.max_series}) bound one request; this
 * bounds them all together, so that twenty requests each under its limit cannot fill the heap
 * between them. Answers that stream (one shard's answer, a concatenated fan-out, a range merge)
 * hold a bounded buffer and reserve nothing.
 *
 * <p>What a request holds is estimated from what it reads (samples, label sets, strings), with the
 * sizes of the objects that hold them on a 64-bit JVM; the estimate is reserved before the objects
 * are made. A request that cannot reserve is answered:
 *
 * <ul>
 *   <li>422 {@code execution} when it alone needs more than the whole budget: retrying cannot help,
 *       as with Prometheus's {@code --query.max-samples};
 *   <li>503 {@code unavailable} when other requests hold the rest and give none of it back within 2
 *       seconds: a transient overload, which Prometheus's API answers with 503 and clients retry.
 * </ul>
 *
 * Thread-safe; a {@link Lease} is one request's, used by one thread at a time.
 */
public final class MemoryBudget {

  /** The default budget, as a fraction of the heap's maximum ({@code -Xmx}). */
  public static final double DEFAULT_HEAP_FRACTION = 0.5;

  /**
   * What one sample held for a cross-shard evaluation costs: the point read from a shard's answer
   * (object and list slot), its copy by step for the evaluation (object, list slot, map share).
   */
  static final long SAMPLE_BYTES = 96;

  /**
   * A lease takes the global budget in chunks this large, so that samples counted one by one do not
   * contend.
   */
  static final long CHUNK_BYTES = 256 << 10;

  /** How long a request waits for other requests to give memory back before it is refused. */
  static final long CONTENTION_WAIT_NANOS = 2_000_000_000L;

  private final long maxBytes;
  private final AtomicLong reserved = new AtomicLong();
  // Notified whenever a lease gives its bytes back.
  private final Object released = new Object();
  // Leases that hold part of the budget, and how many of them wait for more (guarded by released).
  private final java.util.concurrent.atomic.AtomicInteger holders =
      new java.util.concurrent.atomic.AtomicInteger();
  private int waitingHolders;

  private MemoryBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * A budget of {@code maxBytes}.
   *
   * @param maxBytes positive
   */
  public static MemoryBudget of(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
    }
    return new MemoryBudget(maxBytes);
  }

  /** No budget (for callers that bound memory otherwise, and tests). */
  public static MemoryBudget unlimited() {
    return new MemoryBudget(Long.MAX_VALUE);
  }

  /** {@link #DEFAULT_HEAP_FRACTION} of this JVM's maximum heap, in bytes. */
  public static long defaultBytes() {
    return heapFraction(DEFAULT_HEAP_FRACTION);
  }

  /**
   * {@code fraction} of this JVM's maximum heap, in bytes.
   *
   * @param fraction more than 0, at most 1
   */
  public static long heapFraction(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
    }
    return Math.max(1, (long) (Runtime.getRuntime().maxMemory() * fraction));
  }

  /** The budget, in bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  /** The bytes all requests hold now. */
  public long reservedBytes() {
    return reserved.get();
  }

  /** A new request's share, empty; close it when the request ends. */
  public Lease lease() {
    return new Lease(null);
  }

  /**
   * Another share of the request that holds {@code sibling} (e.g. its answer's, next to its POST
   * body's), empty: whether the request alone needs more than the whole budget counts what both
   * hold, so that the request is refused with 422 at once rather than waiting for itself and
   * answering 503 "held by other queries". Close it when that part of the request ends.
   *
   * @param sibling a lease of this budget, open or closed
   */
  public Lease lease(Lease sibling) {
    if (sibling.budget() != this) {
      throw new IllegalArgumentException("the sibling lease is of another budget");
    }
    return new Lease(sibling);
  }

  /**
   * An estimate of the bytes a label set read from JSON costs ({@code [name, value, ...]}): the
   * values are new strings, the names are shared (the JSON parser interns field names). Measured on
   * Kubernetes-like label sets it is within a third above what the heap shows.
   */
  static long labelsBytes(List<String> labels) {
    long bytes = 64; // the series or set entry, and its list
    for (int i = 0; i < labels.size(); i++) {
      bytes += i % 2 == 0 ? 8 : stringBytes(labels.get(i));
    }
    return bytes;
  }

  /**
   * An estimate of the bytes a copy of a label set that shares its strings costs (an array of
   * them).
   */
  static long labelsCopyBytes(List<String> labels) {
    return 32 + 8L * labels.size();
  }

  /**
   * An estimate of the bytes one string held in a collection costs (object, array, slot or entry).
   */
  static long stringBytes(String string) {
    return 56 + string.length();
  }

  private boolean take(long bytes) {
    while (true) {
      long now = reserved.get();
      if (now + bytes > maxBytes || now + bytes < 0) {
        return false;
      }
      if (reserved.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /**
   * One request's share of the budget: what it holds, taken from the budget in chunks and all given
   * back by {@link #close()}.
   */
  public final class Lease implements AutoCloseable {
    private final Lease sibling;
    private long held;
    // Read by a sibling's thread when it is refused.
    private volatile long granted;
    private boolean closed;

    private Lease(Lease sibling) {
      this.sibling = sibling;
    }

    private MemoryBudget budget() {
      return MemoryBudget.this;
    }

    /**
     * Counts {@code bytes} more held by the request.
     *
     * @throws ApiException 422 {@code execution} when the request would hold more than the whole
     *     budget, 503 {@code unavailable} when other requests hold what it needs
     */
    public void reserve(long bytes) {
      if (tryReserve(bytes)) {
        return;
      }
      long request = held + bytes + (sibling == null ? 0 : sibling.granted);
      if (request > maxBytes || request < 0) {
        throw new ApiException(
            new ApiError(
                422,
                "execution",
                "query processing would hold more memory than the router's budget of "
                    + maxBytes
                    + " bytes (limits.max_memory)"));
      }
      // Others hold the rest: wait a little for them to give some back. Requests that read at the
      // same pace hit the budget at the same moment; failing them all at once would leave the
      // budget empty and every one of them refused. Waiting, the first to run out of patience
      // gives back what it holds and the others finish.
      // When every request that holds part of the budget waits for more, none will give any back
      // (each holds what the others wait for): the one that completes that circle is refused at
      // once, and what it gives back lets the others go on.
      long deadline = System.nanoTime() + CONTENTION_WAIT_NANOS;
      boolean interrupted = false;
      boolean holder = granted > 0;
      synchronized (released) {
        if (holder) {
          waitingHolders++;
        }
        try {
          while (!tryReserve(bytes)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || interrupted || holder && waitingHolders >= holders.get()) {
              throw new ApiException(
                  new ApiError(
                      503,
                      "unavailable",
                      "the router's memory budget (limits.max_memory) is held by other queries; try again later"));
            }
            try {
              released.wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
              interrupted = true;
              Thread.currentThread().interrupt();
            }
          }
        } finally {
          if (holder) {
            waitingHolders--;
          }
        }
      }
    }

    /**
     * Counts {@code bytes} more held by the request if the budget has them.
     *
     * @return whether they are counted
     */
    public boolean tryReserve(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes must not be negative, got " + bytes);
      }
      if (closed) {
        throw new IllegalStateException("the lease is closed");
      }
      long needed = held + bytes - granted;
      if (needed > 0) {
        // A chunk when there is room for one, else just what is needed.
        long chunk = Math.max(needed, CHUNK_BYTES);
        if (!take(chunk)) {
          if (chunk == needed || !take(needed)) {
            return false;
          }
          chunk = needed;
        }
        if (granted == 0) {
          holders.incrementAndGet();
        }
        granted += chunk;
      }
      held += bytes;
      return true;
    }

    /** Counts {@code bytes} no longer held (kept for the request's next reservations). */
    public void release(long bytes) {
      held = Math.max(0, held - bytes);
    }

    /** The bytes the request holds now. */
    public long held() {
      return held;
    }

    /** Gives everything back to the budget; idempotent. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        reserved.addAndGet(-granted);
        if (granted > 0) {
          holders.decrementAndGet();
        }
        granted = 0;
        held = 0;
        synchronized (released) {
          released.notifyAll();
        }
      }
    }
  }
}
