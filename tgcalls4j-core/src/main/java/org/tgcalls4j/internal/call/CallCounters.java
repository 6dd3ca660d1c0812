package org.tgcalls4j.internal.call;

import java.util.List;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.PacingStats;
import org.tgcalls4j.internal.audio.IncomingAudio;
import org.tgcalls4j.internal.pc.PeerTransport;

/**
 * A call's receive counters over every transport it had: those of retired transports plus the
 * current one's. Not thread-safe: the owning session calls it under its lock.
 */
final class CallCounters {
  private long packetsReceived;
  private long rtcpReceived;
  private long dropped;

  /** Adds a transport's counters before it goes away (once per transport). */
  void retire(PeerTransport t) {
    if (t != null) {
      packetsReceived += t.packetsReceived();
      rtcpReceived += t.rtcpReceived();
      dropped += t.droppedIncoming();
    }
  }

  /** A snapshot of the call's counters; the sender and incoming audio are read without a lock. */
  static final class Snapshot {
    private final long packetsReceived;
    private final long rtcpReceived;
    private final long dropped;

    private Snapshot(long packetsReceived, long rtcpReceived, long dropped) {
      this.packetsReceived = packetsReceived;
      this.rtcpReceived = rtcpReceived;
      this.dropped = dropped;
    }

    /**
     * @param sender the call's audio track, or null before its first connect
     * @param incoming the call's received audio, or null without a listener
     * @return the public statistics
     */
    CallStats toStats(AudioSender sender, IncomingAudio incoming) {
      RemoteReport report = sender == null ? RemoteReport.NONE : sender.remoteReport();
      long droppedAll = dropped + (incoming == null ? 0 : incoming.droppedPackets());
      return new CallStats(sender == null ? 0 : sender.packetsSent(),
          sender == null ? 0 : sender.payloadBytesSent(), sender == null ? 0 : sender.rtcpSent(),
          packetsReceived, rtcpReceived, droppedAll,
          sender == null ? -1 : sender.connectToFirstPacketMillis(),
          sender == null ? 0 : sender.totalMediaMillis(), report.fractionLost(),
          report.jitterMillis(), incoming == null ? List.of() : incoming.stats(),
          sender == null ? PacingStats.NONE : sender.pacingStats());
    }
  }

  /**
   * @param current the current transport, or null
   * @return the counters now, retired and current
   */
  Snapshot snapshot(PeerTransport current) {
    long received = packetsReceived;
    long rtcp = rtcpReceived;
    long droppedNow = dropped;
    if (current != null) {
      received += current.packetsReceived();
      rtcp += current.rtcpReceived();
      droppedNow += current.droppedIncoming();
    }
    return new Snapshot(received, rtcp, droppedNow);
  }
}
