package org.tgcalls4j.internal.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tgcalls4j.internal.srtp.TestBytes.rtcpReceiverReport;
import static org.tgcalls4j.internal.srtp.TestBytes.rtpWithCsrcsAndExtension;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Interoperability with jitsi-srtp, an independent implementation: our protect is unprotected by
 * jitsi and jitsi's protect is unprotected by us, for packets with CSRCs and a one-byte header
 * extension, across a sequence-number wrap (rollover counter 0 to 1), from the same master key and
 * salt (so the KDFs must agree too).
 */
@Timeout(30)
class JitsiSrtpCrossCheckTest {
  private static final int SSRC = 0x1122_3344;
  private static final int FIRST_SEQ = 65_520;
  private static final int PACKETS = 40;

  private SrtpContextFactory jitsiFactory;

  @AfterEach
  void closeJitsi() {
    if (jitsiFactory != null) {
      jitsiFactory.close();
    }
  }

  private static byte[] masterKey(SrtpProfile profile) {
    byte[] key = new byte[profile.keyLengthBytes()];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (0xA0 + i * 3);
    }
    return key;
  }

  private static byte[] masterSalt(SrtpProfile profile) {
    byte[] salt = new byte[profile.saltLengthBytes()];
    for (int i = 0; i < salt.length; i++) {
      salt[i] = (byte) (0x17 * (i + 1));
    }
    return salt;
  }

  private static SrtpPolicy jitsiPolicy(SrtpProfile profile) {
    return switch (profile) {
      case AES128_CM_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, 16,
          SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, 14);
      case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, 16,
          SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12);
      case AEAD_AES_256_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, 32,
          SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12);
    };
  }

  private SrtpContextFactory jitsi(SrtpProfile profile, boolean sender) {
    jitsiFactory = new SrtpContextFactory(sender, masterKey(profile), masterSalt(profile),
        jitsiPolicy(profile), jitsiPolicy(profile), new LoggerImpl("jitsi-srtp"));
    return jitsiFactory;
  }

  private static SrtpContext ours(SrtpProfile profile) {
    return new SrtpContext(profile, masterKey(profile), masterSalt(profile));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void jitsiUnprotectsOurRtpAcrossTheWrap(SrtpProfile profile) throws GeneralSecurityException {
    SrtpContext ours = ours(profile);
    SrtpCryptoContext theirs = jitsi(profile, false).deriveContext(SSRC, 0);
    for (int i = 0; i < PACKETS; i++) {
      int seq = (FIRST_SEQ + i) & 0xFFFF;
      byte[] plain = rtpWithCsrcsAndExtension(seq, SSRC);
      Buffer packet = new Buffer(ours.protectRtp(plain, 0, plain.length));

      assertThat(theirs.reverseTransformPacket(packet, false)).as("seq %d", seq)
          .isEqualTo(SrtpErrorStatus.OK);
      assertThat(packet.bytes()).isEqualTo(plain);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void weUnprotectJitsiRtpAcrossTheWrap(SrtpProfile profile) throws GeneralSecurityException {
    SrtpCryptoContext theirs = jitsi(profile, true).deriveContext(SSRC, 0);
    SrtpContext ours = ours(profile);
    for (int i = 0; i < PACKETS; i++) {
      int seq = (FIRST_SEQ + i) & 0xFFFF;
      byte[] plain = rtpWithCsrcsAndExtension(seq, SSRC);
      Buffer packet = new Buffer(plain);
      assertThat(theirs.transformPacket(packet)).isEqualTo(SrtpErrorStatus.OK);

      byte[] srtp = packet.bytes();
      SrtpResult result = ours.unprotectRtp(srtp, 0, srtp.length);
      assertThat(result.status()).as("seq %d", seq).isEqualTo(SrtpStatus.OK);
      assertThat(result.data()).isEqualTo(plain);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void jitsiUnprotectsOurRtcp(SrtpProfile profile) throws GeneralSecurityException {
    SrtpContext ours = ours(profile);
    SrtcpCryptoContext theirs = jitsi(profile, false).deriveControlContext(SSRC);
    for (int i = 0; i < 5; i++) {
      byte[] plain = rtcpReceiverReport(SSRC, i);
      Buffer packet = new Buffer(ours.protectRtcp(plain, 0, plain.length));

      assertThat(theirs.reverseTransformPacket(packet)).isEqualTo(SrtpErrorStatus.OK);
      assertThat(packet.bytes()).isEqualTo(plain);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void weUnprotectJitsiRtcp(SrtpProfile profile) throws GeneralSecurityException {
    SrtcpCryptoContext theirs = jitsi(profile, true).deriveControlContext(SSRC);
    SrtpContext ours = ours(profile);
    for (int i = 0; i < 5; i++) {
      byte[] plain = rtcpReceiverReport(SSRC, i);
      Buffer packet = new Buffer(plain);
      assertThat(theirs.transformPacket(packet)).isEqualTo(SrtpErrorStatus.OK);

      byte[] srtcp = packet.bytes();
      SrtpResult result = ours.unprotectRtcp(srtcp, 0, srtcp.length);
      assertThat(result.status()).isEqualTo(SrtpStatus.OK);
      assertThat(result.data()).isEqualTo(plain);
    }
  }

  /** A growable view for jitsi-srtp, which transforms packets in place. */
  private static final class Buffer implements ByteArrayBuffer {
    private static final int TAILROOM_BYTES = 64;

    private byte[] buffer;
    private int offset;
    private int length;

    /** Copies the packet with tailroom, as jitsi expects room for the tag behind the packet. */
    Buffer(byte[] packet) {
      buffer = Arrays.copyOf(packet, packet.length + TAILROOM_BYTES);
      length = packet.length;
    }

    byte[] bytes() {
      return Arrays.copyOfRange(buffer, offset, offset + length);
    }

    @Override
    public byte[] getBuffer() {
      return buffer;
    }

    @Override
    public int getOffset() {
      return offset;
    }

    @Override
    public int getLength() {
      return length;
    }

    @Override
    public void setLength(int length) {
      this.length = length;
    }

    @Override
    public void setOffset(int offset) {
      this.offset = offset;
    }

    @Override
    public boolean isInvalid() {
      return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] outBuff) {
      System.arraycopy(buffer, offset + off, outBuff, 0, len);
    }

    @Override
    public void grow(int howMuch) {
      int needed = offset + length + howMuch;
      if (buffer.length < needed) {
        buffer = Arrays.copyOf(buffer, needed);
      }
    }

    @Override
    public void append(byte[] data, int len) {
      grow(len);
      System.arraycopy(data, 0, buffer, offset + length, len);
      length += len;
    }

    @Override
    public void shrink(int len) {
      length = Math.max(0, length - len);
    }
  }
}
