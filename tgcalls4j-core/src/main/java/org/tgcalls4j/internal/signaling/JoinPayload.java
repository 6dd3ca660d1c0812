package org.tgcalls4j.internal.signaling;

import java.util.List;
import java.util.Objects;

/**
 * What the client tells the SFU when joining: its ICE credentials, DTLS certificate fingerprint
 * and SSRCs (group-call.md §2.1). No ICE candidates are ever sent.
 *
 * @param ufrag local ICE username fragment (RFC 8445 §5.3)
 * @param pwd local ICE password
 * @param fingerprintHash hash function of the fingerprint, {@code "sha-256"}
 * @param fingerprint certificate fingerprint, uppercase colon-separated hex (RFC 8122 §5)
 * @param setup our DTLS role (RFC 4145 §4): {@code "passive"} (we are DTLS server) or
 *     {@code "active"}
 * @param ssrc the audio SSRC as signed int32 (a uint32 SSRC cast to {@code int}); it becomes our
 *     participant {@code source}
 * @param ssrcGroups video source groups, SIM first then one FID per layer; empty for audio only;
 *     copied
 */
public record JoinPayload(
    String ufrag,
    String pwd,
    String fingerprintHash,
    String fingerprint,
    String setup,
    int ssrc,
    List<SsrcGroup> ssrcGroups) {
  /** @throws NullPointerException if an argument or a group is null */
  public JoinPayload {
    Objects.requireNonNull(ufrag, "ufrag");
    Objects.requireNonNull(pwd, "pwd");
    Objects.requireNonNull(fingerprintHash, "fingerprintHash");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(setup, "setup");
    ssrcGroups = List.copyOf(ssrcGroups);
  }
}
