package org.tgcalls4j.internal.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tgcalls4j.internal.srtp.TestBytes.rtcpReceiverReport;
import static org.tgcalls4j.internal.srtp.TestBytes.rtpWithCsrcsAndExtension;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The in-place methods of {@link SrtpContext} give the bytes the copying ones do. */
class SrtpContextInPlaceTest {
  private static final int SSRC = 0x0BAD_F00D;
  private static final int OFFSET = 5;

  private static SrtpContext context(SrtpProfile profile) {
    byte[] key = new byte[profile.keyLengthBytes()];
    byte[] salt = new byte[profile.saltLengthBytes()];
    Arrays.fill(key, (byte) 0x11);
    Arrays.fill(salt, (byte) 0x77);
    return new SrtpContext(profile, key, salt);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtpInPlaceMatchesTheCopyingMethods(SrtpProfile profile) {
    SrtpContext copying = context(profile);
    SrtpContext inPlace = context(profile);
    SrtpContext receiver = context(profile);
    byte[] buffer = new byte[OFFSET + 200];
    for (int seq = 65_534; seq < 65_534 + 4; seq++) {
      byte[] plain = rtpWithCsrcsAndExtension(seq & 0xFFFF, SSRC);
      byte[] expected = copying.protectRtp(plain, 0, plain.length);
      System.arraycopy(plain, 0, buffer, OFFSET, plain.length);

      int length = inPlace.protectRtpInPlace(buffer, OFFSET, plain.length);

      assertThat(length).isEqualTo(plain.length + profile.tagLengthBytes());
      assertThat(Arrays.copyOfRange(buffer, OFFSET, OFFSET + length)).isEqualTo(expected);
      int plainLength = receiver.unprotectRtpInPlace(buffer, OFFSET, length);
      assertThat(plainLength).isEqualTo(plain.length);
      assertThat(Arrays.copyOfRange(buffer, OFFSET, OFFSET + plainLength)).isEqualTo(plain);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtcpInPlaceMatchesTheCopyingMethods(SrtpProfile profile) {
    SrtpContext copying = context(profile);
    SrtpContext inPlace = context(profile);
    SrtpContext receiver = context(profile);
    byte[] plain = rtcpReceiverReport(SSRC, 0x42);
    byte[] buffer = new byte[OFFSET + plain.length + 4 + SrtpContext.MAX_TAG_BYTES];
    for (int i = 0; i < 3; i++) {
      byte[] expected = copying.protectRtcp(plain, 0, plain.length);
      System.arraycopy(plain, 0, buffer, OFFSET, plain.length);

      int length = inPlace.protectRtcpInPlace(buffer, OFFSET, plain.length);

      assertThat(Arrays.copyOfRange(buffer, OFFSET, OFFSET + length)).isEqualTo(expected);
      int plainLength = receiver.unprotectRtcpInPlace(buffer, OFFSET, length);
      assertThat(plainLength).isEqualTo(plain.length);
      assertThat(Arrays.copyOfRange(buffer, OFFSET, OFFSET + plainLength)).isEqualTo(plain);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void failuresAreNegativeCodes(SrtpProfile profile) {
    SrtpContext sender = context(profile);
    SrtpContext receiver = context(profile);
    byte[] plain = rtpWithCsrcsAndExtension(1, SSRC);
    byte[] srtp = sender.protectRtp(plain, 0, plain.length);

    byte[] tampered = srtp.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThat(SrtpContext.statusOf(receiver.unprotectRtpInPlace(tampered, 0, tampered.length)))
        .isEqualTo(SrtpStatus.AUTH_FAIL);
    assertThat(SrtpContext.statusOf(receiver.unprotectRtpInPlace(srtp.clone(), 0, 11)))
        .isEqualTo(SrtpStatus.MALFORMED);
    assertThat(receiver.unprotectRtpInPlace(srtp.clone(), 0, srtp.length)).isEqualTo(plain.length);
    assertThat(SrtpContext.statusOf(receiver.unprotectRtpInPlace(srtp.clone(), 0, srtp.length)))
        .isEqualTo(SrtpStatus.REPLAY_FAIL);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void protectNeedsRoomForTheTag(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(1, SSRC);
    assertThatThrownBy(() -> context(profile).protectRtpInPlace(plain, 0, plain.length))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
