package org.tgcalls4j.internal.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tgcalls4j.internal.srtp.TestBytes.hex;

import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 7714 §16 (SRTP) and §17 (SRTCP) test vectors for AEAD_AES_128_GCM and AEAD_AES_256_GCM. The
 * vectors start from session keys (no KDF): SSRC 0x5501a0b2, ROC 0, SEQ 0xf17b for RTP; SSRC
 * 0x4d617273 ("Mars"), SRTCP index 0x5d4 for RTCP.
 */
class Rfc7714VectorsTest {

  enum Vector {
    AES_128(
        SrtpProfile.AEAD_AES_128_GCM,
        "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f",
        // §16.1.1 Encrypted and tagged packet
        """
        8040f17b 8041f8d3 5501a0b2 f24de3a3
        fb34de6c acba861c 9d7e4bca be633bd5
        0d294e6f 42a5f47a 51c7d19b 36de3adf
        8833899d 7f27beb1 6a9152cf 765ee439
        0cce""",
        // §17.1 Encrypted and tagged packet
        """
        81c8000d 4d617273 63e94885 dcdab67c
        a727d766 2f6b7e99 7ff5c0f7 6c06f32d
        c676a5f1 730d6fda 4ce09b46 86303ded
        0bb9275b c84aa458 96cf4d2f c5abf872
        45d9eade 800005d4""",
        // §17 AEAD_AES_128_GCM tagged-only packet (E flag clear, index 0x5d4)
        """
        81c8000d 4d617273 4e545031 4e545032
        52545020 0000042a 0000e930 4c756e61
        deadbeef deadbeef deadbeef deadbeef
        deadbeef 841dd968 3dd78ec9 2ae58790
        125f62b3 000005d4"""),
    AES_256(
        SrtpProfile.AEAD_AES_256_GCM,
        """
        00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
        10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f""",
        // §16.2.1
        """
        8040f17b 8041f8d3 5501a0b2 32b1de78
        a822fe12 ef9f78fa 332e33aa b1801238
        9a58e2f3 b50b2a02 76ffae0f 1ba63799
        b87b7aa3 db36dfff d6b0f9bb 7878d7a7
        6c13""",
        // §17.2 Encrypted and tagged packet
        """
        81c8000d 4d617273 d50ae4d1 f5ce5d30
        4ba297e4 7d470c28 2c3ece5d bffe0a50
        a2eaa5c1 110555be 8415f658 c61de047
        6f1b6fad 1d1eb30c 4446839f 57ff6f6c
        b26ac3be 800005d4""",
        // §17 AEAD_AES_256_GCM tagged-only packet (E flag clear)
        """
        81c8000d 4d617273 4e545031 4e545032
        52545020 0000042a 0000e930 4c756e61
        deadbeef deadbeef deadbeef deadbeef
        deadbeef 91db4afb feee5a97 8fab4393
        ed2615fe 000005d4""");

    final SrtpProfile profile;
    final byte[] key;
    final byte[] protectedRtp;
    final byte[] protectedRtcp;
    final byte[] tagOnlyRtcp;

    Vector(SrtpProfile profile, String key, String rtp, String rtcp, String tagOnlyRtcp) {
      this.profile = profile;
      this.key = hex(key);
      this.protectedRtp = hex(rtp);
      this.protectedRtcp = hex(rtcp);
      this.tagOnlyRtcp = hex(tagOnlyRtcp);
    }
  }

  // §16 and §17: salt "Quid pro quo".
  private static final byte[] SALT = hex("51 75 69 64 20 70 72 6f 20 71 75 6f");

  // §16: the plain RTP packet ("Gallia est omnis divisa in partes tres").
  private static final byte[] PLAIN_RTP = hex("""
      8040f17b 8041f8d3 5501a0b2 47616c6c
      69612065 7374206f 6d6e6973 20646976
      69736120 696e2070 61727465 73207472
      6573""");

  // §17: the plain RTCP sender report.
  private static final byte[] PLAIN_RTCP = hex("""
      81c8000d 4d617273 4e545031 4e545032
      52545020 0000042a 0000e930 4c756e61
      deadbeef deadbeef deadbeef deadbeef
      deadbeef""");

  private static SrtpContext context(Vector v) {
    var keys = new SrtpContext.SessionKeys(new SecretKeySpec(v.key, "AES"), SALT, null);
    return new SrtpContext(v.profile, keys, keys);
  }

  @ParameterizedTest
  @EnumSource(Vector.class)
  void protectsRtpToTheEncryptedPacketOfSection16(Vector v) {
    assertThat(context(v).protectRtp(PLAIN_RTP, 0, PLAIN_RTP.length)).isEqualTo(v.protectedRtp);
  }

  @ParameterizedTest
  @EnumSource(Vector.class)
  void unprotectsTheEncryptedRtpPacketOfSection16(Vector v) {
    SrtpResult result = context(v).unprotectRtp(v.protectedRtp, 0, v.protectedRtp.length);

    assertThat(result.status()).isEqualTo(SrtpStatus.OK);
    assertThat(result.data()).isEqualTo(PLAIN_RTP);
  }

  @ParameterizedTest
  @EnumSource(Vector.class)
  void protectsRtcpWithIndex0x5d4ToTheEncryptedPacketOfSection17(Vector v) {
    SrtpContext sender = context(v);
    for (int index = 0; index < 0x5d4; index++) {
      sender.protectRtcp(PLAIN_RTCP, 0, PLAIN_RTCP.length);
    }

    assertThat(sender.protectRtcp(PLAIN_RTCP, 0, PLAIN_RTCP.length)).isEqualTo(v.protectedRtcp);
  }

  @ParameterizedTest
  @EnumSource(Vector.class)
  void unprotectsTheEncryptedRtcpPacketOfSection17(Vector v) {
    SrtpResult result = context(v).unprotectRtcp(v.protectedRtcp, 0, v.protectedRtcp.length);

    assertThat(result.status()).isEqualTo(SrtpStatus.OK);
    assertThat(result.data()).isEqualTo(PLAIN_RTCP);
  }

  @ParameterizedTest
  @EnumSource(Vector.class)
  void unprotectsTheTaggedButUnencryptedRtcpPacketOfSection17(Vector v) {
    SrtpResult result = context(v).unprotectRtcp(v.tagOnlyRtcp, 0, v.tagOnlyRtcp.length);

    assertThat(result.status()).isEqualTo(SrtpStatus.OK);
    assertThat(result.data()).isEqualTo(PLAIN_RTCP);
  }
}
