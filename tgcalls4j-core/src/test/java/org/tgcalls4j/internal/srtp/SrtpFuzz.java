package org.tgcalls4j.internal.srtp;

import java.util.Arrays;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code srtp}: the first input byte picks the {@link SrtpProfile} (modulo the number of
 * profiles), the rest is one packet. With a fixed master key and salt, fresh contexts per input:
 *
 * <ul>
 *   <li>{@link SrtpContext#unprotectRtp} and {@link SrtpContext#unprotectRtcp} of the packet as
 *       received; both declare no exception for a range inside the buffer and report bad packets
 *       as a status;
 *   <li>the roundtrip: {@link SrtpContext#protectRtp} of the packet (which declares
 *       {@link IllegalArgumentException} for a packet that is not RTP) must unprotect to the same
 *       bytes, and the protected packet with one bit flipped (the bit chosen from the input) must
 *       not unprotect as {@link SrtpStatus#OK}; the same for {@link SrtpContext#protectRtcp}.
 * </ul>
 */
public final class SrtpFuzz implements FuzzTarget {
  private static final SrtpProfile[] PROFILES = SrtpProfile.values();

  @Override
  public void fuzz(byte[] data) {
    if (data.length == 0) {
      return;
    }
    SrtpProfile profile = PROFILES[(data[0] & 0xFF) % PROFILES.length];
    byte[] packet = Arrays.copyOfRange(data, 1, data.length);
    context(profile).unprotectRtp(packet, 0, packet.length);
    context(profile).unprotectRtcp(packet, 0, packet.length);

    int hash = Arrays.hashCode(data);
    byte[] srtp;
    try {
      srtp = context(profile).protectRtp(packet, 0, packet.length);
    } catch (IllegalArgumentException notRtp) {
      srtp = null;
    }
    if (srtp != null) {
      checkRoundtrip("SRTP", packet, context(profile).unprotectRtp(srtp, 0, srtp.length));
      flipBit(srtp, hash);
      checkRejected("SRTP", context(profile).unprotectRtp(srtp, 0, srtp.length));
    }
    byte[] srtcp;
    try {
      srtcp = context(profile).protectRtcp(packet, 0, packet.length);
    } catch (IllegalArgumentException notRtcp) {
      srtcp = null;
    }
    if (srtcp != null) {
      checkRoundtrip("SRTCP", packet, context(profile).unprotectRtcp(srtcp, 0, srtcp.length));
      flipBit(srtcp, hash);
      checkRejected("SRTCP", context(profile).unprotectRtcp(srtcp, 0, srtcp.length));
    }
  }

  private static SrtpContext context(SrtpProfile profile) {
    byte[] key = new byte[profile.keyLengthBytes()];
    byte[] salt = new byte[profile.saltLengthBytes()];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (0x2B + 7 * i);
    }
    for (int i = 0; i < salt.length; i++) {
      salt[i] = (byte) (0xF0 - 5 * i);
    }
    return new SrtpContext(profile, key, salt);
  }

  private static void flipBit(byte[] packet, int hash) {
    int bit = Math.floorMod(hash, packet.length * 8);
    packet[bit / 8] ^= (byte) (1 << (bit % 8));
  }

  private static void checkRoundtrip(String what, byte[] plain, SrtpResult result) {
    if (result.status() != SrtpStatus.OK || !Arrays.equals(plain, result.data())) {
      throw new AssertionError(what + " roundtrip failed: " + result.status()
          + (result.data() == null ? "" : ", data differs"));
    }
  }

  private static void checkRejected(String what, SrtpResult result) {
    if (result.status() == SrtpStatus.OK) {
      throw new AssertionError(what + " packet with a flipped bit unprotected as OK");
    }
  }
}
