package org.tgcalls4j.internal.stun;

import org.tgcalls4j.internal.fuzz.FuzzTarget;
import org.tgcalls4j.internal.transport.SharedUdpPort;

/**
 * Fuzz target {@code stun}: the input is one datagram for {@link StunMessage#parse}, which declares
 * only {@link StunParseException} for malformed messages, and for the shared UDP port's router,
 * {@link SharedUdpPort#recipientUfrag}, which declares nothing and must agree with the parser on
 * every Binding request the parser accepts (the receiver's ufrag is USERNAME up to its colon).
 */
public final class StunMessageFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) {
    String routed = SharedUdpPort.recipientUfrag(data, data.length);
    StunMessage message;
    try {
      message = StunMessage.parse(data, 0, data.length);
    } catch (StunParseException expected) {
      return; // declared for malformed input
    }
    if (message.type() != StunMessage.BINDING_REQUEST) {
      return;
    }
    String username = message.username();
    int colon = username == null ? -1 : username.indexOf(':');
    String expected = colon < 0 ? null : username.substring(0, colon);
    if (expected == null ? routed != null : !expected.equals(routed)) {
      throw new IllegalStateException("the router reads ufrag " + routed + " where USERNAME is "
          + username);
    }
  }
}
