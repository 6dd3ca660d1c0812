package org.tgcalls4j.internal.pc;

import io.netty.channel.IoEventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.dtls.DtlsRole;
import org.tgcalls4j.internal.ice.IceConfig;
import org.tgcalls4j.internal.ice.IceCredentials;
import org.tgcalls4j.internal.ice.IceRole;
import org.tgcalls4j.internal.transport.SharedUdpPort;

/**
 * How one {@link PeerTransport} connects.
 *
 * @param iceRole our ICE role (RFC 8445 §6.1.1); group calls are controlled (group-call.md §4.1)
 * @param dtlsRole our DTLS role (RFC 5763 §5: from the setup attribute)
 * @param localCredentials our ICE ufrag and pwd, as signaled
 * @param certificate our DTLS certificate, whose fingerprint was signaled; shared by every call of
 *     a client
 * @param bindAddress where the UDP socket binds (port chosen by the system)
 * @param ice ICE timing and address-family settings; its connect timeout bounds ICE
 * @param connectTimeoutMillis budget of the whole connect (ICE + DTLS), ms
 * @param tieBreaker our ICE tie-breaker (RFC 8445 §16.1), random per transport
 * @param loop the client's event loop the transport's socket, timers and received media run on
 * @param control runs DTLS handshakes and the transport's lifecycle callbacks; shared by the
 *     client's calls
 * @param name used in thread names and messages (for example {@code "chat 42"})
 * @param peerName how error messages call the peer (for example {@code "the SFU"})
 * @param logContext SLF4J MDC entries set on every thread while it works for this transport
 * @param gatherHostCandidates whether to signal host candidates: one per interface address when
 *     the socket is bound to the wildcard address, else the bound address; group calls signal none
 * @param includeLoopbackCandidates whether host candidates include loopback addresses
 * @param stunServers STUN servers to learn server-reflexive candidates from (RFC 8445 §5.1.1.2);
 *     copied
 * @param relayServers TURN servers (RFC 8656) and Telegram reflectors (p2p-call.md §2.4) to get
 *     relayed candidates from, one relay port each; copied
 * @param relayOnly whether only relayed candidates are used and signaled (no host candidate, no
 *     STUN): a private call whose {@code p2p_allowed} is false (p2p-call.md §2.3)
 * @param sharedPort the client's single UDP port to lease instead of binding a socket, or null;
 *     a transport whose peer addresses another lease holds binds its own socket
 */
public record TransportSettings(IceRole iceRole, DtlsRole dtlsRole, IceCredentials localCredentials,
    DtlsCertificate certificate, InetAddress bindAddress, IceConfig ice, long connectTimeoutMillis,
    long tieBreaker, IoEventLoop loop, Executor control, String name, String peerName,
    Map<String, String> logContext, boolean gatherHostCandidates,
    boolean includeLoopbackCandidates, List<InetSocketAddress> stunServers,
    List<RelayServer> relayServers, boolean relayOnly, SharedUdpPort sharedPort) {
  /** @throws NullPointerException if a reference but {@code sharedPort} is null */
  public TransportSettings {
    Objects.requireNonNull(iceRole, "iceRole");
    Objects.requireNonNull(dtlsRole, "dtlsRole");
    Objects.requireNonNull(localCredentials, "localCredentials");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(ice, "ice");
    Objects.requireNonNull(loop, "loop");
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(peerName, "peerName");
    logContext = Map.copyOf(logContext);
    stunServers = List.copyOf(stunServers);
    relayServers = List.copyOf(relayServers);
    if (relayOnly && relayServers.isEmpty()) {
      throw new IllegalArgumentException("a relay-only transport needs a relay server");
    }
  }

  /** Settings without relays; see the record description for the parameters. */
  public TransportSettings(IceRole iceRole, DtlsRole dtlsRole, IceCredentials localCredentials,
      DtlsCertificate certificate, InetAddress bindAddress, IceConfig ice, long connectTimeoutMillis,
      long tieBreaker, IoEventLoop loop, Executor control, String name, String peerName,
      Map<String, String> logContext, boolean gatherHostCandidates,
      boolean includeLoopbackCandidates, List<InetSocketAddress> stunServers) {
    this(iceRole, dtlsRole, localCredentials, certificate, bindAddress, ice, connectTimeoutMillis,
        tieBreaker, loop, control, name, peerName, logContext, gatherHostCandidates,
        includeLoopbackCandidates, stunServers, List.of(), false, null);
  }
}
