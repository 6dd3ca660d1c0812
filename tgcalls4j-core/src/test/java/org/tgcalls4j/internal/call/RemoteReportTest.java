package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RemoteReportTest {
  private static final int OUR_SSRC = 0x11223344;

  /** RFC 3550 §6.4.2 receiver report from SSRC 0xAABBCCDD with one block about OUR_SSRC. */
  private static final byte[] RECEIVER_REPORT = {
      (byte) 0x81, (byte) 201, 0x00, 0x07,                       // V=2, RC=1, PT=RR, length 7 words - 1
      (byte) 0xAA, (byte) 0xBB, (byte) 0xCC, (byte) 0xDD,        // reporter SSRC
      0x11, 0x22, 0x33, 0x44,                                    // SSRC_1 = ours
      0x40, 0x00, 0x00, 0x05,                                    // fraction lost 64/256, cumulative 5
      0x00, 0x00, 0x01, 0x00,                                    // extended highest sequence
      0x00, 0x00, 0x00, (byte) 0x90,                             // jitter 144 (48 kHz units)
      0x00, 0x00, 0x00, 0x00,                                    // LSR
      0x00, 0x00, 0x00, 0x00};                                   // DLSR

  @Test
  void readsLossAndJitterOfOurStreamFromAReceiverReport() {
    RemoteReport report = RemoteReport.find(RECEIVER_REPORT, OUR_SSRC);
    assertThat(report.fractionLost()).isEqualTo(0.25);
    assertThat(report.jitterMillis()).isEqualTo(3.0);
  }

  @Test
  void ignoresReportsAboutOtherStreams() {
    assertThat(RemoteReport.find(RECEIVER_REPORT, 0x01020304)).isNull();
  }

  @Test
  void aTruncatedCompoundPacketYieldsNoReportInsteadOfThrowing() {
    byte[] truncated = java.util.Arrays.copyOf(RECEIVER_REPORT, 8);
    assertThat(RemoteReport.find(truncated, OUR_SSRC)).isNull();
  }
}
