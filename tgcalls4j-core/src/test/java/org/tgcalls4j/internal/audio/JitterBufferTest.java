package org.tgcalls4j.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.audio.JitterBuffer.Entry;
import org.tgcalls4j.internal.audio.JitterBuffer.Insert;

class JitterBufferTest {
  private static final int MS20 = 960;
  private static final int MS60 = 2880;

  private static byte[] payload(int seq) {
    return new byte[] {(byte) seq, (byte) (seq >> 8)};
  }

  /** Polls until null (or limit) at one instant. */
  private static List<Entry> drain(JitterBuffer jb, long now, int limit) {
    List<Entry> out = new ArrayList<>();
    for (Entry e; out.size() < limit && (e = jb.poll(now)) != null; ) {
      out.add(e);
    }
    return out;
  }

  private static List<String> describe(List<Entry> entries) {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      out.add((e.lost() ? "lost " : "") + (e.sequence() & 0xffff));
    }
    return out;
  }

  @Test
  void waitsForTheTargetDelayThenPlaysInOrder() {
    JitterBuffer jb = new JitterBuffer();
    assertThat(jb.insert(100, 0, payload(100), MS20, 1000)).isEqualTo(Insert.ACCEPTED);
    assertThat(jb.poll(1000)).isNull();
    assertThat(jb.poll(1059)).as("59 ms < 60 ms target").isNull();
    jb.insert(101, MS20, payload(101), MS20, 1020);
    Entry first = jb.poll(1060);
    assertThat(first.lost()).isFalse();
    assertThat(first.sequence()).isEqualTo(100);
    assertThat(first.payload()).isEqualTo(payload(100));
    assertThat(jb.poll(1080).sequence()).isEqualTo(101);
  }

  @Test
  void reordersPackets() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(1, 0, payload(1), MS20, 0);
    jb.insert(3, 2 * MS20, payload(3), MS20, 10);
    jb.insert(2, MS20, payload(2), MS20, 20);
    jb.insert(4, 3 * MS20, payload(4), MS20, 30);
    assertThat(describe(drain(jb, 60, 10))).containsExactly("1", "2", "3", "4");
  }

  @Test
  void dropsDuplicates() {
    JitterBuffer jb = new JitterBuffer();
    assertThat(jb.insert(7, 0, payload(7), MS20, 0)).isEqualTo(Insert.ACCEPTED);
    assertThat(jb.insert(7, 0, payload(7), MS20, 5)).isEqualTo(Insert.DUPLICATE);
    jb.insert(8, MS20, payload(8), MS20, 20);
    assertThat(describe(drain(jb, 60, 10))).containsExactly("7", "8");
    assertThat(jb.bufferedMillis()).isZero();
  }

  @Test
  void namesALossWithTheNextPayloadForFec() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(10, 1000, payload(10), MS60, 0);
    jb.insert(12, 1000 + 2 * MS60, payload(12), MS60, 120);
    List<Entry> out = drain(jb, 130, 10);
    assertThat(describe(out)).containsExactly("10", "lost 11", "12");
    Entry lost = out.get(1);
    assertThat(lost.durationSamples()).isEqualTo(MS60);
    assertThat(lost.timestamp()).isEqualTo(1000 + MS60);
    assertThat(lost.next()).as("the next packet carries FEC for this one").isEqualTo(payload(12));
    assertThat(lost.payload()).isNull();
  }

  @Test
  void aLongerGapSplitsTheTimestampSpanAndHasFecOnlyForItsLastPacket() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(10, 0, payload(10), MS20, 0);
    jb.insert(14, 4 * MS20, payload(14), MS20, 80);
    List<Entry> out = drain(jb, 100, 10);
    assertThat(describe(out)).containsExactly("10", "lost 11", "lost 12", "lost 13", "14");
    assertThat(out.subList(1, 4)).allSatisfy(e -> assertThat(e.durationSamples()).isEqualTo(MS20));
    assertThat(out.get(1).next()).isNull();
    assertThat(out.get(2).next()).isNull();
    assertThat(out.get(3).next()).isEqualTo(payload(14));
  }

  @Test
  void refusesLatePackets() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(1, 0, payload(1), MS20, 0);
    jb.insert(3, 2 * MS20, payload(3), MS20, 40);
    assertThat(describe(drain(jb, 60, 2))).containsExactly("1", "lost 2");
    assertThat(jb.insert(2, MS20, payload(2), MS20, 65)).isEqualTo(Insert.LATE);
    assertThat(jb.insert(1, 0, payload(1), MS20, 66)).isEqualTo(Insert.LATE);
    assertThat(describe(drain(jb, 70, 10))).containsExactly("3");
  }

  @Test
  void followsTheSequenceNumberAcrossItsWrap() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(65534, 0, payload(65534), MS20, 0);
    jb.insert(0, 2 * MS20, payload(0), MS20, 40); // 65535 lost
    jb.insert(1, 3 * MS20, payload(1), MS20, 60);
    List<Entry> out = drain(jb, 60, 10);
    assertThat(describe(out)).containsExactly("65534", "lost 65535", "0", "1");
    assertThat(out.get(3).sequence()).as("extended").isEqualTo(65536 + 1);
    assertThat(jb.insert(65535, MS20, payload(65535), MS20, 70)).isEqualTo(Insert.LATE);
  }

  @Test
  void estimatesALostDurationAcrossTheTimestampWrap() {
    JitterBuffer jb = new JitterBuffer();
    int ts = -MS60; // 2^32 - 2880: the next packet's timestamp wraps to 0
    jb.insert(500, ts, payload(500), MS60, 0);
    jb.insert(502, ts + 2 * MS60, payload(502), MS60, 120); // = 2880 after the wrap
    List<Entry> out = drain(jb, 130, 10);
    assertThat(describe(out)).containsExactly("500", "lost 501", "502");
    assertThat(out.get(1).durationSamples()).isEqualTo(MS60);
    assertThat(out.get(1).timestamp()).isZero();
  }

  @Test
  void anUnderrunRebuffersWithALargerTarget() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(1, 0, payload(1), MS20, 0);
    assertThat(describe(drain(jb, 60, 10))).containsExactly("1");
    assertThat(jb.underruns()).isEqualTo(1);
    assertThat(jb.targetDelayMillis()).isEqualTo(80);
    assertThat(jb.poll(159)).as("still playing 99 ms into the underrun").isNull();
    assertThat(jb.playing()).isTrue();
    assertThat(jb.poll(160)).isNull();
    assertThat(jb.playing()).as("paused after 100 ms").isFalse();
    jb.insert(3, 2 * MS20, payload(3), MS20, 200);
    assertThat(jb.poll(279)).as("waits the new 80 ms target").isNull();
    assertThat(jb.poll(280).sequence()).as("2 was concealed already").isEqualTo(3);
    assertThat(jb.underruns()).isEqualTo(1);
  }

  @Test
  void aPacketLateWithinTheUnderrunContinuesTheStream() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(1, 0, payload(1), MS20, 0);
    assertThat(jb.poll(60).sequence()).isEqualTo(1);
    assertThat(jb.poll(80)).isNull(); // underrun: the decoder conceals
    jb.insert(3, 2 * MS20, payload(3), MS20, 95); // 2 is lost
    assertThat(describe(drain(jb, 100, 5))).containsExactly("lost 2", "3");
    assertThat(jb.playing()).isTrue();
  }

  @Test
  void theTargetGrowsToTheMaximumOnly() {
    JitterBuffer jb = new JitterBuffer(60, 100);
    long now = 0;
    for (int seq = 0; seq < 10; seq++) {
      jb.insert(seq, seq * MS20, payload(seq), MS20, now);
      now += 1000;
      assertThat(jb.poll(now)).isNotNull();
      assertThat(jb.poll(now)).isNull(); // underrun
      assertThat(jb.poll(now + 100)).isNull(); // paused
    }
    assertThat(jb.targetDelayMillis()).isEqualTo(100);
  }

  @Test
  void theTargetShrinksAfterTenSecondsWithoutAnUnderrun() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(0, 0, payload(0), MS20, 0);
    drain(jb, 60, 5); // underrun: 80 ms
    long now = 200;
    int seq = 1;
    for (; now < 12_000; now += 20, seq++) {
      jb.insert(seq, seq * MS20, payload(seq), MS20, now);
      if (now >= 300) {
        assertThat(jb.poll(now)).isNotNull();
      }
    }
    assertThat(jb.underruns()).isEqualTo(1);
    assertThat(jb.targetDelayMillis()).isEqualTo(60);
  }

  @Test
  void boundsTheLatencyByDiscardingTheOldest() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(0, 0, payload(0), MS20, 0);
    jb.insert(1, MS20, payload(1), MS20, 0);
    assertThat(jb.poll(60).sequence()).isZero();
    for (int seq = 2; seq < 40; seq++) { // a burst of 760 ms
      jb.insert(seq, seq * MS20, payload(seq), MS20, 61);
    }
    Entry next = jb.poll(62);
    assertThat(jb.discarded()).isPositive();
    assertThat(jb.bufferedMillis()).isLessThanOrEqualTo(60 + 120);
    assertThat(next.sequence()).as("the oldest were dropped unplayed").isEqualTo(jb.discarded() + 1);
  }

  @Test
  void aHugeJumpRestartsTheSequence() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(100, 0, payload(100), MS20, 0);
    assertThat(jb.poll(60).sequence()).isEqualTo(100);
    assertThat(jb.insert(40_000, 12345, payload(40_000), MS20, 70)).isEqualTo(Insert.JUMP);
    assertThat(jb.insert(40_001, 12345 + MS20, payload(40_001), MS20, 90))
        .as("the next packet confirms the new sequence").isEqualTo(Insert.ACCEPTED);
    assertThat(jb.poll(91)).as("buffering again").isNull();
    assertThat(jb.poll(90 + 80).sequence()).isEqualTo(40_001);
    assertThat(jb.insert(101, MS20, payload(101), MS20, 200)).as("the old sequence")
        .isEqualTo(Insert.JUMP);
  }

  @Test
  void aLongRunOfMissingPacketsIsSkippedNotConcealed() {
    JitterBuffer jb = new JitterBuffer();
    jb.insert(0, 0, payload(0), MS20, 0);
    jb.insert(1, MS20, payload(1), MS20, 0);
    jb.insert(200, 200 * MS20, payload(200), MS20, 0);
    assertThat(describe(drain(jb, 60, 5))).containsExactly("0", "1", "200");
    assertThat(jb.skipped()).isEqualTo(198);
  }
}
