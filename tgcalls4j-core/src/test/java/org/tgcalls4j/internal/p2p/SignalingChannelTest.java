package org.tgcalls4j.internal.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * {@link SignalingChannel} between two instances over a lossy, reordering, duplicating fake
 * network with a fake clock, and against hostile blobs (p2p-call.md §3.2, §3.4).
 */
class SignalingChannelTest {
  static final byte[] KEY = SignalingVectorsTest.key();

  /** One blob in flight. */
  record InFlight(long at, long order, boolean toCaller, byte[] blob) {}

  @Test
  void lossyReorderingNetworkDeliversEveryMessageOnceInOrder() {
    for (long seed = 1; seed <= 20; seed++) {
      runLossyExchange(seed);
    }
  }

  private void runLossyExchange(long seed) {
    Random random = new Random(seed);
    SignalingChannel caller = new SignalingChannel(KEY, true);
    SignalingChannel callee = new SignalingChannel(KEY, false);
    PriorityQueue<InFlight> wire = new PriorityQueue<>(
        (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    long[] order = {0};
    List<String> toCallee = new ArrayList<>();
    List<String> toCaller = new ArrayList<>();
    List<String> gotByCallee = new ArrayList<>();
    List<String> gotByCaller = new ArrayList<>();
    int messagesEachWay = 40;
    long now = 0;
    long sentBlobs = 0;
    long droppedOnWire = 0;
    final long limit = 30 * 60_000; // 30 simulated minutes

    while (now < limit) {
      // new messages at random moments during the first 20 s
      if (now < 20_000 && random.nextInt(10) == 0) {
        boolean fromCaller = random.nextBoolean();
        List<String> sentList = fromCaller ? toCallee : toCaller;
        if (sentList.size() < messagesEachWay) {
          String json = "{\"@type\":\"Candidates\",\"n\":" + sentList.size() + ",\"from\":\""
              + (fromCaller ? "caller" : "callee") + "\",\"pad\":\"" + "x".repeat(random.nextInt(300)) + "\"}";
          sentList.add(json);
          List<byte[]> blobs = (fromCaller ? caller : callee).send(json, now);
          for (byte[] b : blobs) {
            sentBlobs++;
            droppedOnWire += put(wire, random, now, !fromCaller, b, order);
          }
        }
      }
      for (boolean side : new boolean[] {true, false}) {
        SignalingChannel ch = side ? caller : callee;
        if (ch.nextPollMillis() <= now) {
          for (byte[] b : ch.poll(now)) {
            sentBlobs++;
            droppedOnWire += put(wire, random, now, !side, b, order);
          }
        }
      }
      while (!wire.isEmpty() && wire.peek().at <= now) {
        InFlight f = wire.poll();
        SignalingChannel ch = f.toCaller ? caller : callee;
        SignalingChannel.Received r = ch.receive(f.blob, now);
        (f.toCaller ? gotByCaller : gotByCallee).addAll(r.messages());
        for (byte[] b : r.replies()) {
          sentBlobs++;
          droppedOnWire += put(wire, random, now, !f.toCaller, b, order);
        }
      }
      boolean done = toCallee.size() == messagesEachWay && toCaller.size() == messagesEachWay
          && gotByCallee.size() >= messagesEachWay && gotByCaller.size() >= messagesEachWay
          && caller.unackedCount() == 0 && callee.unackedCount() == 0;
      if (done) {
        break;
      }
      now += 10;
    }
    assertThat(now).as("seed %d: simulated time to deliver and ack everything", seed).isLessThan(limit);
    assertThat(gotByCallee).as("seed %d caller→callee", seed).containsExactlyElementsOf(toCallee);
    assertThat(gotByCaller).as("seed %d callee→caller", seed).containsExactlyElementsOf(toCaller);
    assertThat(droppedOnWire).as("the network really lost blobs").isPositive();
    assertThat(sentBlobs).isPositive();
  }

  /** 20 % lost; the rest delayed 0..2 s (so reordered); 10 % of those delivered twice. */
  private static int put(PriorityQueue<InFlight> wire, Random random, long now, boolean toCaller,
      byte[] blob, long[] order) {
    if (random.nextInt(100) < 20) {
      return 1;
    }
    wire.add(new InFlight(now + random.nextInt(2000), order[0]++, toCaller, blob));
    if (random.nextInt(100) < 10) {
      wire.add(new InFlight(now + random.nextInt(4000), order[0]++, toCaller, blob.clone()));
    }
    return 0;
  }

  @Test
  void loneLostMessageIsResentAfterFiveSeconds() {
    SignalingChannel caller = new SignalingChannel(KEY, true);
    SignalingChannel callee = new SignalingChannel(KEY, false);
    caller.send("{\"@type\":\"InitialSetup\"}", 0); // lost
    assertThat(caller.nextPollMillis()).isEqualTo(5000);
    assertThat(caller.poll(4999)).isEmpty();
    List<byte[]> resend = caller.poll(5000);
    assertThat(resend).hasSize(1);
    SignalingChannel.Received r = callee.receive(resend.get(0), 5100);
    assertThat(r.messages()).containsExactly("{\"@type\":\"InitialSetup\"}");
    assertThat(r.replies()).hasSize(1);
    caller.receive(r.replies().get(0), 5200);
    assertThat(caller.unackedCount()).isZero();
  }

  @Test
  void duplicateOnlyPacketsAckAfterFiveSeconds() {
    SignalingChannel caller = new SignalingChannel(KEY, true);
    SignalingChannel callee = new SignalingChannel(KEY, false);
    byte[] first = caller.send("{\"a\":1}", 0).get(0);
    assertThat(callee.receive(first, 10).messages()).hasSize(1); // its ack is lost
    byte[] resend = caller.poll(5000).get(0);
    SignalingChannel.Received dup = callee.receive(resend, 5010);
    assertThat(dup.messages()).isEmpty();
    assertThat(dup.replies()).isEmpty(); // no new message: the ack waits for the ack timer
    assertThat(callee.nextPollMillis()).isEqualTo(10_010);
    List<byte[]> acks = callee.poll(10_010);
    assertThat(acks).hasSize(1);
    caller.receive(acks.get(0), 10_020);
    assertThat(caller.unackedCount()).isZero();
  }

  @Test
  void messageThatCannotFitIsRefused() {
    SignalingChannel ch = new SignalingChannel(KEY, true);
    // the largest message leaves room for a service packet's empty record, so it can be resent
    String fits = "x".repeat(16384 - 16 - 5 - 9);
    assertThat(ch.send(fits, 0).get(0)).hasSize(16384 - 5);
    assertThatIllegalArgumentException().isThrownBy(() -> ch.send("x".repeat(16384 - 16 - 5 - 8), 0))
        .withMessageContaining("does not fit");
    // queued behind it (unacked), the next message goes out in a service packet that also
    // resends the first one once due: both fit
    assertThat(ch.send("{}", 1)).isNotEmpty();
    List<byte[]> resend = ch.poll(10_000);
    assertThat(resend).isNotEmpty().allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(16384));
    // a two-byte character counts twice
    assertThatIllegalArgumentException().isThrownBy(() -> ch.send("é".repeat(8180), 0));
  }

  @Test
  void gzipAndZlibMessagesAreInflated() throws Exception {
    String json = "{\"@type\":\"Candidates\",\"candidates\":[]}";
    byte[] gz = gzip(json.getBytes(StandardCharsets.UTF_8));
    byte[] zl = zlib(json.getBytes(StandardCharsets.UTF_8));
    SignalingChannel callee = new SignalingChannel(KEY, false);
    SignalingCrypto peer = new SignalingCrypto(KEY, true);
    assertThat(callee.receive(peer.encrypt(plain(0x40000001, gz)), 0).messages()).containsExactly(json);
    assertThat(callee.receive(peer.encrypt(plain(0x40000002, zl)), 0).messages()).containsExactly(json);
    // a gzip bomb past 2 MiB is dropped as a message but still acknowledged
    byte[] bomb = gzip(new byte[3 * 1024 * 1024]);
    SignalingChannel.Received r = callee.receive(peer.encrypt(plain(0x40000003, bomb)), 0);
    assertThat(r.messages()).isEmpty();
    assertThat(r.replies()).hasSize(1);
    assertThat(callee.droppedMessages()).isEqualTo(1);
    assertThat(callee.droppedBlobs()).isZero();
    // truncated gzip and invalid UTF-8
    callee.receive(peer.encrypt(plain(0x40000004, Arrays.copyOf(gz, gz.length - 5))), 0);
    callee.receive(peer.encrypt(plain(0x40000005, new byte[] {(byte) 0xC3, 0x28})), 0);
    assertThat(callee.droppedMessages()).isEqualTo(3);
  }

  // --------------------------------------------------------------------------- hostile input

  @Test
  void hostileBlobsAreDroppedAndCounted() {
    SignalingChannel callee = new SignalingChannel(KEY, false);
    SignalingCrypto peer = new SignalingCrypto(KEY, true);
    SignalingCrypto wrongRole = new SignalingCrypto(KEY, false);
    byte[] good = peer.encrypt(plain(0x40000001, "{}".getBytes(StandardCharsets.UTF_8)));
    long expected = 0;

    List<byte[]> hostile = new ArrayList<>();
    hostile.add(null);
    hostile.add(new byte[0]);
    hostile.add(new byte[20]); // one short of the minimum
    hostile.add(Arrays.copyOf(good, 20));
    hostile.add(Arrays.copyOf(good, good.length - 1)); // truncated: msg_key mismatch
    hostile.add(new byte[128 * 1024 + 1]); // oversized
    byte[] badKey = good.clone();
    badKey[3] ^= 1;
    hostile.add(badKey);
    byte[] badBody = good.clone();
    badBody[good.length - 1] ^= 0x40;
    hostile.add(badBody);
    hostile.add(wrongRole.encrypt(plain(0x40000001, new byte[] {'{', '}'}))); // our own direction
    // authenticated but malformed record lists
    hostile.add(peer.encrypt(hex("00000002ff"))); // ack first
    hostile.add(peer.encrypt(hex("00000003fe00000004fe"))); // empty not first
    hostile.add(peer.encrypt(hex("00000005fe000000"))); // remainder < 5
    hostile.add(peer.encrypt(hex("000000067f00000010aabb"))); // length past the end
    hostile.add(peer.encrypt(hex("000000077fffffffff00"))); // negative length
    hostile.add(peer.encrypt(hex("000000087f00100001"))); // over 1 MiB, past the end
    hostile.add(peer.encrypt(hex("000000097f000000"))); // length field cut
    hostile.add(peer.encrypt(hex("0000000a42"))); // unknown record type
    hostile.add(peer.encrypt(hex("8000000bfe0000000cfe"))); // single-message packet with more
    hostile.add(peer.encrypt(hex("0000000dfe8000000e7f00000000"))); // single bit not first
    hostile.add(peer.encrypt(hex("0000000efe40000001ff00"))); // trailing byte
    // single-message and ack-required together (found by the fuzzer: its ack would make our next
    // packet malformed for tgcalls)
    hostile.add(peer.encrypt(hex("c00000017f000000027b7d")));
    for (byte[] blob : hostile) {
      SignalingChannel.Received r = callee.receive(blob, 0);
      assertThat(r.messages()).isEmpty();
      assertThat(r.replies()).isEmpty();
      expected++;
      assertThat(callee.droppedBlobs()).isEqualTo(expected);
    }
    // the channel still works, and a malformed packet changed nothing
    SignalingChannel.Received r = callee.receive(good, 0);
    assertThat(r.messages()).containsExactly("{}");
    // replay of the same packet
    assertThat(callee.receive(good, 0).messages()).isEmpty();
    assertThat(callee.droppedBlobs()).isEqualTo(++expected);
    // a counter 64 behind the largest is too old, 63 behind is still accepted once
    assertThat(callee.receive(peer.encrypt(hex("00000100fe")), 0).replies()).isEmpty();
    assertThat(callee.droppedBlobs()).isEqualTo(expected);
    callee.receive(peer.encrypt(hex("000000c0fe")), 0);
    assertThat(callee.droppedBlobs()).isEqualTo(++expected);
    callee.receive(peer.encrypt(hex("000000c1fe")), 0);
    assertThat(callee.droppedBlobs()).isEqualTo(expected);
    callee.receive(peer.encrypt(hex("000000c1fe")), 0);
    assertThat(callee.droppedBlobs()).isEqualTo(++expected);
  }

  @Test
  void resentMessageUnderANewPacketCounterIsDeliveredOnce() {
    SignalingChannel callee = new SignalingChannel(KEY, false);
    SignalingCrypto peer = new SignalingCrypto(KEY, true);
    byte[] record = hex("400000017f000000027b7d");
    assertThat(callee.receive(peer.encrypt(record), 0).messages()).containsExactly("{}");
    // service packet [empty #2][msg 0x40000001] and [empty #3][msg 1][msg 0x40000004]
    assertThat(callee.receive(peer.encrypt(concat(hex("00000002fe"), record)), 0).messages()).isEmpty();
    SignalingChannel.Received r = callee.receive(
        peer.encrypt(concat(hex("00000003fe"), record, hex("400000047f000000025b5d"))), 0);
    assertThat(r.messages()).containsExactly("[]");
    // the sender got the ack of #1 and resends only #4 first in a packet: the floor moves to 4
    assertThat(callee.receive(peer.encrypt(concat(hex("00000006fe"), hex("400000047f000000025b5d"))), 0)
        .messages()).isEmpty();
    // a packet from before that arrives late delivers nothing again (tgcalls' pruned set would)
    assertThat(callee.receive(peer.encrypt(concat(hex("00000005fe"), record)), 0).messages()).isEmpty();
    assertThat(callee.droppedBlobs()).isZero();
  }

  static byte[] plain(int seq, byte[] message) {
    return ByteBuffer.allocate(9 + message.length).putInt(seq).put((byte) 0x7F).putInt(message.length)
        .put(message).array();
  }

  static byte[] hex(String s) {
    return SignalingVectorsTest.HEX.parseHex(s);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  static byte[] zlib(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }
}
