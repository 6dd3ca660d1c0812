package org.tgcalls4j;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where a call's UDP socket binds and which local addresses become ICE host candidates.
 *
 * @param bindAddress the address the call's single UDP socket binds to; the wildcard address
 *     ({@code 0.0.0.0}) by default; {@code 127.0.0.1} confines a call to loopback
 * @param interfaceNames if non-empty, only addresses of these network interfaces are gathered
 * @param includeLoopback whether loopback addresses are gathered as host candidates
 * @param includeIpv6 whether IPv6 addresses are gathered
 */
public record NetworkOptions(InetAddress bindAddress, Set<String> interfaceNames,
    boolean includeLoopback, boolean includeIpv6) {

  /**
   * @param bindAddress see the record description
   * @param interfaceNames see the record description; copied
   * @param includeLoopback see the record description
   * @param includeIpv6 see the record description
   * @throws NullPointerException if bindAddress or interfaceNames is null
   */
  public NetworkOptions {
    Objects.requireNonNull(bindAddress, "bindAddress");
    interfaceNames = Set.copyOf(interfaceNames);
  }

  /** @return the defaults: bind to the IPv4 wildcard, all interfaces, no loopback, IPv4 only */
  public static NetworkOptions defaults() {
    return new NetworkOptions(any(), Set.of(), false, false);
  }

  /** @return options that bind and gather on {@code 127.0.0.1} only (tests, the demo) */
  public static NetworkOptions loopbackOnly() {
    return new NetworkOptions(InetAddress.getLoopbackAddress(), Set.of(), true, false);
  }

  private static InetAddress any() {
    try {
      return InetAddress.getByAddress(new byte[4]);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * @param names network interface names such as {@code eth0}; the socket binds to the first
   *     usable address among them
   * @return a copy gathering only on the named interfaces
   */
  public NetworkOptions withInterfaces(List<String> names) {
    return new NetworkOptions(bindAddress, Set.copyOf(names), includeLoopback, includeIpv6);
  }
}
