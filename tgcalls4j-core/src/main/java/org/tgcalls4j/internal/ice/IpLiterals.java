package org.tgcalls4j.internal.ice;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Checks that text is an IP address literal before {@link java.net.InetAddress#getByName} sees
 * it, so that signaled addresses are parsed and never looked up in DNS. Shared by the group-call
 * answer and private-call candidates.
 */
public final class IpLiterals {
  /** The longest IPv6 text form (eight groups with a dotted-quad tail). */
  public static final int MAX_IPV6_CHARS = 45;

  private IpLiterals() {}

  /**
   * @param s text from outside
   * @return whether it is an IPv4 or IPv6 literal ({@link #isIpv4} or {@link #isIpv6})
   */
  public static boolean isIp(String s) {
    return isIpv4(s) || isIpv6(s);
  }

  /**
   * Parses an IP literal without any DNS look-up; an IPv6 scope id is dropped.
   *
   * @param s text from outside
   * @return the address, or null if {@code s} is not an IPv4 or IPv6 literal
   */
  public static InetAddress parse(String s) {
    if (!isIp(s)) {
      return null;
    }
    try {
      InetAddress a = InetAddress.getByName(s); // a literal: parsed, not looked up
      return a instanceof Inet6Address v6 && v6.getScopeId() != 0
          ? InetAddress.getByAddress(v6.getAddress()) : a;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Four decimal numbers 0 to 255 of one to three digits, joined by dots (RFC 3986 §3.2.2). */
  public static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(ch -> ch >= '0' && ch <= '9')
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  /**
   * An IPv6 literal in RFC 4291 §2.2 text form (hex groups, one {@code ::}, optional dotted-quad
   * tail), no zone id.
   */
  public static boolean isIpv6(String s) {
    if (s.length() < 2 || s.length() > MAX_IPV6_CHARS || s.indexOf(':') < 0) {
      return false;
    }
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    String[] groups = s.split(":", -1);
    int words = 0;
    for (int i = 0; i < groups.length; i++) {
      String g = groups[i];
      if (g.isEmpty()) {
        continue; // part of the one "::" (or its leading/trailing colon), checked below
      }
      if (i == groups.length - 1 && g.indexOf('.') >= 0) {
        if (!isIpv4(g)) {
          return false;
        }
        words += 2;
      } else if (g.length() > 4 || !g.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 && ch < 0x80)) {
        return false;
      } else {
        words++;
      }
    }
    if (doubleColon < 0) {
      return words == 8 && !s.startsWith(":") && !s.endsWith(":");
    }
    // a single colon may not start or end the text: ":1::" and "::1:" are malformed
    if ((s.startsWith(":") && doubleColon != 0) || (s.endsWith(":") && doubleColon != s.length() - 2)) {
      return false;
    }
    return words <= 7;
  }
}
