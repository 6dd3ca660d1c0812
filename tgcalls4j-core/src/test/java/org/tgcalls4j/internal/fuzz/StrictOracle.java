package org.tgcalls4j.internal.fuzz;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * The oracles of a real fuzzing run, on top of the target's own (only the declared exceptions): an
 * input may take at most {@link #MAX_TIME} and allocate at most {@code 64 × its length + 1 MiB} (or
 * the target's own {@link FuzzTarget#allocationLimitBytes}) on the calling thread (measured with {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()}).
 * An input that breaks a limit is run twice more (class loading and the JIT cost once) and is a
 * finding, thrown as a {@link StrictOracleViolation}, only if it breaks one again. Not
 * thread-safe.
 */
public final class StrictOracle {
  /** Longest time one input may take. */
  public static final Duration MAX_TIME = Duration.ofSeconds(1);

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final FuzzTarget target;

  /** @param target the target to watch */
  public StrictOracle(FuzzTarget target) {
    this.target = target;
    if (!THREADS.isThreadAllocatedMemorySupported()) {
      throw new IllegalStateException("this JVM does not measure per-thread allocation");
    }
    THREADS.setThreadAllocatedMemoryEnabled(true);
  }

  /** @return the most bytes an input of {@code length} bytes may allocate */
  public static long allocationLimit(int length) {
    return 64L * length + (1 << 20);
  }

  /**
   * Runs the target on {@code data} and checks time and allocation.
   *
   * @throws StrictOracleViolation when the input was too slow or allocated too much
   * @throws Exception whatever the target lets escape
   */
  public void fuzz(byte[] data) throws Exception {
    if (!withinLimits(data)) {
      // Class loading, JIT and the first run of a code path allocate and take time once: an input
      // is a finding only if it breaks a limit again.
      withinLimits(data);
      String violation = lastViolation;
      if (!withinLimits(data)) {
        throw new StrictOracleViolation(violation + "; again: " + lastViolation);
      }
    }
  }

  private String lastViolation;

  private boolean withinLimits(byte[] data) throws Exception {
    long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    target.fuzz(data);
    long nanos = System.nanoTime() - start;
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
    long limit = target.allocationLimitBytes(data.length);
    if (allocated > limit) {
      lastViolation = "input of " + data.length + " bytes allocated " + allocated + " bytes, limit "
          + limit;
      return false;
    }
    if (nanos > MAX_TIME.toNanos()) {
      lastViolation = "input of " + data.length + " bytes took " + nanos / 1_000_000 + " ms, limit "
          + MAX_TIME.toMillis() + " ms";
      return false;
    }
    return true;
  }

  /** An input broke the time or allocation limit. */
  public static final class StrictOracleViolation extends AssertionError {
    private static final long serialVersionUID = 1L;

    StrictOracleViolation(String message) {
      super(message);
    }
  }
}
