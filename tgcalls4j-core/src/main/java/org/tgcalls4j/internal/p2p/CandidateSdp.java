package org.tgcalls4j.internal.p2p;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.IpLiterals;
import org.tgcalls4j.internal.ice.ReflectorAddress;
import org.tgcalls4j.internal.json.JsonCodec;

/**
 * The {@code sdpString} of a {@link Candidates} message: an SDP candidate attribute value without
 * {@code a=} (RFC 8839 §5.1) as WebRTC writes it, e.g.
 * {@code candidate:2999745851 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 ufrag Ab3d network-id 1}
 * (p2p-call.md §4.3; tgcalls {@code InstanceV2Impl} sendCandidate forces component 1). Addresses
 * are IP literals or Telegram reflector names such as {@code reflector-2-3735928559.reflector}
 * (p2p-call.md §2.4), carried as a {@link ReflectorAddress}; other host names (mDNS {@code .local}
 * names) are refused, never resolved. Stateless and thread-safe.
 */
public final class CandidateSdp {
  /** The field named in parse errors. */
  public static final String FIELD = "sdpString";
  /** Longest candidate string accepted, in characters. */
  public static final int MAX_CHARS = 1024;
  private static final Set<String> TYPES = Set.of("host", "srflx", "prflx", "relay");

  private CandidateSdp() {}

  /**
   * Writes a candidate as WebRTC does, with component 1, {@code generation 0}, our ufrag and
   * {@code network-id 1}; no related address.
   *
   * @param c the candidate
   * @param ufrag our ICE username fragment
   * @return the attribute value, starting with {@code candidate:}
   * @throws NullPointerException if an argument is null
   */
  public static String format(IceCandidate c, String ufrag) {
    return format(c, null, ufrag);
  }

  /**
   * Like {@link #format(IceCandidate, String)} with {@code raddr}/{@code rport} (the related
   * address of a server-reflexive or relayed candidate, RFC 8839 §5.1).
   *
   * @param c the candidate
   * @param related the related address, or null for none
   * @param ufrag our ICE username fragment
   * @return the attribute value, starting with {@code candidate:}
   * @throws NullPointerException if c or ufrag is null
   * @throws IllegalArgumentException if related is unresolved
   */
  public static String format(IceCandidate c, InetSocketAddress related, String ufrag) {
    Objects.requireNonNull(ufrag, "ufrag");
    StringBuilder b = new StringBuilder(128);
    b.append("candidate:").append(c.foundation()).append(" 1 ")
        .append(c.protocol().toLowerCase(Locale.ROOT)).append(' ').append(c.priority()).append(' ')
        .append(ReflectorAddress.isReflector(c.address()) ? ReflectorAddress.hostname(c.address())
            : ip(c.address().getAddress()))
        .append(' ').append(c.address().getPort())
        .append(" typ ").append(c.type());
    if (related != null) {
      if (related.isUnresolved()) {
        throw new IllegalArgumentException("related address is unresolved: " + related);
      }
      b.append(" raddr ").append(ip(related.getAddress())).append(" rport ").append(related.getPort());
    }
    b.append(" generation 0 ufrag ").append(ufrag).append(" network-id 1");
    return b.toString();
  }

  private static String ip(InetAddress a) {
    String s = a.getHostAddress();
    int zone = s.indexOf('%');
    return zone >= 0 ? s.substring(0, zone) : s;
  }

  /**
   * Parses a candidate attribute value ({@code candidate:} or {@code a=candidate:} prefix
   * optional): foundation, component, transport, priority, address, port, {@code typ} and type,
   * then name/value pairs of which {@code raddr}, {@code rport}, {@code tcptype},
   * {@code generation}, {@code ufrag}, {@code network-id}, {@code network-cost} and unknown ones are
   * skipped (RFC 8839 §5.1 extension attributes). The related address is checked but not kept.
   *
   * @param sdpString the text
   * @return the candidate, with the component as given
   * @throws InvalidParamsException with field {@value #FIELD} naming what was wrong: too few
   *     fields, a number out of range, an unknown type, or an address that is neither an IPv4 or
   *     IPv6 literal nor a reflector name (an mDNS host name, say: never resolved here)
   */
  public static IceCandidate parse(String sdpString) throws InvalidParamsException {
    if (sdpString == null) {
      throw new InvalidParamsException(FIELD, "missing");
    }
    if (sdpString.length() > MAX_CHARS) {
      throw new InvalidParamsException(FIELD, "longer than " + MAX_CHARS + " characters: "
          + sdpString.length());
    }
    String s = sdpString.strip();
    if (s.startsWith("a=")) {
      s = s.substring(2);
    }
    if (!s.regionMatches(true, 0, "candidate:", 0, 10)) {
      throw new InvalidParamsException(FIELD, "does not start with \"candidate:\"");
    }
    String[] f = s.substring(10).split(" +");
    if (f.length < 8) {
      throw new InvalidParamsException(FIELD, "fewer than 8 fields: " + f.length);
    }
    String foundation = f[0];
    if (foundation.isEmpty() || foundation.length() > 32) {
      throw new InvalidParamsException(FIELD, "foundation empty or longer than 32 characters");
    }
    int component = (int) number("component", f[1], 1, 256);
    String protocol = f[2].toLowerCase(Locale.ROOT);
    if (!protocol.equals("udp") && !protocol.equals("tcp") && !protocol.equals("ssltcp")) {
      throw new InvalidParamsException(FIELD, "transport not udp, tcp or ssltcp: " + JsonCodec.shortQuote(f[2]));
    }
    long priority = number("priority", f[3], 0, 0xFFFF_FFFFL);
    int port = (int) number("port", f[5], 0, 65535);
    InetSocketAddress address = f[4].endsWith(ReflectorAddress.SUFFIX)
        ? reflector(f[4], port) : new InetSocketAddress(ipLiteral("address", f[4]), port);
    if (!f[6].equals("typ")) {
      throw new InvalidParamsException(FIELD, "7th field is not \"typ\": " + JsonCodec.shortQuote(f[6]));
    }
    String type = f[7].toLowerCase(Locale.ROOT);
    if (!TYPES.contains(type)) {
      throw new InvalidParamsException(FIELD, "type not host, srflx, prflx or relay: " + JsonCodec.shortQuote(f[7]));
    }
    for (int i = 8; i + 1 < f.length; i += 2) {
      if (f[i].equals("raddr")) {
        ipLiteral("raddr", f[i + 1]);
      } else if (f[i].equals("rport")) {
        number("rport", f[i + 1], 0, 65535);
      }
    }
    return new IceCandidate(foundation, component, protocol, priority, address, type);
  }

  private static InetSocketAddress reflector(String name, int port) throws InvalidParamsException {
    InetSocketAddress address = ReflectorAddress.parse(name, port);
    if (address == null) {
      throw new InvalidParamsException(FIELD, "address is not reflector-<id 1..255>-<tag 1..2^32-1>"
          + ReflectorAddress.SUFFIX + ": " + JsonCodec.shortQuote(name));
    }
    return address;
  }

  private static long number(String what, String text, long min, long max)
      throws InvalidParamsException {
    if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      throw new InvalidParamsException(FIELD, what + " is not a decimal number: " + JsonCodec.shortQuote(text));
    }
    long v = Long.parseLong(text);
    if (v < min || v > max) {
      throw new InvalidParamsException(FIELD, what + " out of range [" + min + ", " + max + "]: " + v);
    }
    return v;
  }

  /** An IPv4 dotted quad or an RFC 4291 §2.2 IPv6 literal; never a DNS look-up. */
  private static InetAddress ipLiteral(String what, String text) throws InvalidParamsException {
    InetAddress address = IpLiterals.parse(text);
    if (address == null) {
      String why = text.endsWith(".local") ? " (an mDNS host name)" : "";
      throw new InvalidParamsException(FIELD, what + " is not an IP address literal" + why + ": "
          + JsonCodec.shortQuote(text));
    }
    return address;
  }
}
