package org.tgcalls4j.internal.audio;

import org.tgcalls4j.PcmPushSource;

/**
 * Lets the call read a {@link PcmPushSource}'s queue, which the public class keeps private. The
 * public class installs the accessor in its static initializer, so it is present whenever an
 * instance exists. Thread-safe.
 */
public final class PcmAccess {
  /** What the public class exposes to the implementation. */
  public interface Accessor {
    /** @return the source's queue */
    PcmQueue queue(PcmPushSource source);

    /** @return true for {@code WhenEmpty.SILENCE}, false for {@code WhenEmpty.NOTHING} */
    boolean silenceWhenEmpty(PcmPushSource source);
  }

  private static volatile Accessor accessor;

  private PcmAccess() {}

  /** Called once by {@link PcmPushSource}; later calls are ignored. */
  public static synchronized void install(Accessor a) {
    if (accessor == null) {
      accessor = a;
    }
  }

  /** @return the queue behind {@code source} */
  public static PcmQueue queue(PcmPushSource source) {
    return accessor.queue(source);
  }

  /** @return whether {@code source} sends encoded silence while its queue is empty */
  public static boolean silenceWhenEmpty(PcmPushSource source) {
    return accessor.silenceWhenEmpty(source);
  }
}
