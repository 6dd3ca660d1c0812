package org.tgcalls4j.internal.ice;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * An ICE candidate as signalled (RFC 8839 §5.1 candidate-attribute fields): the peer's, or one of
 * ours inside a {@link LocalCandidate}. Immutable.
 *
 * @param foundation the foundation string
 * @param component the component id, 1..256 (1 = RTP; rtcp-mux means only 1 is used)
 * @param protocol the transport, e.g. "udp" (case-insensitive)
 * @param priority the candidate priority, unsigned 32-bit (RFC 8445 §5.1.2)
 * @param address the resolved transport address
 * @param type the candidate type, e.g. "host", "srflx", "prflx", "relay"
 */
public record IceCandidate(String foundation, int component, String protocol, long priority,
    InetSocketAddress address, String type) {
  /**
   * @throws NullPointerException if a reference is null
   * @throws IllegalArgumentException if the component or priority is out of range, or the address is unresolved
   */
  public IceCandidate {
    Objects.requireNonNull(foundation, "foundation");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(type, "type");
    if (component < 1 || component > 256) {
      throw new IllegalArgumentException("component must be 1..256, got " + component);
    }
    if (priority < 0 || priority > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("priority must be unsigned 32-bit, got " + priority);
    }
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("candidate address is unresolved: " + address);
    }
  }
}
