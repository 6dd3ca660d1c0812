package org.tgcalls4j;

import java.util.Objects;

/**
 * One entry of a private call's {@code phoneCall.connections}: a STUN/TURN server
 * ({@code phoneConnectionWebrtc}) or one of Telegram's reflectors ({@code phoneConnection}),
 * p2p-call.md §2.2–§2.3. Immutable; the password is never shown by {@link #toString()}.
 *
 * <p>A private call uses the STUN servers for server-reflexive candidates (RFC 8445 §5.1.1.2), the
 * TURN servers (RFC 8656 over UDP) and the UDP reflectors (p2p-call.md §2.4) for relayed ones;
 * TCP reflectors are logged and skipped.
 *
 * @param id the connection's {@code id}
 * @param ipv4 its {@code ip}, an IPv4 literal, or empty
 * @param ipv6 its {@code ipv6}, an IPv6 literal, or empty
 * @param port its UDP port, 1..65535 (a reflector's 0 means 599, p2p-call.md §2.4)
 * @param kind what the server is
 * @param username TURN user name, empty otherwise
 * @param password TURN password, empty otherwise
 * @param peerTag a reflector's 16-byte {@code peer_tag}, empty otherwise; copied
 * @param tcp whether the entry is a TCP-only reflector
 */
public record RtcServer(long id, String ipv4, String ipv6, int port, Kind kind, String username,
    String password, byte[] peerTag, boolean tcp) {

  /** What a {@link RtcServer} is. */
  public enum Kind {
    /** {@code phoneConnectionWebrtc} with {@code stun}. */
    STUN,
    /** {@code phoneConnectionWebrtc} with {@code turn} and credentials. */
    TURN,
    /** {@code phoneConnection}: a Telegram reflector. */
    REFLECTOR
  }

  /**
   * @throws NullPointerException if a reference is null
   * @throws IllegalArgumentException if the port is out of range or both addresses are empty
   */
  public RtcServer {
    Objects.requireNonNull(ipv4, "ipv4");
    Objects.requireNonNull(ipv6, "ipv6");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    peerTag = Objects.requireNonNull(peerTag, "peerTag").clone();
    if (kind == Kind.REFLECTOR && port == 0) {
      port = 599;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    if (ipv4.isEmpty() && ipv6.isEmpty()) {
      throw new IllegalArgumentException("server " + id + " has neither an IPv4 nor an IPv6 address");
    }
  }

  /**
   * @param id the connection id
   * @param ipv4 IPv4 literal or empty
   * @param ipv6 IPv6 literal or empty
   * @param port UDP port
   * @return a STUN server entry
   */
  public static RtcServer stun(long id, String ipv4, String ipv6, int port) {
    return new RtcServer(id, ipv4, ipv6, port, Kind.STUN, "", "", new byte[0], false);
  }

  /**
   * @param id the connection id
   * @param ipv4 IPv4 literal or empty
   * @param ipv6 IPv6 literal or empty
   * @param port UDP port
   * @param username TURN user name
   * @param password TURN password
   * @return a TURN server entry
   */
  public static RtcServer turn(long id, String ipv4, String ipv6, int port, String username,
      String password) {
    return new RtcServer(id, ipv4, ipv6, port, Kind.TURN, username, password, new byte[0], false);
  }

  /**
   * @param id the connection id
   * @param ipv4 IPv4 literal or empty
   * @param ipv6 IPv6 literal or empty
   * @param port UDP port (0: 599)
   * @param peerTag the 16-byte {@code peer_tag}
   * @param tcp the {@code tcp} flag
   * @return a reflector entry
   */
  public static RtcServer reflector(long id, String ipv4, String ipv6, int port, byte[] peerTag,
      boolean tcp) {
    return new RtcServer(id, ipv4, ipv6, port, Kind.REFLECTOR, "", "", peerTag, tcp);
  }

  /** @return a copy of the reflector's peer tag (empty for STUN/TURN) */
  @Override
  public byte[] peerTag() {
    return peerTag.clone();
  }

  @Override
  public String toString() {
    return "RtcServer[id=" + id + ", " + kind + ", " + (ipv4.isEmpty() ? "" : ipv4)
        + (ipv6.isEmpty() ? "" : (ipv4.isEmpty() ? "" : "/") + ipv6) + ":" + port
        + (tcp ? ", tcp" : "") + "]";
  }
}
