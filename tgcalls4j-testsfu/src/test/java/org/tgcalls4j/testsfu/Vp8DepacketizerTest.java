package org.tgcalls4j.testsfu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class Vp8DepacketizerTest {
  private static final int SSRC = 0x0A0B0C0D;
  private static final int PT = 100;
  /** A keyframe start: frame tag with P=0, start code, 320x240. */
  private static final byte[] KEY = HexFormat.of().parseHex("5014009d012a4001f000");
  /** An interframe start: P=1. */
  private static final byte[] INTER = HexFormat.of().parseHex("b10201");

  private static byte[] rtp(int seq, int timestamp, boolean marker, int ssrc, byte[] descriptor, byte[] payload) {
    byte[] p = new byte[12 + descriptor.length + payload.length];
    p[0] = (byte) 0x80;
    p[1] = (byte) ((marker ? 0x80 : 0) | PT);
    p[2] = (byte) (seq >>> 8);
    p[3] = (byte) seq;
    for (int i = 0; i < 4; i++) {
      p[4 + i] = (byte) (timestamp >>> (24 - 8 * i));
      p[8 + i] = (byte) (ssrc >>> (24 - 8 * i));
    }
    System.arraycopy(descriptor, 0, p, 12, descriptor.length);
    System.arraycopy(payload, 0, p, 12 + descriptor.length, payload.length);
    return p;
  }

  /** Descriptor X=1, I=1, M=1 with a 15-bit PictureID; S on the first packet. */
  private static byte[] desc(boolean start, int pictureId) {
    return new byte[] {(byte) (start ? 0x90 : 0x80), (byte) 0x80, (byte) (0x80 | pictureId >>> 8), (byte) pictureId};
  }

  /** A frame's packets: its bytes split into {@code parts} pieces. */
  private static List<byte[]> frame(int firstSeq, int timestamp, int pictureId, byte[] data, int parts) {
    List<byte[]> packets = new ArrayList<>();
    int step = (data.length + parts - 1) / parts;
    for (int i = 0; i < parts; i++) {
      byte[] piece = Arrays.copyOfRange(data, i * step, Math.min(data.length, (i + 1) * step));
      packets.add(rtp(firstSeq + i, timestamp, i == parts - 1, SSRC, desc(i == 0, pictureId), piece));
    }
    return packets;
  }

  private static byte[] bytes(byte[] head, int length, int seed) {
    byte[] b = new byte[length];
    new SplittableRandom(seed).nextBytes(b);
    System.arraycopy(head, 0, b, 0, head.length);
    return b;
  }

  private static List<Vp8Frame> pushAll(Vp8Depacketizer d, List<byte[]> packets) {
    List<Vp8Frame> out = new ArrayList<>();
    for (byte[] p : packets) {
      out.addAll(d.push(p, 0, p.length));
    }
    return out;
  }

  @Test
  void rfc7741KeyFrameInASingleRtpPacket() {
    // RFC 7741 §4.6.1: 90 80 92 67 = X=1 S=1 PartID=0, I=1, M=1 PictureID 4711
    byte[] packet = rtp(1, 9000, true, SSRC, HexFormat.of().parseHex("90809267"), KEY);
    Vp8Depacketizer d = new Vp8Depacketizer(PT, false);
    List<Vp8Frame> frames = d.push(packet, 0, packet.length);

    assertThat(frames).hasSize(1);
    Vp8Frame f = frames.get(0);
    assertThat(f.pictureId()).isEqualTo(4711);
    assertThat(f.keyFrame()).isTrue();
    assertThat(f.width()).isEqualTo(320);
    assertThat(f.height()).isEqualTo(240);
    assertThat(f.data()).isEqualTo(KEY);
    assertThat(f.rtpTimestamp()).isEqualTo(9000);
    assertThat(f.pts90kHz()).isZero();
  }

  @Test
  void rfc7741PartitionsInSeparateRtpPackets() {
    // RFC 7741 §4.6.3: partition 0 in two packets (S=1 PartID=0, then S=0 PartID=0), partition 1
    // starting in a third (S=1 PartID=1): one frame, from the S=1 PartID=0 packet to the marker
    byte[] part0a = bytes(KEY, 40, 1);
    byte[] part0b = bytes(new byte[0], 30, 2);
    byte[] part1 = bytes(new byte[0], 20, 3);
    List<byte[]> packets = List.of(
        rtp(7, 500, false, SSRC, HexFormat.of().parseHex("90809267"), part0a),
        rtp(8, 500, false, SSRC, HexFormat.of().parseHex("80809267"), part0b),
        rtp(9, 500, true, SSRC, HexFormat.of().parseHex("91809267"), part1));
    Vp8Depacketizer d = new Vp8Depacketizer(PT, false);

    // arriving partition 1 first must not start the frame
    List<Vp8Frame> frames = pushAll(d, List.of(packets.get(2), packets.get(0), packets.get(1)));
    byte[] whole = new byte[90];
    System.arraycopy(part0a, 0, whole, 0, 40);
    System.arraycopy(part0b, 0, whole, 40, 30);
    System.arraycopy(part1, 0, whole, 70, 20);
    assertThat(frames).singleElement().satisfies(f -> {
      assertThat(f.data()).isEqualTo(whole);
      assertThat(f.pictureId()).isEqualTo(4711);
      assertThat(f.keyFrame()).isTrue();
    });
  }

  @Test
  void skipsTl0PicIdxAndTidKeyIdxOctets() {
    // X=1 S=1 | I=1 L=1 T=1 K=1 | M=0 PictureID 17 (7 bits) | TL0PICIDX | TID/Y/KEYIDX, then the frame
    byte[] packet = rtp(1, 0, true, SSRC, HexFormat.of().parseHex("90f0110520"), KEY);
    // descriptor without extension: X=0, S=1, PartID 0
    byte[] plain = rtp(2, 3000, true, SSRC, new byte[] {0x10}, INTER);
    Vp8Depacketizer d = new Vp8Depacketizer(-1, false);

    List<Vp8Frame> a = d.push(packet, 0, packet.length);
    List<Vp8Frame> b = d.push(plain, 0, plain.length);
    assertThat(a).singleElement().satisfies(f -> {
      assertThat(f.pictureId()).isEqualTo(17);
      assertThat(f.data()).isEqualTo(KEY);
    });
    assertThat(b).singleElement().satisfies(f -> {
      assertThat(f.pictureId()).isEqualTo(-1);
      assertThat(f.keyFrame()).isFalse();
      assertThat(f.data()).isEqualTo(INTER);
      assertThat(f.pts90kHz()).isEqualTo(3000);
    });
  }

  @Test
  void reassemblesReorderedPacketsAcrossTheSequenceNumberWrap() {
    byte[] data = bytes(KEY, 5000, 1);
    List<byte[]> packets = new ArrayList<>(frame(65533, -100, 0x7FFF, data, 5));
    java.util.Collections.reverse(packets);
    Vp8Depacketizer d = new Vp8Depacketizer(PT, false);

    List<Vp8Frame> frames = pushAll(d, packets);
    assertThat(frames).singleElement().satisfies(f -> assertThat(f.data()).isEqualTo(data));
    // the next frame: timestamp wraps past 2^32, PictureID wraps to 0
    byte[] next = bytes(INTER, 100, 2);
    assertThat(pushAll(d, frame(2, 2900, 0, next, 1))).singleElement()
        .satisfies(f -> assertThat(f.pts90kHz()).isEqualTo(3000));
    assertThat(d.pictureIdGaps()).isZero();
    assertThat(d.framesCompleted()).isEqualTo(2);
  }

  @Test
  void dropsAFrameWithAMissingPacketAndCountsIt() {
    Vp8Depacketizer d = new Vp8Depacketizer(PT, false);
    List<byte[]> first = frame(10, 0, 1, bytes(KEY, 3000, 3), 3);
    List<byte[]> second = frame(13, 3000, 2, bytes(INTER, 3000, 4), 3);
    List<byte[]> third = frame(16, 6000, 3, bytes(INTER, 3000, 5), 3);
    List<byte[]> fourth = frame(19, 9000, 4, bytes(INTER, 3000, 6), 3);
    second.remove(1); // middle packet lost
    fourth.remove(2); // marker packet lost

    assertThat(pushAll(d, first)).hasSize(1);
    assertThat(pushAll(d, second)).isEmpty();
    assertThat(d.framesIncomplete()).isZero(); // still waiting
    assertThat(pushAll(d, third)).singleElement().satisfies(f -> assertThat(f.pictureId()).isEqualTo(3));
    assertThat(d.framesIncomplete()).isEqualTo(1);
    assertThat(pushAll(d, fourth)).isEmpty();
    d.finish();
    assertThat(d.framesIncomplete()).isEqualTo(2);
    assertThat(d.framesCompleted()).isEqualTo(2);
    assertThat(d.pictureIdGaps()).isEqualTo(1); // 1 -> 3
    // the lost packet arriving after all: late
    byte[] lateMiddle = frame(13, 3000, 2, bytes(INTER, 3000, 4), 3).get(1);
    assertThat(d.push(lateMiddle, 0, lateMiddle.length)).isEmpty();
    assertThat(d.packetsLate()).isEqualTo(1);
  }

  @Test
  void waitForKeyFrameSkipsInterFramesAfterALoss() {
    Vp8Depacketizer d = new Vp8Depacketizer(PT, true);
    List<byte[]> packets = new ArrayList<>();
    packets.addAll(frame(0, 0, 0, bytes(INTER, 50, 1), 1)); // before any keyframe: skipped
    packets.addAll(frame(1, 3000, 1, bytes(KEY, 50, 2), 1));
    packets.addAll(frame(2, 6000, 2, bytes(INTER, 50, 3), 1));
    List<byte[]> lost = frame(3, 9000, 3, bytes(INTER, 3000, 4), 3);
    lost.remove(0);
    packets.addAll(lost);
    packets.addAll(frame(6, 12000, 4, bytes(INTER, 50, 5), 1)); // after the loss: skipped
    packets.addAll(frame(7, 15000, 5, bytes(KEY, 50, 6), 1));
    packets.addAll(frame(8, 18000, 6, bytes(INTER, 50, 7), 1));

    List<Vp8Frame> frames = pushAll(d, packets);
    assertThat(frames).extracting(Vp8Frame::pictureId).containsExactly(1, 2, 5, 6);
    assertThat(frames).extracting(Vp8Frame::pts90kHz).containsExactly(0L, 3000L, 12000L, 15000L);
    assertThat(d.framesSkippedAwaitingKeyFrame()).isEqualTo(2);
    assertThat(d.framesIncomplete()).isEqualTo(1);
  }

  @Test
  void countsDuplicatesOtherSsrcsOtherPayloadTypesAndMalformedPackets() {
    Vp8Depacketizer d = new Vp8Depacketizer(PT, false);
    List<byte[]> f = frame(0, 0, 0, bytes(KEY, 100, 1), 2);
    d.push(f.get(0), 0, f.get(0).length);
    d.push(f.get(0), 0, f.get(0).length);
    byte[] other = rtp(5, 0, true, SSRC + 1, desc(true, 0), KEY);
    d.push(other, 0, other.length);
    byte[] otherPt = other.clone();
    otherPt[1] = (byte) 0x80 | 96;
    d.push(otherPt, 0, otherPt.length);
    byte[][] malformed = {
      new byte[11],
      rtp(6, 0, true, SSRC, new byte[] {(byte) 0x90}, new byte[0]), // X=1 but nothing after
      rtp(6, 0, true, SSRC, new byte[] {(byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[0]), // M=1, 1 byte
      rtp(6, 0, true, SSRC, desc(true, 0), new byte[0]), // no payload
      Arrays.copyOf(rtp(6, 0, true, SSRC, desc(true, 0), KEY), 12),
    };
    for (byte[] m : malformed) {
      d.push(m, 0, m.length);
    }
    byte[] padded = rtp(6, 0, true, SSRC, desc(true, 0), new byte[] {1, 2, (byte) 200});
    padded[0] |= 0x20; // padding count 200 exceeds the packet
    d.push(padded, 0, padded.length);

    assertThat(d.packetsDuplicate()).isEqualTo(1);
    assertThat(d.packetsOtherSsrc()).isEqualTo(1);
    assertThat(d.packetsOtherPayloadType()).isEqualTo(1);
    assertThat(d.packetsMalformed()).isEqualTo(6);
    assertThat(d.packetsReceived()).isEqualTo(10);
    assertThat(pushAll(d, List.of(f.get(1)))).singleElement()
        .satisfies(fr -> assertThat(fr.data()).isEqualTo(bytes(KEY, 100, 1)));
  }

  @Test
  void keepsAtMostMaxPendingFrames() {
    Vp8Depacketizer d = new Vp8Depacketizer(PT, false);
    for (int i = 0; i < 100; i++) {
      byte[] start = frame(i * 2, i * 3000, i, bytes(INTER, 100, i), 2).get(0);
      d.push(start, 0, start.length);
    }
    assertThat(d.framesIncomplete()).isEqualTo(100 - Vp8Depacketizer.MAX_PENDING_FRAMES);
    d.finish();
    assertThat(d.framesIncomplete()).isEqualTo(100);
  }

  /** Fuzz-style: mutated, truncated, shuffled packets of valid frames never throw and stay bounded. */
  @Test
  void hostilePacketsAreCountedNeverThrown() {
    SplittableRandom random = new SplittableRandom(42);
    List<byte[]> valid = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      valid.addAll(frame(i * 4, i * 3000, i, bytes(i % 5 == 0 ? KEY : INTER, 1 + random.nextInt(600), i), 1 + random.nextInt(4)));
    }
    long frames = 0;
    for (int round = 0; round < 2000; round++) {
      Vp8Depacketizer d = new Vp8Depacketizer(round % 2 == 0 ? PT : -1, round % 3 == 0);
      for (int n = 0; n < 60; n++) {
        byte[] p = valid.get(random.nextInt(valid.size())).clone();
        int mutations = random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
          p[random.nextInt(p.length)] ^= (byte) (1 << random.nextInt(8));
        }
        int len = random.nextInt(4) == 0 ? random.nextInt(p.length + 1) : p.length;
        byte[] buffer = new byte[len + 8];
        System.arraycopy(p, 0, buffer, 3, len);
        for (Vp8Frame f : d.push(buffer, 3, len)) {
          assertThat(f.data()).isNotEmpty();
          frames++;
        }
      }
      d.finish();
      assertThat(d.packetsReceived()).isEqualTo(60);
      assertThat(d.packetsMalformed() + d.packetsOtherSsrc() + d.packetsOtherPayloadType() + d.packetsDuplicate()
          + d.packetsLate()).isLessThanOrEqualTo(60);
    }
    assertThat(frames).isPositive();
  }

}
