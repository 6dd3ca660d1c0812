package org.tgcalls4j.internal.ice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The transport address of a Telegram reflector candidate, {@code reflector-<id>-<tag>.reflector}
 * with the reflector's port (p2p-call.md §2.4; tgcalls {@code v2/ReflectorPort.cpp}). Such a name
 * is never resolved: it stands for "peer {@code tag} behind reflector {@code id}", and only a relay
 * port on the reflector with that id (and port) can send to it.
 *
 * <p>Inside the library the name is carried as a synthetic IPv6 address so that an
 * {@link IceCandidate} keeps one address type: {@code 100:7266::<id>:<tag>}, in the discard-only
 * prefix {@code 100::/64} (RFC 6666), which no real candidate uses. {@link #isReflector} tells such
 * addresses apart; {@link #hostname} and {@link #parse} convert to and from the signalled name.
 * Stateless.
 */
public final class ReflectorAddress {
  /** The suffix of every reflector candidate name. */
  public static final String SUFFIX = ".reflector";
  private static final String PREFIX = "reflector-";
  /** Reflector ids are one byte in tgcalls ({@code uint8_t serverId}). */
  public static final int MAX_ID = 255;

  private ReflectorAddress() {}

  /**
   * @param reflectorId the reflector's id, 1..{@value #MAX_ID} (p2p-call.md §2.2)
   * @param tag the peer's random tag, an unsigned 32-bit value, not 0
   * @param port the reflector's UDP port
   * @return the synthetic address standing for {@code reflector-<id>-<tag>.reflector:port}
   * @throws IllegalArgumentException if a value is out of range
   */
  public static InetSocketAddress of(int reflectorId, long tag, int port) {
    if (reflectorId < 1 || reflectorId > MAX_ID) {
      throw new IllegalArgumentException("reflector id must be 1.." + MAX_ID + ", got " + reflectorId);
    }
    if (tag <= 0 || tag > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("reflector tag must be 1..2^32-1, got " + tag);
    }
    byte[] ip = new byte[16];
    ip[0] = 0x01;
    ip[2] = 0x72; // "rf"
    ip[3] = 0x66;
    ip[11] = (byte) reflectorId;
    ip[12] = (byte) (tag >>> 24);
    ip[13] = (byte) (tag >>> 16);
    ip[14] = (byte) (tag >>> 8);
    ip[15] = (byte) tag;
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException impossible) {
      throw new AssertionError(impossible); // 16 bytes are always a valid address
    }
  }

  /** @return whether {@code address} stands for a reflector candidate (see {@link #of}) */
  public static boolean isReflector(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      return false;
    }
    byte[] b = ip.getAddress();
    if (b.length != 16 || b[0] != 0x01 || b[1] != 0 || b[2] != 0x72 || b[3] != 0x66) {
      return false;
    }
    for (int i = 4; i < 11; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** @return the reflector id of a reflector address; undefined for others */
  public static int reflectorId(InetSocketAddress address) {
    return address.getAddress().getAddress()[11] & 0xFF;
  }

  /** @return the peer tag (unsigned 32-bit) of a reflector address; undefined for others */
  public static long tag(InetSocketAddress address) {
    byte[] b = address.getAddress().getAddress();
    return ((b[12] & 0xFFL) << 24) | ((b[13] & 0xFF) << 16) | ((b[14] & 0xFF) << 8) | (b[15] & 0xFF);
  }

  /** @return the signalled name of a reflector address, {@code reflector-<id>-<tag>.reflector} */
  public static String hostname(InetSocketAddress address) {
    return PREFIX + reflectorId(address) + "-" + tag(address) + SUFFIX;
  }

  /**
   * Reads a signalled reflector name.
   *
   * @param hostname the candidate's address field
   * @param port the candidate's port
   * @return the synthetic address, or null if {@code hostname} is not
   *     {@code reflector-<id>-<tag>.reflector} with an id of 1..{@value #MAX_ID} and a tag of
   *     1..2^32-1, both plain decimal
   */
  public static InetSocketAddress parse(String hostname, int port) {
    if (!hostname.startsWith(PREFIX) || !hostname.endsWith(SUFFIX)) {
      return null;
    }
    String middle = hostname.substring(PREFIX.length(), hostname.length() - SUFFIX.length());
    int dash = middle.indexOf('-');
    if (dash < 1 || dash > 3 || middle.length() - dash - 1 < 1 || middle.length() - dash - 1 > 10) {
      return null;
    }
    String idText = middle.substring(0, dash);
    String tagText = middle.substring(dash + 1);
    if (!digits(idText) || !digits(tagText)) {
      return null;
    }
    int id = Integer.parseInt(idText);
    long tag = Long.parseLong(tagText);
    if (id < 1 || id > MAX_ID || tag < 1 || tag > 0xFFFF_FFFFL) {
      return null;
    }
    return of(id, tag, port);
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
