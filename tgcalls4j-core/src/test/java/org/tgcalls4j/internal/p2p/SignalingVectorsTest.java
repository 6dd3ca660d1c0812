package org.tgcalls4j.internal.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The known-answer vectors of p2p-call.md §7 (reproduced there by tgcalls' own CryptoHelper.cpp),
 * byte for byte: raw packets of both roles, the caller's first V2 data message and the callee's
 * ack packet.
 */
class SignalingVectorsTest {
  static final HexFormat HEX = HexFormat.of();
  static final String PAYLOAD = "{\"@type\":\"MediaState\"}";

  static byte[] key() {
    byte[] key = new byte[256];
    for (int i = 0; i < 256; i++) {
      key[i] = (byte) ((7 * i + 3) & 0xFF);
    }
    return key;
  }

  static final String RAW_PLAINTEXT = "000000017b224074797065223a224d656469615374617465227d";
  static final String RAW_CALLER =
      "a178a46a077263d6a1d4f5bf4ed55c6a87bd7c6e023964255155d805fa65c846c1022ab7548f47c26709";
  static final String RAW_CALLEE =
      "d91d1be30e691cb79a1e3a8b99316eeb103f088572396af64f039d3a5b71aa5141be45b705b0f18e9da3";
  static final String V2_DATA_PLAINTEXT =
      "400000017f000000167b224074797065223a224d656469615374617465227d";
  static final String V2_DATA_PACKET =
      "240a79b91b056aba1370c7862e810f8aa99cab77bded73f81c6ecbbda4a79c7dca7ff16009f175c9ae675ec1ba725d";
  static final String V2_ACK_PLAINTEXT = "00000001fe40000001ff";
  static final String V2_ACK_PACKET = "f8d445f13dd7743c081009106d382c6555b191bed75dbfcad7b8";

  @Test
  void keyPrefix() {
    assertThat(HEX.formatHex(key(), 0, 16)).isEqualTo("030a11181f262d343b424950575e656c");
  }

  @Test
  void rawPacketsOfBothRoles() {
    byte[] plaintext = HEX.parseHex(RAW_PLAINTEXT);
    assertThat(HEX.formatHex(new SignalingCrypto(key(), true).encrypt(plaintext))).isEqualTo(RAW_CALLER);
    assertThat(HEX.formatHex(new SignalingCrypto(key(), false).encrypt(plaintext))).isEqualTo(RAW_CALLEE);
    // each side decrypts the other's packet, not its own
    byte[] caller = HEX.parseHex(RAW_CALLER);
    byte[] callee = HEX.parseHex(RAW_CALLEE);
    assertThat(new SignalingCrypto(key(), false).decrypt(caller, 0, caller.length)).isEqualTo(plaintext);
    assertThat(new SignalingCrypto(key(), true).decrypt(callee, 0, callee.length)).isEqualTo(plaintext);
    assertThat(new SignalingCrypto(key(), true).decrypt(caller, 0, caller.length)).isNull();
    assertThat(new SignalingCrypto(key(), false).decrypt(callee, 0, callee.length)).isNull();
  }

  @Test
  void decryptHonoursOffsetAndLength() {
    byte[] packet = HEX.parseHex(RAW_CALLER);
    byte[] framed = new byte[packet.length + 7];
    System.arraycopy(packet, 0, framed, 3, packet.length);
    assertThat(new SignalingCrypto(key(), false).decrypt(framed, 3, packet.length))
        .isEqualTo(HEX.parseHex(RAW_PLAINTEXT));
    assertThat(new SignalingCrypto(key(), false).decrypt(framed, 3, packet.length - 1)).isNull();
  }

  @Test
  void v2DataMessageAndAck() {
    SignalingChannel caller = new SignalingChannel(key(), true);
    SignalingChannel callee = new SignalingChannel(key(), false);
    List<byte[]> sent = caller.send(PAYLOAD, 1000);
    assertThat(sent).hasSize(1);
    assertThat(HEX.formatHex(sent.get(0))).isEqualTo(V2_DATA_PACKET);
    byte[] packet = sent.get(0);
    assertThat(new SignalingCrypto(key(), false).decrypt(packet, 0, packet.length))
        .isEqualTo(HEX.parseHex(V2_DATA_PLAINTEXT));

    SignalingChannel.Received received = callee.receive(packet, 1000);
    assertThat(received.messages()).containsExactly(PAYLOAD);
    assertThat(received.replies()).hasSize(1);
    byte[] ack = received.replies().get(0);
    assertThat(HEX.formatHex(ack)).isEqualTo(V2_ACK_PACKET);
    assertThat(new SignalingCrypto(key(), true).decrypt(ack, 0, ack.length))
        .isEqualTo(HEX.parseHex(V2_ACK_PLAINTEXT));

    assertThat(caller.unackedCount()).isEqualTo(1);
    SignalingChannel.Received acked = caller.receive(ack, 1001);
    assertThat(acked.messages()).isEmpty();
    assertThat(acked.replies()).isEmpty();
    assertThat(caller.unackedCount()).isZero();
    assertThat(caller.droppedBlobs() + callee.droppedBlobs()).isZero();
    // nothing left to resend: the armed timer fires and sends nothing
    assertThat(caller.poll(caller.nextPollMillis())).isEmpty();
  }

  @Test
  void rejectsKeysOfOtherLengths() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> new SignalingCrypto(new byte[255], true)).withMessageContaining("256");
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> new SignalingChannel(new byte[257], false));
  }
}
