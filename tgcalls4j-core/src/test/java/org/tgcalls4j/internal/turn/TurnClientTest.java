package org.tgcalls4j.internal.turn;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.stun.StunAttribute;
import org.tgcalls4j.internal.stun.StunErrorCode;
import org.tgcalls4j.internal.stun.StunMessage;
import org.tgcalls4j.internal.stun.StunMessageBuilder;

/** Unit tests of {@link TurnClient} with spec vectors and a scripted server; coturn: {@link TurnClientCoturnTest}. */
class TurnClientTest {
  static final long MS = 1_000_000L;
  static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3478);
  static final InetSocketAddress RELAYED = new InetSocketAddress(InetAddress.getLoopbackAddress(), 50000);
  static final InetSocketAddress PEER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
  static final String REALM = "example.org";

  /** RFC 5769 §2.4, "Sample request with long-term authentication". */
  static final byte[] RFC5769_LONG_TERM = HexFormat.of().parseHex(
      "000100602112a44278ad3433c6ad72c029da412e"
          + "00060012e3839ee38388e383aae38383e382afe382b90000"
          + "0015001c662f2f3439396b39353464364f4c33346f4c39465354767936347341"
          + "0014000b6578616d706c652e6f726700"
          + "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666");

  @Test
  void longTermKeyMatchesRfc5769Vector() throws Exception {
    String username = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
    // The RFC's password after SASLprep, as the vector was computed.
    byte[] key = TurnClient.longTermKey(username, REALM, "TheMatrIX".getBytes(StandardCharsets.UTF_8));
    StunMessage message = StunMessage.parse(RFC5769_LONG_TERM, 0, RFC5769_LONG_TERM.length);
    assertThat(message.verifyMessageIntegrity(key)).isTrue();
    assertThat(message.username()).isEqualTo(username);
    byte[] rebuilt = new StunMessageBuilder(StunMessage.BINDING_REQUEST, message.transactionId())
        .addUsername(username)
        .add(StunAttribute.NONCE, "f//499k954d6OL34oL9FSTvy64sA".getBytes(StandardCharsets.UTF_8))
        .add(StunAttribute.REALM, REALM.getBytes(StandardCharsets.UTF_8))
        .build(key, false);
    assertThat(rebuilt).isEqualTo(RFC5769_LONG_TERM);
    byte[] wrong = TurnClient.longTermKey(username, REALM, "TheMatrix".getBytes(StandardCharsets.UTF_8));
    assertThat(message.verifyMessageIntegrity(wrong)).isFalse();
  }

  @Test
  void retransmitsOnTheRfc8489ScheduleThenTimesOut() {
    Recorder out = new Recorder();
    TurnClient client = new TurnClient(SERVER, "u", "p", new SplittableRandom(1));
    long t0 = 1_000 * MS;
    client.start(t0, out);
    List<Long> sentAt = new ArrayList<>(List.of(0L));
    long now = t0;
    for (int i = 0; i < 20 && out.failure == null; i++) {
      long next = client.onTimer(now, out);
      if (out.sent.size() > sentAt.size()) {
        sentAt.add((now - t0) / MS);
      }
      if (next == Long.MAX_VALUE) {
        break;
      }
      now = next;
    }
    // RFC 8489 §6.2.1: Rc = 7 transmissions at 0, 500, 1500, ..., 31500 ms; failure at 39500 ms.
    assertThat(sentAt).containsExactly(0L, 500L, 1500L, 3500L, 7500L, 15500L, 31500L);
    assertThat(out.failure.reason()).isEqualTo(TurnException.Reason.TIMEOUT);
    assertThat((now - t0) / MS).isEqualTo(39500L);
    assertThat(client.onTimer(now + 1, out)).isEqualTo(Long.MAX_VALUE);
    assertThat(out.sent).allSatisfy(d -> assertThat(d).isEqualTo(out.sent.get(0)));
  }

  @Test
  void allocatesAfter401AndRetriesOn438WithTheNewNonce() throws Exception {
    Recorder out = new Recorder();
    TurnClient client = new TurnClient(SERVER, "user", "pass", new SplittableRandom(2));
    client.start(0, out);
    StunMessage first = out.lastRequest();
    assertThat(first.type()).isEqualTo(0x0003);
    assertThat(first.attribute(StunAttribute.REQUESTED_TRANSPORT)).containsExactly(17, 0, 0, 0);
    assertThat(first.hasMessageIntegrity()).isFalse();
    feed(client, out, error(first, 401, "n1", null));
    StunMessage second = out.lastRequest();
    byte[] key = TurnClient.longTermKey("user", REALM, "pass".getBytes(StandardCharsets.UTF_8));
    assertThat(second.verifyMessageIntegrity(key)).isTrue();
    assertThat(second.username()).isEqualTo("user");
    assertThat(new String(second.attribute(StunAttribute.NONCE), StandardCharsets.UTF_8)).isEqualTo("n1");
    feed(client, out, error(second, 438, "n2", null));
    StunMessage third = out.lastRequest();
    assertThat(new String(third.attribute(StunAttribute.NONCE), StandardCharsets.UTF_8)).isEqualTo("n2");
    assertThat(third.verifyMessageIntegrity(key)).isTrue();
    // A success without valid MESSAGE-INTEGRITY is dropped, not believed.
    feed(client, out, allocateSuccess(third, "wrong".getBytes(StandardCharsets.UTF_8), 600));
    assertThat(client.relayedAddress()).isNull();
    assertThat(client.droppedDatagrams()).isEqualTo(1);
    feed(client, out, allocateSuccess(third, key, 600));
    assertThat(client.relayedAddress()).isEqualTo(RELAYED);
    assertThat(out.mapped).isEqualTo(PEER);
    // Refresh 60 s before the 600 s lifetime ends.
    assertThat(client.onTimer(1, out)).isEqualTo(540_000 * MS);
    int before = out.sent.size();
    client.onTimer(540_000 * MS, out);
    StunMessage refresh = out.lastRequest();
    assertThat(out.sent).hasSize(before + 1);
    assertThat(refresh.type()).isEqualTo(0x0004);
    assertThat(refresh.verifyMessageIntegrity(key)).isTrue();
    client.close(540_001 * MS, out);
    StunMessage dealloc = out.lastRequest();
    assertThat(dealloc.type()).isEqualTo(0x0004);
    assertThat(dealloc.attribute(StunAttribute.LIFETIME)).containsExactly(0, 0, 0, 0);
    assertThat(client.relayedAddress()).isNull();
  }

  @Test
  void failuresAreTyped() throws Exception {
    assertThat(failureAfterAuth(486)).isEqualTo(TurnException.Reason.ALLOCATION_QUOTA);
    assertThat(failureAfterAuth(401)).isEqualTo(TurnException.Reason.UNAUTHORIZED);
    assertThat(failureAfterAuth(442)).isEqualTo(TurnException.Reason.UNSUPPORTED);
    assertThat(failureAfterAuth(500)).isEqualTo(TurnException.Reason.SERVER_ERROR);
    // 438 again and again: STALE_NONCE after three fresh nonces.
    Recorder out = new Recorder();
    TurnClient client = new TurnClient(SERVER, "user", "pass", new SplittableRandom(3));
    client.start(0, out);
    feed(client, out, error(out.lastRequest(), 401, "n0", null));
    for (int i = 1; i <= 4 && out.failure == null; i++) {
      feed(client, out, error(out.lastRequest(), 438, "n" + i, null));
    }
    assertThat(out.failure.reason()).isEqualTo(TurnException.Reason.STALE_NONCE);
    assertThat(out.failure.getMessage()).doesNotContain("pass");
  }

  @Test
  void queuesUntilPermissionThenIndicationsThenChannelData() throws Exception {
    Recorder out = new Recorder();
    TurnClient client = new TurnClient(SERVER, "user", "pass", new SplittableRandom(4));
    byte[] key = TurnClient.longTermKey("user", REALM, "pass".getBytes(StandardCharsets.UTF_8));
    client.send(PEER, new byte[] {1}, 0, 1, 0, out); // before start: queued
    client.start(0, out);
    feed(client, out, error(out.lastRequest(), 401, "n", null));
    feed(client, out, allocateSuccess(out.lastRequest(), key, 600));
    StunMessage permission = StunMessage.parse(out.sent.get(out.sent.size() - 2), 0,
        out.sent.get(out.sent.size() - 2).length);
    StunMessage bind = out.lastRequest();
    assertThat(permission.type()).isEqualTo(0x0008);
    assertThat(permission.xorAddress(StunAttribute.XOR_PEER_ADDRESS)).isEqualTo(PEER);
    assertThat(bind.type()).isEqualTo(0x0009);
    assertThat(bind.attribute(StunAttribute.CHANNEL_NUMBER)).containsExactly(0x40, 0, 0, 0);
    feed(client, out, success(permission, key));
    StunMessage indication = out.lastRequest();
    assertThat(indication.type()).isEqualTo(0x0016);
    assertThat(indication.attribute(StunAttribute.DATA)).containsExactly(1);
    feed(client, out, success(bind, key));
    client.send(PEER, new byte[] {2, 3}, 0, 2, 0, out);
    assertThat(out.sent.get(out.sent.size() - 1)).containsExactly(0x40, 0, 0, 2, 2, 3);
    // ChannelData in: padded is fine, a wrong channel or a length past the end is dropped.
    feed(client, out, new byte[] {0x40, 0, 0, 1, 9, 0, 0, 0});
    feed(client, out, new byte[] {0x40, 1, 0, 1, 9});
    feed(client, out, new byte[] {0x40, 0, 0, 5, 9});
    feed(client, out, new byte[] {0x40, 0});
    assertThat(out.relayed).containsExactly(PEER + " 09");
    assertThat(client.droppedDatagrams()).isEqualTo(3);
  }

  @Test
  void coturnSeedsReplayIntoEveryState() throws Exception {
    // Recorded by TurnClientCoturnTest: coturn's real answers, MESSAGE-INTEGRITY under our key.
    Recorder out = new Recorder();
    TurnClient client = TurnClientFuzz.replay(seed("coturn-channel-data"), out);
    assertThat(client.relayedAddress()).isNotNull();
    assertThat(out.relayed).hasSize(2);
    assertThat(out.relayed.get(0)).endsWith(HexFormat.of().formatHex("reply-0".getBytes(StandardCharsets.UTF_8)));
    assertThat(out.relayed.get(1)).endsWith(HexFormat.of().formatHex("reply-1".getBytes(StandardCharsets.UTF_8)));
    assertThat(client.sentIndications()).isEqualTo(1);
    assertThat(client.sentChannelData()).isEqualTo(1);
    assertThat(client.droppedDatagrams()).isZero();
    Recorder wrong = new Recorder();
    TurnClientFuzz.replay(seed("coturn-wrong-password"), wrong);
    assertThat(wrong.failure.reason()).isEqualTo(TurnException.Reason.UNAUTHORIZED); // coturn's second 401
  }

  private static byte[] seed(String name) throws Exception {
    try (var in = TurnClientTest.class.getResourceAsStream("/fuzz/turn/" + name)) {
      return in.readAllBytes();
    }
  }

  private static TurnException.Reason failureAfterAuth(int code) throws Exception {
    Recorder out = new Recorder();
    TurnClient client = new TurnClient(SERVER, "user", "pass", new SplittableRandom(code));
    client.start(0, out);
    feed(client, out, error(out.lastRequest(), 401, "n", null));
    feed(client, out, error(out.lastRequest(), code, "n", null));
    return out.failure.reason();
  }

  private static void feed(TurnClient client, Recorder out, byte[] datagram) {
    client.onDatagram(datagram, 0, datagram.length, 0, out);
  }

  private static byte[] error(StunMessage request, int code, String nonce, byte[] key) {
    return new StunMessageBuilder(request.type() | 0x0110, request.transactionId())
        .addErrorCode(new StunErrorCode(code, "x"))
        .add(StunAttribute.REALM, REALM.getBytes(StandardCharsets.UTF_8))
        .add(StunAttribute.NONCE, nonce.getBytes(StandardCharsets.UTF_8))
        .build(key, false);
  }

  private static byte[] allocateSuccess(StunMessage request, byte[] key, int lifetime) {
    return new StunMessageBuilder(request.type() | 0x0100, request.transactionId())
        .addXorAddress(StunAttribute.XOR_RELAYED_ADDRESS, RELAYED)
        .addXorMappedAddress(PEER)
        .add(StunAttribute.LIFETIME, new byte[] {0, 0, (byte) (lifetime >>> 8), (byte) lifetime})
        .build(key, true);
  }

  private static byte[] success(StunMessage request, byte[] key) {
    return new StunMessageBuilder(request.type() | 0x0100, request.transactionId()).build(key, false);
  }

  static final class Recorder implements TurnClient.Output {
    final List<byte[]> sent = new ArrayList<>();
    final List<String> relayed = new ArrayList<>();
    InetSocketAddress mapped;
    TurnException failure;

    StunMessage lastRequest() throws Exception {
      byte[] d = sent.get(sent.size() - 1);
      return StunMessage.parse(d, 0, d.length);
    }

    @Override
    public void sendToServer(byte[] datagram, int offset, int length) {
      sent.add(java.util.Arrays.copyOfRange(datagram, offset, offset + length));
    }

    @Override
    public void onAllocated(InetSocketAddress relayed, InetSocketAddress mapped) {
      this.mapped = mapped;
    }

    @Override
    public void onRelayed(InetSocketAddress peer, byte[] data, int offset, int length) {
      relayed.add(peer + " " + HexFormat.of().formatHex(data, offset, offset + length));
    }

    @Override
    public void onFailure(TurnException failure) {
      assertThat(this.failure).as("one failure only").isNull();
      this.failure = failure;
    }
  }
}
