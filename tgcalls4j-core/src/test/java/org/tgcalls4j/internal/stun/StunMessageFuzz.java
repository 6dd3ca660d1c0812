package org.tgcalls4j.internal.stun;

import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code stun}: the input is one datagram for {@link StunMessage#parse}, which declares
 * only {@link StunParseException} for malformed messages.
 */
public final class StunMessageFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) {
    try {
      StunMessage.parse(data, 0, data.length);
    } catch (StunParseException expected) {
      // declared for malformed input
    }
  }
}
