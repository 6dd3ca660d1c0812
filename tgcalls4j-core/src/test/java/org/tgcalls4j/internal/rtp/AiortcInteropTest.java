package org.tgcalls4j.internal.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPacket.Feedback;
import org.tgcalls4j.internal.rtcp.RtcpPacket.FeedbackType;
import org.tgcalls4j.internal.rtcp.RtcpPacket.ReceiverReport;
import org.tgcalls4j.internal.rtcp.RtcpPacket.ReportBlock;
import org.tgcalls4j.internal.rtcp.RtcpPackets;

/** Cross-checks RTP and RTCP against aiortc, an independent implementation (Debian python3-aiortc). */
@Timeout(60)
class AiortcInteropTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  @Test
  void aiortcAgreesWithOurPacketsAndWeAgreeWithItsRtcp(@TempDir Path dir) throws Exception {
    byte[] rtp = new OpusRtpPacketizer(0x12345678, 111, 1, new ScriptedRandom(0xFFFF, 0xFFFFFC40))
        .packetize(new byte[] {(byte) 0xFC, 0x01, 0x02}, 960, 20, true);
    byte[] sr = RtcpPackets.senderReportWithCname(0x91223344, 1_700_000_000_500L, 0xFFFF0000, 100, 8000, "abc");

    Map<String, String[]> out = runOracle(dir, HexFormat.of().formatHex(rtp), HexFormat.of().formatHex(sr));

    // version, marker, PT, sequence number, timestamp, SSRC, V flag, level, payload
    assertThat(out.get("rtp")).containsExactly("2", "1", "111", "65535", "4294966336", "305419896", "1", "20", "fc0102");
    // SSRC, NTP (0xE8FE6F80_80000000), RTP timestamp, packet count, octet count, report count
    assertThat(out.get("sr")).containsExactly("2434937668", "16788979058577768448", "4294901760", "100", "8000", "0");
    assertThat(out.get("sdes")).containsExactly("2434937668", "1", "abc");

    byte[] compound = HexFormat.of().parseHex(out.get("compound")[0]);
    List<RtcpPacket> packets = RtcpPackets.parseCompound(compound, 0, compound.length);
    assertThat(packets).hasSize(4);
    assertThat(packets.get(0)).isEqualTo(new ReceiverReport(0x0A0B0C0D,
        List.of(new ReportBlock(0x11223344, 64, -2, 0x1FFFF, 42, 0x6F808000L, 0x18000))));
    Feedback nack = (Feedback) packets.get(1);
    assertThat(nack.type()).isEqualTo(FeedbackType.NACK);
    assertThat(nack.nackedSequenceNumbers()).containsExactly(100, 101, 103);
    assertThat(((Feedback) packets.get(2)).type()).isEqualTo(FeedbackType.PLI);
    Feedback remb = (Feedback) packets.get(3);
    assertThat(remb.type()).isEqualTo(FeedbackType.REMB);
    assertThat(remb.rembBitrateBps()).isEqualTo(1_000_000);
  }

  /** @return each output line keyed by its first word */
  private static Map<String, String[]> runOracle(Path dir, String... args) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");
    Path script = dir.resolve("aiortc_oracle.py");
    try (InputStream in = AiortcInteropTest.class.getResourceAsStream("aiortc_oracle.py")) {
      Files.write(script, in.readAllBytes());
    }
    Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import aiortc").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0, "aiortc not installed");
    } finally {
      probe.destroyForcibly();
    }
    Path log = dir.resolve("oracle.txt");
    Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), args[0], args[1]).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("oracle finished").isTrue();
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(output).isZero();
      Map<String, String[]> lines = new HashMap<>();
      for (String line : output.split("\n")) {
        String[] words = line.trim().split(" ");
        lines.put(words[0], Arrays.copyOfRange(words, 1, words.length));
      }
      return lines;
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
