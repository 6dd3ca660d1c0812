package org.tgcalls4j.internal.p2p;

import java.util.List;

/**
 * An offer or an answer (p2p-call.md §4.2; tgcalls {@code v2/Signaling.cpp} NegotiateChannelsMessage,
 * {@code v2/ContentNegotiation.cpp}): an offer lists the sender's outgoing contents under a fresh
 * random exchange id; the answer repeats that id and lists the accepted contents only.
 *
 * @param exchangeId the exchange id, unsigned 32-bit
 * @param contents the media contents
 */
public record NegotiateChannels(long exchangeId, List<MediaContent> contents) implements SignalingMessage {
  /**
   * @throws IllegalArgumentException if exchangeId is not unsigned 32-bit
   * @throws NullPointerException if the list or an element is null
   */
  public NegotiateChannels {
    if (exchangeId < 0 || exchangeId > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("exchangeId must be unsigned 32-bit: " + exchangeId);
    }
    contents = List.copyOf(contents);
  }
}
