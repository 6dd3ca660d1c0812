package org.tgcalls4j.internal.pacing;

/** A monotonic time source in nanoseconds, injectable so tests can drive time. */
@FunctionalInterface
public interface NanoClock {
  /** The real clock, {@link System#nanoTime()}. */
  NanoClock SYSTEM = System::nanoTime;

  /** @return the current time in nanoseconds from an arbitrary origin; only differences matter */
  long nanoTime();
}
