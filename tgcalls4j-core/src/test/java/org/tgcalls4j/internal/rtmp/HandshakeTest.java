package org.tgcalls4j.internal.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.rtmp.testing.FlashDigest;

/** Checks the client handshake against the published digest algorithm ({@link FlashDigest}). */
class HandshakeTest {
  private final Random random = new Random(7);

  @Test
  void c1CarriesScheme0DigestKeyedWithFlashPlayerKey() {
    byte[] c0c1 = new Handshake(random, true).c0c1();
    byte[] c1 = Arrays.copyOfRange(c0c1, 1, c0c1.length);

    assertThat(c0c1).hasSize(1537);
    assertThat(c0c1[0]).isEqualTo((byte) 3);
    assertThat(Arrays.copyOfRange(c1, 4, 8)).containsExactly(9, 0, 124, 2); // non-zero version
    // offset = (C1[8] + C1[9] + C1[10] + C1[11]) % 728 + 12
    int offset = ((c1[8] & 0xFF) + (c1[9] & 0xFF) + (c1[10] & 0xFF) + (c1[11] & 0xFF)) % 728 + 12;
    byte[] withoutDigest = new byte[1504];
    System.arraycopy(c1, 0, withoutDigest, 0, offset);
    System.arraycopy(c1, offset + 32, withoutDigest, offset, 1504 - offset);
    byte[] expected = FlashDigest.hmac(FlashDigest.shortKey("Genuine Adobe Flash Player 001"), withoutDigest);
    assertThat(FlashDigest.shortKey("Genuine Adobe Flash Player 001")).hasSize(30);
    assertThat(Arrays.copyOfRange(c1, offset, offset + 32)).isEqualTo(expected);
  }

  @Test
  void simpleC1HasZeroVersionAndNoDigest() {
    byte[] c0c1 = new Handshake(random, false).c0c1();
    byte[] c1 = Arrays.copyOfRange(c0c1, 1, c0c1.length);

    assertThat(Arrays.copyOfRange(c1, 4, 8)).containsExactly(0, 0, 0, 0);
    assertThat(FlashDigest.find(c1, FlashDigest.shortKey(FlashDigest.PLAYER_TEXT))).isEqualTo(-1);
  }

  @Test
  void c2EchoesS1WhenServerUsesSimpleHandshake() throws Exception {
    Handshake handshake = new Handshake(random, true);
    byte[] c1 = Arrays.copyOfRange(handshake.c0c1(), 1, 1537);
    byte[] s1 = new byte[1536];
    random.nextBytes(s1);

    byte[] c2 = handshake.c2(concat(new byte[] {3}, s1, c1));

    assertThat(c2).isEqualTo(s1);
  }

  @Test
  void c2IsSignedWithS1DigestWhenServerUsesDigestScheme1() throws Exception {
    Handshake handshake = new Handshake(random, true);
    byte[] c1 = Arrays.copyOfRange(handshake.c0c1(), 1, 1537);
    int c1Offset = FlashDigest.find(c1, FlashDigest.shortKey(FlashDigest.PLAYER_TEXT));
    byte[] s1 = new byte[1536];
    random.nextBytes(s1);
    int s1Offset = FlashDigest.offset(s1, 1);
    System.arraycopy(FlashDigest.digestAt(s1, s1Offset, FlashDigest.shortKey(FlashDigest.SERVER_TEXT)), 0, s1, s1Offset, 32);
    byte[] s2 = new byte[1536];
    random.nextBytes(s2);
    FlashDigest.signResponse(s2, FlashDigest.fullKey(FlashDigest.SERVER_TEXT), Arrays.copyOfRange(c1, c1Offset, c1Offset + 32));

    byte[] c2 = handshake.c2(concat(new byte[] {3}, s1, s2));

    assertThat(FlashDigest.signedResponse(
            c2, FlashDigest.fullKey(FlashDigest.PLAYER_TEXT), Arrays.copyOfRange(s1, s1Offset, s1Offset + 32)))
        .isTrue();
  }

  @Test
  void rejectsDigestServerWhoseS2IsNeitherSignedNorAnEcho() {
    Handshake handshake = new Handshake(random, true);
    handshake.c0c1();
    byte[] s1 = new byte[1536];
    random.nextBytes(s1);
    FlashDigest.sign(s1, FlashDigest.shortKey(FlashDigest.SERVER_TEXT));
    byte[] s2 = new byte[1536];

    assertThatThrownBy(() -> handshake.c2(concat(new byte[] {3}, s1, s2)))
        .isInstanceOf(Handshake.HandshakeException.class)
        .hasMessageContaining("S2");
  }

  @Test
  void rejectsServerVersionOtherThan3() {
    Handshake handshake = new Handshake(random, true);
    handshake.c0c1();
    byte[] answer = new byte[1 + 2 * 1536];
    answer[0] = 6; // RTMPE

    assertThatThrownBy(() -> handshake.c2(answer))
        .isInstanceOf(Handshake.HandshakeException.class)
        .hasMessageContaining("version 6");
  }

  private static byte[] concat(byte[]... parts) {
    return Amf0Test.concat(parts);
  }
}
