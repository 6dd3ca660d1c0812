package org.tgcalls4j.internal.ice;

import java.util.Objects;

/**
 * One of our own ICE candidates and the port it sends through (RFC 8445 §5.1.1).
 *
 * <p>{@code portId} is an id the owner chooses for a socket or relay allocation; the agent passes it
 * back in {@link IceAgent.Output#sendDatagram} and expects it in {@link IceAgent#handleStun}. For host
 * and server-reflexive candidates it names the host socket (the candidate's base, RFC 8445 §5.1.1.1);
 * for relayed candidates (TURN, Telegram reflectors) it names the relay allocation, and the owner
 * wraps and unwraps what goes through it.
 *
 * @param portId the owner's id of the socket or relay the candidate sends through
 * @param candidate the candidate as it would be signalled: UDP, component 1
 */
public record LocalCandidate(int portId, IceCandidate candidate) {
  /**
   * @throws NullPointerException if candidate is null
   * @throws IllegalArgumentException if the candidate is not UDP or not component 1
   */
  public LocalCandidate {
    Objects.requireNonNull(candidate, "candidate");
    if (!candidate.protocol().equalsIgnoreCase("udp") || candidate.component() != 1) {
      throw new IllegalArgumentException("local candidates must be UDP component 1, got " + candidate);
    }
  }

  /** @return the candidate's transport address */
  public java.net.InetSocketAddress address() {
    return candidate.address();
  }

  /** @return the candidate type: "host", "srflx", "prflx" or "relay" */
  public String type() {
    return candidate.type();
  }
}
