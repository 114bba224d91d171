package io.promroute.internal;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a recursive tree walk (parse, route, plan, evaluate) so that no input ends in a {@link
 * StackOverflowError}. The work runs on the caller's thread; only if it overflows that thread's
 * stack (a servlet container's thread has 1 MiB or less, and a cold JVM's interpreted frames are
 * several times larger than compiled ones) is it run again, from the start, on a thread with a
 * large stack. The work must therefore be free of side effects until it returns. What overflows
 * even that stack ends in the caller's own error.
 *
 * <p>Prometheus does not need this: Go stacks grow to 1 GiB. The large stack is only reserved
 * address space; the memory used is what the walk touches. At most {@link #MAX_DEEP_THREADS} such
 * threads run at once, so a flood of hostile queries cannot commit unbounded stack memory.
 */
public final class DeepStack {

  /** The stack size of the thread that reruns work that overflowed its caller's stack. */
  public static final long DEEP_STACK_BYTES = 1L << 30;

  /** How many deep reruns may run at once; others wait for one to finish. */
  static final int MAX_DEEP_THREADS = 2;

  private static final Semaphore DEEP_THREADS = new Semaphore(MAX_DEEP_THREADS);
  private static final long WAIT_SECONDS = 30;

  private DeepStack() {}

  /** The thread that reruns work with a large stack: work that overflows it is not rerun again. */
  private static final class DeepThread extends Thread {
    private final Supplier<?> work;
    private Object result;
    private Throwable failure;

    DeepThread(Supplier<?> work) {
      super(null, null, "promroute-deep-stack", DEEP_STACK_BYTES);
      this.work = work;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        result = work.get();
      } catch (Throwable t) {
        failure = t;
      }
    }
  }

  /**
   * Returns {@code work.get()}, rerun on a large stack if it overflows the caller's.
   *
   * @param work a computation without side effects (it may run twice)
   * @param overflow the exception to throw when even the large stack overflows, or when the deep
   *     threads stay busy for 30 seconds
   * @return what the work returned
   */
  @SuppressWarnings("unchecked")
  public static <T> T call(Supplier<T> work, Supplier<? extends RuntimeException> overflow) {
    try {
      return work.get();
    } catch (StackOverflowError e) {
      if (Thread.currentThread() instanceof DeepThread) {
        throw e; // the outermost call on this thread turns it into the caller's error
      }
    }
    boolean interrupted = false;
    try {
      if (!DEEP_THREADS.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw overflow.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw overflow.get();
    }
    DeepThread thread = new DeepThread(work);
    try {
      thread.start();
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          // The work cannot be abandoned halfway (it holds the permit); it is bounded by the
          // input, so wait for it and keep the interrupt for the caller.
          interrupted = true;
        }
      }
    } finally {
      DEEP_THREADS.release();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    Throwable failure = thread.failure;
    if (failure instanceof StackOverflowError) {
      throw overflow.get();
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
    return (T) thread.result;
  }
}
