package org.tgcalls4j.internal.signaling;

import java.util.List;
import java.util.Objects;

/**
 * The SFU's ICE and DTLS parameters from the answer (group-call.md §3.2).
 *
 * @param ufrag the SFU's ICE username fragment
 * @param pwd the SFU's ICE password
 * @param fingerprints at least one; clients verify against the first; copied
 * @param candidates the SFU's candidates in answer order, possibly empty; copied
 * @param rtcpMux the {@code rtcp-mux} flag, false when absent
 */
public record Transport(
    String ufrag,
    String pwd,
    List<Fingerprint> fingerprints,
    List<AnswerCandidate> candidates,
    boolean rtcpMux) {
  /** @throws NullPointerException if an argument or element is null */
  public Transport {
    Objects.requireNonNull(ufrag, "ufrag");
    Objects.requireNonNull(pwd, "pwd");
    fingerprints = List.copyOf(fingerprints);
    candidates = List.copyOf(candidates);
  }
}
