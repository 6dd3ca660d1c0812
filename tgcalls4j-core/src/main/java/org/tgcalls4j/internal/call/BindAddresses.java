package org.tgcalls4j.internal.call;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import org.tgcalls4j.NetworkOptions;

/** Picks the address a call's socket binds to from {@link NetworkOptions}. */
public final class BindAddresses {
  private BindAddresses() {}

  /**
   * @param options the client's network options
   * @return the first usable address of the named interfaces, or {@code options.bindAddress()}
   *     when no interface is named or none of them has a usable address
   */
  public static InetAddress resolve(NetworkOptions options) {
    if (options.interfaceNames().isEmpty()) {
      return options.bindAddress();
    }
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || !options.interfaceNames().contains(nif.getName())) {
          continue;
        }
        if (nif.isLoopback() && !options.includeLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nif.getInetAddresses())) {
          if (address instanceof Inet6Address && !options.includeIpv6()) {
            continue;
          }
          return address;
        }
      }
    } catch (SocketException e) {
      // fall back to the configured bind address
    }
    return options.bindAddress();
  }
}
