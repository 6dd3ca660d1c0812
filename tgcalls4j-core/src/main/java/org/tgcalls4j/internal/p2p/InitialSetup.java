package org.tgcalls4j.internal.p2p;

import java.util.List;
import java.util.Objects;

/**
 * The ICE credentials and DTLS fingerprints of one side (p2p-call.md §4.1; tgcalls
 * {@code v2/Signaling.cpp} InitialSetupMessage). The caller sends it at start, the callee when it
 * receives the caller's; a later one restarts ICE.
 *
 * @param ufrag the ICE username fragment (WebRTC: 4 characters)
 * @param pwd the ICE password (WebRTC: 24 characters); a secret, never logged
 * @param renomination whether the sender supports Google ICE renomination
 * @param fingerprints the DTLS certificate fingerprints, mandatory on the wire (may be empty)
 */
public record InitialSetup(String ufrag, String pwd, boolean renomination,
    List<DtlsFingerprint> fingerprints) implements SignalingMessage {
  /** @throws NullPointerException if a reference or a list element is null */
  public InitialSetup {
    Objects.requireNonNull(ufrag, "ufrag");
    Objects.requireNonNull(pwd, "pwd");
    fingerprints = List.copyOf(fingerprints);
  }

  @Override
  public String toString() {
    return "InitialSetup[ufrag=" + ufrag + ", pwd=<" + pwd.length() + " chars>, renomination="
        + renomination + ", fingerprints=" + fingerprints + "]";
  }
}
