package io.promroute.router;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stops an executor's threads and waits a little for them to end: a servlet container checks for
 * threads an application left behind as soon as its filters are destroyed (Tomcat warns of a memory
 * leak), and a thread told to stop on a busy machine may not have ended yet.
 */
final class ThreadStop {

  /** How long a stop waits for the threads to end. */
  private static final long WAIT_SECONDS = 2;

  private ThreadStop() {}

  static void stop(ExecutorService executor) {
    executor.shutdownNow();
    try {
      executor.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
