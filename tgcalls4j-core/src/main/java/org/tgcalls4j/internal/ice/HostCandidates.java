package org.tgcalls4j.internal.ice;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Host candidate addresses of this machine and the candidate priority formula (RFC 8445 §5.1.1.1,
 * §5.1.2). Stateless; safe from any thread.
 */
public final class HostCandidates {
  /** RFC 8445 §5.1.2.2 recommended type preference of host candidates. */
  public static final int TYPE_PREFERENCE_HOST = 126;
  /** RFC 8445 §5.1.2.2 recommended type preference of peer-reflexive candidates. */
  public static final int TYPE_PREFERENCE_PRFLX = 110;
  /** RFC 8445 §5.1.2.2 recommended type preference of server-reflexive candidates. */
  public static final int TYPE_PREFERENCE_SRFLX = 100;
  /** RFC 8445 §5.1.2.2 recommended type preference of relayed candidates. */
  public static final int TYPE_PREFERENCE_RELAY = 0;
  /** The local preference of the most preferred address (RFC 8445 §5.1.2.1: 0..65535). */
  public static final int MAX_LOCAL_PREFERENCE = 65_535;

  private HostCandidates() {}

  /**
   * RFC 8445 §5.1.2.1: {@code priority = 2^24 * type preference + 2^8 * local preference + (256 -
   * component id)}.
   *
   * @param typePreference 0..126
   * @param localPreference 0..65535
   * @param componentId 1..256
   * @return the unsigned 32-bit priority
   * @throws IllegalArgumentException if an argument is out of range
   */
  public static long priority(int typePreference, int localPreference, int componentId) {
    if (typePreference < 0 || typePreference > 126) {
      throw new IllegalArgumentException("type preference must be 0..126, got " + typePreference);
    }
    if (localPreference < 0 || localPreference > MAX_LOCAL_PREFERENCE) {
      throw new IllegalArgumentException("local preference must be 0..65535, got " + localPreference);
    }
    if (componentId < 1 || componentId > 256) {
      throw new IllegalArgumentException("component must be 1..256, got " + componentId);
    }
    return ((long) typePreference << 24) | ((long) localPreference << 8) | (256 - componentId);
  }

  /**
   * @param type a candidate type: "host", "prflx", "srflx" or "relay"
   * @return its RFC 8445 §5.1.2.2 type preference: 126, 110, 100 or 0
   * @throws IllegalArgumentException for another type
   */
  public static int typePreference(String type) {
    return switch (type) {
      case "host" -> TYPE_PREFERENCE_HOST;
      case "prflx" -> TYPE_PREFERENCE_PRFLX;
      case "srflx" -> TYPE_PREFERENCE_SRFLX;
      case "relay" -> TYPE_PREFERENCE_RELAY;
      default -> throw new IllegalArgumentException("unknown candidate type " + type);
    };
  }

  /**
   * @param priority a candidate priority
   * @return the local preference in it (bits 8..23, RFC 8445 §5.1.2.1)
   */
  public static int localPreference(long priority) {
    return (int) ((priority >>> 8) & 0xFFFF);
  }

  /**
   * The priority of the peer-reflexive candidate a check from {@code local} could discover: the
   * PRIORITY attribute of that check (RFC 8445 §7.1.1). Keeps the local preference and component
   * of {@code local}, with type preference 110.
   *
   * @param local the priority of the local candidate the check is sent from
   * @return the unsigned 32-bit peer-reflexive priority
   */
  public static long peerReflexivePriority(long local) {
    return ((long) TYPE_PREFERENCE_PRFLX << 24) | (local & 0xFFFFFF);
  }

  /**
   * A foundation (RFC 8445 §5.1.1.3): equal for candidates of the same type, base IP address, STUN
   * or TURN server IP address and transport.
   *
   * @param type the candidate type
   * @param base the base IP address
   * @param server the STUN or TURN server address, or null for host and peer-reflexive candidates
   * @return 1..10 decimal digits (ice-chars)
   */
  public static String foundation(String type, InetAddress base, InetAddress server) {
    CRC32 crc = new CRC32();
    crc.update((type + "|udp|" + base.getHostAddress() + "|"
        + (server == null ? "" : server.getHostAddress())).getBytes(StandardCharsets.UTF_8));
    return Long.toString(crc.getValue());
  }

  /**
   * A host candidate for a socket's local address (RFC 8445 §5.1.1.1), component 1, UDP.
   *
   * @param address the socket's local address; a wildcard address is allowed for an owner that
   *     does not signal it (the agent then pairs it with remote candidates of both families)
   * @param localPreference 0..65535, unique per address on a multihomed host (RFC 8445 §5.1.2.1)
   * @return the candidate
   */
  public static IceCandidate host(InetSocketAddress address, int localPreference) {
    return new IceCandidate(foundation("host", address.getAddress(), null), 1, "udp",
        priority(TYPE_PREFERENCE_HOST, localPreference, 1), address, "host");
  }

  /**
   * Lists the IP addresses of this machine's up interfaces usable as host candidates (RFC 8445
   * §5.1.1.1): no wildcard, multicast or IPv6 link-local addresses (their scope id cannot be
   * signalled), IPv6 only if asked for, loopback only if asked for.
   *
   * @param includeIpv6 whether IPv6 addresses are listed (when the host has them)
   * @param includeLoopback whether loopback addresses are listed
   * @return the addresses in preference order: IPv6 before IPv4 (RFC 8421 §4), loopback last; empty
   *     if the interfaces cannot be read
   */
  public static List<InetAddress> addresses(boolean includeIpv6, boolean includeLoopback) {
    List<InetAddress> result = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || (nif.isLoopback() && !includeLoopback)) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (usable(a, includeIpv6, includeLoopback) && !result.contains(a)) {
            result.add(a);
          }
        }
      }
    } catch (SocketException e) {
      return List.of();
    }
    result.sort(Comparator.comparingInt(HostCandidates::rank)); // stable: keeps interface order
    return List.copyOf(result);
  }

  /**
   * Host candidates for a port on every address of {@link #addresses(boolean, boolean)}, with
   * local preferences 65535, 65534, ... in that order, so each address gets its own (RFC 8445
   * §5.1.2.1).
   *
   * @param port the UDP port of the socket(s) the owner binds per address, 0..65535
   * @param includeIpv6 whether IPv6 addresses are included
   * @param includeLoopback whether loopback addresses are included
   * @return the candidates, most preferred first
   */
  public static List<IceCandidate> gather(int port, boolean includeIpv6, boolean includeLoopback) {
    return forAddresses(addresses(includeIpv6, includeLoopback), port);
  }

  /**
   * Host candidates for the given addresses, local preference 65535 for the first and one less for
   * each next address.
   *
   * @param addresses the addresses, most preferred first; at most 65536
   * @param port the UDP port
   * @return the candidates
   */
  public static List<IceCandidate> forAddresses(List<InetAddress> addresses, int port) {
    List<IceCandidate> result = new ArrayList<>(addresses.size());
    for (int i = 0; i < addresses.size(); i++) {
      result.add(host(new InetSocketAddress(addresses.get(i), port), MAX_LOCAL_PREFERENCE - i));
    }
    return result;
  }

  private static boolean usable(InetAddress a, boolean includeIpv6, boolean includeLoopback) {
    if (a.isAnyLocalAddress() || a.isMulticastAddress() || (a.isLoopbackAddress() && !includeLoopback)) {
      return false;
    }
    if (a instanceof Inet6Address) {
      return includeIpv6 && !a.isLinkLocalAddress();
    }
    return a instanceof Inet4Address;
  }

  private static int rank(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return a instanceof Inet6Address ? 2 : 3;
    }
    return a instanceof Inet6Address ? 0 : 1;
  }
}
