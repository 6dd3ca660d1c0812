package org.tgcalls4j.internal.reflector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.ice.ReflectorAddress;

class ReflectorClientTest {
  static final byte[] PEER_TAG = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
  static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 599);
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Records what the client produces. */
  static final class Recorder implements ReflectorClient.Output {
    final List<byte[]> sent = new ArrayList<>();
    final List<InetSocketAddress> ready = new ArrayList<>();
    final List<InetSocketAddress> relayedFrom = new ArrayList<>();
    final List<byte[]> relayed = new ArrayList<>();
    final List<Long> unanswered = new ArrayList<>();

    @Override
    public void sendToServer(byte[] datagram, int offset, int length) {
      sent.add(Arrays.copyOfRange(datagram, offset, offset + length));
    }

    @Override
    public void onReady(InetSocketAddress candidate) {
      ready.add(candidate);
    }

    @Override
    public void onRelayed(InetSocketAddress from, byte[] data, int offset, int length) {
      relayedFrom.add(from);
      relayed.add(Arrays.copyOfRange(data, offset, offset + length));
    }

    @Override
    public void onUnanswered(long waitedMillis) {
      unanswered.add(waitedMillis);
    }
  }

  @Test
  void helloMatchesTheSpecVector() {
    // p2p-call.md §7: peer_tag 00112233445566778899aabbccddeeff, T = 0x01020304
    assertThat(HexFormat.of().formatHex(ReflectorClient.hello(PEER_TAG, 0x01020304L)))
        .isEqualTo("00112233445566778899aabb04030201" + "ffffffffffffffffffffffff" + "feffffff"
            + "000000000000007b");
  }

  @Test
  void helloEvery500MsUntilTheFirstAnswerThenEvery10Seconds() {
    ReflectorClient client = new ReflectorClient(SERVER, 2, PEER_TAG, 3735928559L, 10_000);
    Recorder out = new Recorder();
    long t = 1_000 * MS;
    client.start(t, out);
    assertThat(out.sent).hasSize(1);
    assertThat(client.onTimer(t + 499 * MS, out)).isEqualTo(t + 500 * MS);
    assertThat(out.sent).hasSize(1);
    assertThat(client.onTimer(t + 500 * MS, out)).isEqualTo(t + 1_000 * MS);
    assertThat(out.sent).hasSize(2).allSatisfy(h ->
        assertThat(h).isEqualTo(ReflectorClient.hello(PEER_TAG, 3735928559L)));
    assertThat(out.ready).isEmpty();
    assertThat(client.isReady()).isFalse();

    // any datagram with the call's 12-byte tag makes the port ready: here the echoed hello
    client.onDatagram(out.sent.get(0), 0, 40, t + 600 * MS, out);
    assertThat(out.ready).containsExactly(ReflectorAddress.of(2, 3735928559L, 599));
    assertThat(ReflectorAddress.hostname(out.ready.get(0))).isEqualTo("reflector-2-3735928559.reflector");
    assertThat(out.relayed).as("a service reply carries nothing").isEmpty();
    assertThat(client.onTimer(t + 1_000 * MS, out)).isEqualTo(t + 10_600 * MS);
    assertThat(out.sent).hasSize(2);
    client.onTimer(t + 10_600 * MS, out);
    assertThat(out.sent).hasSize(3);
    client.onDatagram(out.sent.get(0), 0, 40, t + 10_700 * MS, out);
    assertThat(out.ready).as("ready once").hasSize(1);
    assertThat(client.droppedDatagrams()).isZero();
  }

  @Test
  void sendFramesForThePeersTagAndReceiveUnwrapsFromTheSendersTag() {
    ReflectorClient client = new ReflectorClient(SERVER, 2, PEER_TAG, 0x01020304L, 10_000);
    Recorder out = new Recorder();
    client.start(0, out);
    InetSocketAddress peer = ReflectorAddress.of(2, 0xAABBCCDDL, 599);
    byte[] payload = {1, 2, 3, 4, 5};
    client.send(peer, payload, 0, payload.length, out);
    assertThat(out.sent).as("nothing before ready").hasSize(1);
    client.onDatagram(ReflectorClient.hello(PEER_TAG, 0x01020304L), 0, 40, 1, out);

    client.send(peer, new byte[] {9, 1, 2, 3, 4, 5, 9}, 1, 5, out);
    assertThat(HexFormat.of().formatHex(out.sent.get(1))).isEqualTo(
        "00112233445566778899aabb" + "ddccbbaa" + "04030201" + "00000005" + "0102030405" + "000000");
    assertThat(client.relayedSent()).isEqualTo(1);

    // the same frame coming the other way: from tag 0xAABBCCDD to us
    byte[] in = HexFormat.of().parseHex("00112233445566778899aabb" + "04030201" + "ddccbbaa"
        + "00000005" + "0102030405" + "000000");
    client.onDatagram(in, 0, in.length, 2, out);
    assertThat(out.relayedFrom).containsExactly(peer);
    assertThat(out.relayed.get(0)).containsExactly(1, 2, 3, 4, 5);
    assertThat(client.relayedReceived()).isEqualTo(1);
  }

  @Test
  void foreignMalformedAndUnroutableDatagramsAreCountedAndDropped() {
    ReflectorClient client = new ReflectorClient(SERVER, 2, PEER_TAG, 7, 10_000);
    Recorder out = new Recorder();
    client.start(0, out);
    byte[] otherCall = ReflectorClient.hello(HexFormat.of().parseHex("ff112233445566778899aabbccddeeff"), 7);
    client.onDatagram(otherCall, 0, otherCall.length, 1, out);
    client.onDatagram(new byte[15], 0, 15, 1, out);
    assertThat(out.ready).as("neither makes the port ready").isEmpty();
    assertThat(client.droppedDatagrams()).isEqualTo(2);

    client.onDatagram(ReflectorClient.hello(PEER_TAG, 9), 0, 40, 1, out);
    assertThat(out.ready).hasSize(1);
    byte[] tooLong = HexFormat.of().parseHex("00112233445566778899aabb" + "07000000" + "08000000"
        + "00000009" + "01020304");
    client.onDatagram(tooLong, 0, tooLong.length, 2, out);
    byte[] zeroSender = HexFormat.of().parseHex("00112233445566778899aabb" + "07000000" + "00000000"
        + "00000001" + "01000000");
    client.onDatagram(zeroSender, 0, zeroSender.length, 2, out);
    assertThat(out.relayed).isEmpty();
    assertThat(client.droppedDatagrams()).isEqualTo(4);

    // only reflector candidates of this reflector (id and port) can be sent to
    byte[] p = {1};
    client.send(new InetSocketAddress(InetAddress.getLoopbackAddress(), 599), p, 0, 1, out);
    client.send(ReflectorAddress.of(3, 5, 599), p, 0, 1, out);
    client.send(ReflectorAddress.of(2, 5, 600), p, 0, 1, out);
    client.send(ReflectorAddress.of(2, 5, 599), new byte[ReflectorClient.MAX_PAYLOAD_BYTES + 1], 0,
        ReflectorClient.MAX_PAYLOAD_BYTES + 1, out);
    assertThat(out.sent).hasSize(1);
    assertThat(client.droppedDatagrams()).isEqualTo(8);
  }

  @Test
  void aReflectorThatNeverAnswersIsReportedOnceAtTheTimeout() {
    ReflectorClient client = new ReflectorClient(SERVER, 1, PEER_TAG, 1, 2_000);
    Recorder out = new Recorder();
    client.start(0, out);
    long t = 0;
    long next;
    while ((next = client.onTimer(t, out)) != Long.MAX_VALUE) {
      assertThat(next).isGreaterThan(t);
      t = next;
    }
    assertThat(t).isEqualTo(2_000 * MS);
    assertThat(out.unanswered).containsExactly(2_000L);
    assertThat(out.sent).hasSize(4); // at 0, 500, 1000, 1500 ms
    client.onDatagram(ReflectorClient.hello(PEER_TAG, 1), 0, 40, t + 1, out);
    assertThat(out.ready).as("inert after giving up").isEmpty();
    assertThat(client.onTimer(t + 10_000 * MS, out)).isEqualTo(Long.MAX_VALUE);
    assertThat(out.unanswered).hasSize(1);
  }

  @Test
  void closedPortIsInert() {
    ReflectorClient client = new ReflectorClient(SERVER, 1, PEER_TAG, 1, 2_000);
    Recorder out = new Recorder();
    client.start(0, out);
    client.onDatagram(ReflectorClient.hello(PEER_TAG, 1), 0, 40, 1, out);
    client.close();
    client.send(ReflectorAddress.of(1, 5, 599), new byte[1], 0, 1, out);
    assertThat(client.onTimer(20_000 * MS, out)).isEqualTo(Long.MAX_VALUE);
    assertThat(out.sent).hasSize(1);
    assertThat(client.isReady()).isFalse();
  }

  @Test
  void constructorRejectsBadArguments() {
    assertThatThrownBy(() -> new ReflectorClient(SERVER, 0, PEER_TAG, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id");
    assertThatThrownBy(() -> new ReflectorClient(SERVER, 1, new byte[15], 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes");
    assertThatThrownBy(() -> new ReflectorClient(SERVER, 1, PEER_TAG, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag");
    assertThatThrownBy(() -> new ReflectorClient(InetSocketAddress.createUnresolved("r", 599), 1,
        PEER_TAG, 1, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
  }

  @Test
  void reflectorAddressesAreDistinctFromRealOnes() throws Exception {
    InetSocketAddress a = ReflectorAddress.of(255, 0xFFFF_FFFFL, 599);
    assertThat(ReflectorAddress.isReflector(a)).isTrue();
    assertThat(ReflectorAddress.reflectorId(a)).isEqualTo(255);
    assertThat(ReflectorAddress.tag(a)).isEqualTo(0xFFFF_FFFFL);
    assertThat(ReflectorAddress.parse(ReflectorAddress.hostname(a), 599)).isEqualTo(a);
    assertThat(ReflectorAddress.isReflector(new InetSocketAddress(InetAddress.getByName("::1"), 599))).isFalse();
    assertThat(ReflectorAddress.isReflector(new InetSocketAddress(InetAddress.getByName("100::1"), 599))).isFalse();
    assertThat(ReflectorAddress.isReflector(new InetSocketAddress("127.0.0.1", 599))).isFalse();
    assertThat(ReflectorAddress.isReflector(InetSocketAddress.createUnresolved("x", 1))).isFalse();
  }
}
