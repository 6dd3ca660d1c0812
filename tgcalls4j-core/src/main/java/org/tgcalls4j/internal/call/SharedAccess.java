package org.tgcalls4j.internal.call;

import org.tgcalls4j.SharedSource;

/**
 * Lets the call pipeline reach the hub behind a {@link SharedSource}, which the public class keeps
 * private. The public class installs the accessor in its static initializer, so it is present
 * whenever an instance exists. Thread-safe.
 */
public final class SharedAccess {
  /** What the public class exposes to the implementation. */
  public interface Accessor {
    /** @return the hub behind {@code source} */
    SharedFrameHub hub(SharedSource source);
  }

  private static volatile Accessor accessor;

  private SharedAccess() {}

  /** Called once by {@link SharedSource}; later calls are ignored. */
  public static synchronized void install(Accessor a) {
    if (accessor == null) {
      accessor = a;
    }
  }

  /** @return the hub behind {@code source} */
  static SharedFrameHub hub(SharedSource source) {
    return accessor.hub(source);
  }
}
