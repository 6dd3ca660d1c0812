package org.tgcalls4j.internal.pc;

import java.util.List;
import java.util.Objects;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.IceCredentials;

/**
 * What the peer signaled about its transport.
 *
 * @param credentials the peer's ICE ufrag and pwd
 * @param candidates the peer's candidates known now (more may be trickled with
 *     {@link PeerTransport#addRemoteCandidate}); copied
 * @param fingerprintHash hash function of the peer's certificate fingerprint (RFC 8122 §5), for
 *     example {@code sha-256}
 * @param fingerprint the peer's certificate fingerprint, hex bytes joined by colons
 */
public record RemoteDescription(IceCredentials credentials, List<IceCandidate> candidates,
    String fingerprintHash, String fingerprint) {
  /** @throws NullPointerException if a reference is null */
  public RemoteDescription {
    Objects.requireNonNull(credentials, "credentials");
    candidates = List.copyOf(candidates);
    Objects.requireNonNull(fingerprintHash, "fingerprintHash");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }
}
