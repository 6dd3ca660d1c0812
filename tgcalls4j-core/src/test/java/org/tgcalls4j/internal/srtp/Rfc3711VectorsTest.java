package org.tgcalls4j.internal.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tgcalls4j.internal.srtp.TestBytes.hex;

import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** RFC 3711 Appendix B.2 and B.3, bytes as printed in the RFC. */
class Rfc3711VectorsTest {

  // RFC 3711 B.3: master key and master salt.
  private static final byte[] MASTER_KEY = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  private static final byte[] MASTER_SALT = hex("0EC675AD498AFEEBB6960B3AABE6");

  @Test
  void derivesTheCipherKeyOfAppendixB3() {
    assertThat(new SrtpKdf(MASTER_KEY, MASTER_SALT).derive(SrtpKdf.LABEL_RTP_ENCRYPTION, 16))
        .isEqualTo(hex("C61E7A93744F39EE10734AFE3FF7A087"));
  }

  @Test
  void derivesTheCipherSaltOfAppendixB3() {
    assertThat(new SrtpKdf(MASTER_KEY, MASTER_SALT).derive(SrtpKdf.LABEL_RTP_SALT, 14))
        .isEqualTo(hex("30CBBC08863D8C85D49DB34A9AE1"));
  }

  @Test
  void derivesTheWhole94ByteAuthKeyOfAppendixB3() {
    assertThat(new SrtpKdf(MASTER_KEY, MASTER_SALT).derive(SrtpKdf.LABEL_RTP_AUTH, 94))
        .isEqualTo(hex("""
            CEBE321F6FF7716B6FD4AB49AF256A15
            6D38BAA48F0A0ACF3C34E2359E6CDBCE
            E049646C43D9327AD175578EF7227098
            6371C10C9A369AC2F94A8C5FBCDDDC25
            6D6E919A48B610EF17C2041E47403576
            6B68642C59BBFC2F34DB60DBDFB2"""));
  }

  @Test
  void encryptsWithTheAesCmKeystreamOfAppendixB2() {
    // B.2: session key, session salt, ROC 0, SEQ 0, SSRC 0; keystream segment of 1044512 octets.
    var keys = new SrtpContext.SessionKeys(
        new SecretKeySpec(hex("2B7E151628AED2A6ABF7158809CF4F3C"), "AES"),
        hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"),
        new byte[20]);
    var context = new SrtpContext(SrtpProfile.AES128_CM_HMAC_SHA1_80, keys, keys);
    int segmentBytes = 1044512;
    byte[] rtp = new byte[12 + segmentBytes]; // SEQ 0, SSRC 0, all-zero payload
    rtp[0] = (byte) 0x80;

    byte[] srtp = context.protectRtp(rtp, 0, rtp.length);

    // Encrypting zeros yields the keystream itself.
    assertThat(Arrays.copyOfRange(srtp, 12, 12 + 48)).isEqualTo(hex("""
        E03EAD0935C95E80E166B16DD92B4EB4
        D23513162B02D0F72A43A2FE4A5F97AB
        41E95B3BB0A2E8DD477901E4FCA894C0"""));
    assertThat(Arrays.copyOfRange(srtp, 12 + segmentBytes - 48, 12 + segmentBytes))
        .isEqualTo(hex("""
            EC8CDF7398607CB0F2D21675EA9EA1E4
            362B7C3C6773516318A077D7FC5073AE
            6A2CC3787889374FBEB4C81B17BA6C44"""));
  }
}
