package org.tgcalls4j.internal.p2p;

import java.util.List;

/**
 * ICE candidates as SDP attribute values without {@code a=} (p2p-call.md §4.3); tgcalls sends one
 * per message. See {@link CandidateSdp} for the grammar.
 *
 * @param sdpStrings the {@code candidates[].sdpString} values, in order
 */
public record Candidates(List<String> sdpStrings) implements SignalingMessage {
  /** @throws NullPointerException if the list or an element is null */
  public Candidates {
    sdpStrings = List.copyOf(sdpStrings);
  }
}
