package org.tgcalls4j.internal.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tgcalls4j.internal.srtp.TestBytes.rtcpReceiverReport;
import static org.tgcalls4j.internal.srtp.TestBytes.rtpWithCsrcsAndExtension;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Behaviour of {@link SrtpContext} between two of our own contexts, for every profile. */
class SrtpContextTest {
  private static final int SSRC = 0xCAFE_BABE;

  private static SrtpContext context(SrtpProfile profile) {
    byte[] key = new byte[profile.keyLengthBytes()];
    byte[] salt = new byte[profile.saltLengthBytes()];
    Arrays.fill(key, (byte) 0x3C);
    Arrays.fill(salt, (byte) 0x5A);
    return new SrtpContext(profile, key, salt);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void roundTripsRtpAcrossASequenceNumberWrap(SrtpProfile profile) {
    SrtpContext sender = context(profile);
    SrtpContext receiver = context(profile);
    for (int i = 0; i < 20; i++) {
      int seq = (65_530 + i) & 0xFFFF;
      byte[] plain = rtpWithCsrcsAndExtension(seq, SSRC);
      byte[] srtp = sender.protectRtp(plain, 0, plain.length);

      assertThat(srtp).hasSize(plain.length + profile.tagLengthBytes());
      assertThat(Arrays.copyOfRange(srtp, 0, 28)).as("header, CSRCs and extension stay clear")
          .isEqualTo(Arrays.copyOfRange(plain, 0, 28));
      assertThat(Arrays.copyOfRange(srtp, 28, plain.length)).as("payload is encrypted")
          .isNotEqualTo(Arrays.copyOfRange(plain, 28, plain.length));
      SrtpResult result = receiver.unprotectRtp(srtp, 0, srtp.length);
      assertThat(result.status()).as("seq %d", seq).isEqualTo(SrtpStatus.OK);
      assertThat(result.data()).isEqualTo(plain);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void refusesToProtectAnIndexAtOrBelowOneAlreadySent(SrtpProfile profile) {
    SrtpContext sender = context(profile);
    for (int seq : new int[] {65_535, 0, 1}) { // ROC 0 -> 1
      byte[] plain = rtpWithCsrcsAndExtension(seq, SSRC);
      sender.protectRtp(plain, 0, plain.length);
    }
    byte[] old = rtpWithCsrcsAndExtension(40_000, SSRC); // would map to ROC 0, an index already used
    byte[] same = rtpWithCsrcsAndExtension(1, SSRC);

    assertThatThrownBy(() -> sender.protectRtp(old, 0, old.length))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("reuse a keystream");
    assertThatThrownBy(() -> sender.protectRtp(same, 0, same.length))
        .isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void readsThePacketAtTheGivenOffsetOnly(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(7, SSRC);
    byte[] framed = new byte[plain.length + 10];
    System.arraycopy(plain, 0, framed, 3, plain.length);
    byte[] srtp = context(profile).protectRtp(framed, 3, plain.length);
    byte[] framedSrtp = new byte[srtp.length + 9];
    System.arraycopy(srtp, 0, framedSrtp, 5, srtp.length);

    SrtpResult result = context(profile).unprotectRtp(framedSrtp, 5, srtp.length);

    assertThat(result.status()).isEqualTo(SrtpStatus.OK);
    assertThat(result.data()).isEqualTo(plain);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rejectsTheSameRtpPacketTwiceAsReplay(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(1000, SSRC);
    byte[] srtp = context(profile).protectRtp(plain, 0, plain.length);
    SrtpContext receiver = context(profile);

    assertThat(receiver.unprotectRtp(srtp, 0, srtp.length).status()).isEqualTo(SrtpStatus.OK);
    SrtpResult again = receiver.unprotectRtp(srtp, 0, srtp.length);
    assertThat(again.status()).isEqualTo(SrtpStatus.REPLAY_FAIL);
    assertThat(again.data()).isNull();
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void acceptsReorderedRtpInsideTheWindowAndRejectsOlderPackets(SrtpProfile profile) {
    SrtpContext sender = context(profile);
    byte[][] srtp = new byte[100][];
    for (int seq = 0; seq < srtp.length; seq++) {
      byte[] plain = rtpWithCsrcsAndExtension(seq, SSRC);
      srtp[seq] = sender.protectRtp(plain, 0, plain.length);
    }
    SrtpContext receiver = context(profile);

    assertThat(receiver.unprotectRtp(srtp[0], 0, srtp[0].length).status()).isEqualTo(SrtpStatus.OK);
    assertThat(receiver.unprotectRtp(srtp[99], 0, srtp[99].length).status()).isEqualTo(SrtpStatus.OK);
    assertThat(receiver.unprotectRtp(srtp[50], 0, srtp[50].length).status()).isEqualTo(SrtpStatus.OK);
    assertThat(receiver.unprotectRtp(srtp[35], 0, srtp[35].length).status())
        .as("99 - 35 = 64 is one past the window").isEqualTo(SrtpStatus.REPLAY_FAIL);
    assertThat(receiver.unprotectRtp(srtp[36], 0, srtp[36].length).status()).isEqualTo(SrtpStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void keepsReplayStatePerSsrc(SrtpProfile profile) {
    SrtpContext sender = context(profile);
    byte[] a = rtpWithCsrcsAndExtension(500, 1);
    byte[] b = rtpWithCsrcsAndExtension(500, 2);
    byte[] srtpA = sender.protectRtp(a, 0, a.length);
    byte[] srtpB = sender.protectRtp(b, 0, b.length);
    SrtpContext receiver = context(profile);

    assertThat(receiver.unprotectRtp(srtpA, 0, srtpA.length).status()).isEqualTo(SrtpStatus.OK);
    assertThat(receiver.unprotectRtp(srtpB, 0, srtpB.length).status()).isEqualTo(SrtpStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rejectsAnRtpPacketWithAnyFlippedByteAsAuthFailure(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(42, SSRC);
    byte[] srtp = context(profile).protectRtp(plain, 0, plain.length);
    // Bytes 2..11 drive the IV/index, so flipping them also has to fail authentication.
    for (int i : new int[] {1, 2, 5, 13, 25, 40, srtp.length - 1}) {
      byte[] tampered = srtp.clone();
      tampered[i] ^= 0x01;

      SrtpResult result = context(profile).unprotectRtp(tampered, 0, tampered.length);

      assertThat(result.status()).as("byte %d flipped", i).isEqualTo(SrtpStatus.AUTH_FAIL);
      assertThat(result.data()).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void aFailedPacketDoesNotBlockTheGenuineOne(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(42, SSRC);
    byte[] srtp = context(profile).protectRtp(plain, 0, plain.length);
    byte[] tampered = srtp.clone();
    tampered[30] ^= 0x40;
    SrtpContext receiver = context(profile);

    assertThat(receiver.unprotectRtp(tampered, 0, tampered.length).status())
        .isEqualTo(SrtpStatus.AUTH_FAIL);
    assertThat(receiver.unprotectRtp(srtp, 0, srtp.length).status()).isEqualTo(SrtpStatus.OK);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void reportsTruncatedRtpAsMalformed(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(42, SSRC);
    byte[] srtp = context(profile).protectRtp(plain, 0, plain.length);
    SrtpContext receiver = context(profile);

    // 28 header bytes (12 + 2 CSRCs + extension) plus the tag is the shortest valid SRTP packet.
    for (int length : new int[] {0, 5, 11, 12, 20, 27 + profile.tagLengthBytes()}) {
      SrtpResult result = receiver.unprotectRtp(srtp, 0, length);
      assertThat(result.status()).as("length %d", length).isEqualTo(SrtpStatus.MALFORMED);
      assertThat(result.data()).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void reportsAnExtensionLengthPastTheEndAsMalformed(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(42, SSRC);
    byte[] srtp = context(profile).protectRtp(plain, 0, plain.length);
    srtp[22] = (byte) 0xFF; // extension length 0xFF01 words

    assertThat(context(profile).unprotectRtp(srtp, 0, srtp.length).status())
        .isEqualTo(SrtpStatus.MALFORMED);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void reportsANonVersion2PacketAsMalformed(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(42, SSRC);
    byte[] srtp = context(profile).protectRtp(plain, 0, plain.length);
    srtp[0] = (byte) (srtp[0] & 0x3F);

    assertThat(context(profile).unprotectRtp(srtp, 0, srtp.length).status())
        .isEqualTo(SrtpStatus.MALFORMED);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void refusesToProtectAnRtpPacketWhoseCsrcsDoNotFit(SrtpProfile profile) {
    byte[] plain = rtpWithCsrcsAndExtension(42, SSRC);
    plain[0] = (byte) 0x8F; // 15 CSRCs = 60 bytes, more than the packet holds

    assertThatThrownBy(() -> context(profile).protectRtp(plain, 0, plain.length))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CSRCs");
  }

  @ParameterizedTest
  @EnumSource(value = SrtpProfile.class, names = {"AEAD_AES_128_GCM", "AEAD_AES_256_GCM"})
  void refusesToReuseAGcmIvForTheSamePacketProtectedTwiceInARow(SrtpProfile profile) {
    SrtpContext sender = context(profile);
    byte[] plain = rtpWithCsrcsAndExtension(42, SSRC);
    sender.protectRtp(plain, 0, plain.length);

    assertThatThrownBy(() -> sender.protectRtp(plain, 0, plain.length))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("index 42");
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void roundTripsRtcpWithTheEncryptedFlagAndAnIncrementingIndex(SrtpProfile profile) {
    SrtpContext sender = context(profile);
    SrtpContext receiver = context(profile);
    int aeadIndexOffset = 32 + profile.tagLengthBytes();
    for (int i = 0; i < 5; i++) {
      byte[] plain = rtcpReceiverReport(SSRC, i);
      byte[] srtcp = sender.protectRtcp(plain, 0, plain.length);

      assertThat(srtcp).hasSize(plain.length + 4 + profile.tagLengthBytes());
      int indexOffset = profile == SrtpProfile.AES128_CM_HMAC_SHA1_80 ? 32 : aeadIndexOffset;
      assertThat(Arrays.copyOfRange(srtcp, indexOffset, indexOffset + 4))
          .as("E flag and SRTCP index").containsExactly(0x80, 0, 0, i);
      SrtpResult result = receiver.unprotectRtcp(srtcp, 0, srtcp.length);
      assertThat(result.status()).isEqualTo(SrtpStatus.OK);
      assertThat(result.data()).isEqualTo(plain);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rejectsReplayedTamperedAndTruncatedRtcp(SrtpProfile profile) {
    byte[] plain = rtcpReceiverReport(SSRC, 9);
    byte[] srtcp = context(profile).protectRtcp(plain, 0, plain.length);
    SrtpContext receiver = context(profile);
    byte[] tampered = srtcp.clone();
    tampered[12] ^= 0x01;

    assertThat(receiver.unprotectRtcp(tampered, 0, tampered.length).status())
        .isEqualTo(SrtpStatus.AUTH_FAIL);
    assertThat(receiver.unprotectRtcp(srtcp, 0, srtcp.length).status()).isEqualTo(SrtpStatus.OK);
    assertThat(receiver.unprotectRtcp(srtcp, 0, srtcp.length).status())
        .isEqualTo(SrtpStatus.REPLAY_FAIL);
    assertThat(receiver.unprotectRtcp(srtcp, 0, 8 + 4 + profile.tagLengthBytes() - 1).status())
        .isEqualTo(SrtpStatus.MALFORMED);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void refusesMasterKeysAndSaltsOfTheWrongLength(SrtpProfile profile) {
    byte[] key = new byte[profile.keyLengthBytes()];
    byte[] salt = new byte[profile.saltLengthBytes()];

    assertThatThrownBy(() -> new SrtpContext(profile, new byte[key.length + 1], salt))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("master key");
    assertThatThrownBy(() -> new SrtpContext(profile, key, new byte[salt.length - 1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("master salt");
  }

  @Test
  void estimatesTheRolloverCounterAsRfc3711AppendixA() {
    long roc5 = 5L << 16;
    assertThat(SrtpContext.estimateIndex(roc5 | 65_000, 10)).isEqualTo(6L << 16 | 10);
    assertThat(SrtpContext.estimateIndex(roc5 | 10, 65_000)).isEqualTo(4L << 16 | 65_000);
    assertThat(SrtpContext.estimateIndex(roc5 | 10, 20)).isEqualTo(roc5 | 20);
    assertThat(SrtpContext.estimateIndex(10, 65_000)).as("no ROC below zero").isEqualTo(-1);
  }
}
