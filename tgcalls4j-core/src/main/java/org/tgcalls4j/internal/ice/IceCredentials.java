package org.tgcalls4j.internal.ice;

import java.util.random.RandomGenerator;

/**
 * An ICE username fragment and password (RFC 8445 §5.3, syntax RFC 8839 §5.4: ufrag 4..256 and pwd
 * 22..256 ice-chars).
 *
 * @param ufrag the username fragment
 * @param pwd the password; its UTF-8 bytes key MESSAGE-INTEGRITY
 */
public record IceCredentials(String ufrag, String pwd) {
  private static final String ICE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  /** @throws IllegalArgumentException if a length or character is outside RFC 8839 §5.4 */
  public IceCredentials {
    requireIceChars(ufrag, 4, "ufrag");
    requireIceChars(pwd, 22, "pwd");
  }

  /**
   * Generates fresh credentials: a 4-char ufrag and a 24-char pwd (144 random bits; RFC 8445 §5.3
   * asks for at least 24 bits and 128 bits).
   *
   * @param rnd the random source; should be a {@link java.security.SecureRandom} outside tests
   * @return new credentials
   */
  public static IceCredentials generate(RandomGenerator rnd) {
    return new IceCredentials(randomIceChars(rnd, 4), randomIceChars(rnd, 24));
  }

  private static String randomIceChars(RandomGenerator rnd, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append(ICE_CHARS.charAt(rnd.nextInt(ICE_CHARS.length())));
    }
    return s.toString();
  }

  private static void requireIceChars(String value, int minLength, String name) {
    if (value == null || value.length() < minLength || value.length() > 256) {
      throw new IllegalArgumentException(name + " must be " + minLength + "..256 ice-chars, got "
          + (value == null ? "null" : value.length() + " chars"));
    }
    for (int i = 0; i < value.length(); i++) {
      if (ICE_CHARS.indexOf(value.charAt(i)) < 0) {
        throw new IllegalArgumentException(name + " contains non ice-char '" + value.charAt(i) + "'");
      }
    }
  }

  @Override
  public String toString() {
    return "IceCredentials[ufrag=" + ufrag + ", pwd=<hidden>]";
  }
}
