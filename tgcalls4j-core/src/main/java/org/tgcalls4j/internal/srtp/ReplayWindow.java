package org.tgcalls4j.internal.srtp;

/**
 * Sliding replay window over packet indexes of one SSRC: the highest index seen and a bitmap of the
 * {@value #SIZE} indexes at and below it (RFC 3711 §3.3.2). Not thread-safe.
 */
final class ReplayWindow {
  /** Window size in packets. */
  static final int SIZE = 64;

  private long highestIndex;
  private long receivedBits;

  /** @param firstIndex the index of the first authenticated packet, counted as received */
  ReplayWindow(long firstIndex) {
    highestIndex = firstIndex;
    receivedBits = 1;
  }

  /** @return the highest index marked received */
  long highestIndex() {
    return highestIndex;
  }

  /** @return true if {@code index} was already received or lies below the window */
  boolean isReplay(long index) {
    if (index > highestIndex) {
      return false;
    }
    long age = highestIndex - index;
    return age >= SIZE || ((receivedBits >>> age) & 1) != 0;
  }

  /** Marks {@code index} received; call only after the packet authenticated. */
  void markReceived(long index) {
    if (index > highestIndex) {
      long shift = index - highestIndex;
      receivedBits = shift >= SIZE ? 0 : receivedBits << shift;
      receivedBits |= 1;
      highestIndex = index;
    } else if (highestIndex - index < SIZE) {
      receivedBits |= 1L << (highestIndex - index);
    }
  }
}
