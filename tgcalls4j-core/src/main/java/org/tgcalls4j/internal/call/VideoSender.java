package org.tgcalls4j.internal.call;

import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.VideoStats;
import org.tgcalls4j.internal.pacing.MediaTimeline;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.internal.pacing.PacingWheel;
import org.tgcalls4j.internal.pc.MediaTrack;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPackets;
import org.tgcalls4j.internal.rtp.Vp8PayloadHeader;
import org.tgcalls4j.internal.rtp.Vp8RtpPacketizer;
import org.tgcalls4j.internal.signaling.VideoSendParameters;
import org.tgcalls4j.internal.transport.Loops;

/**
 * The camera video track of one group call (group-call.md §5.2-§5.6), paced on the call's event
 * loop as the audio is ({@link PacingWheel}: no thread of its own): reads VP8 frames from the
 * current {@link AudioVideoSource}, paces each on the call's {@link MediaTimeline} (the audio
 * sender's baseline, so both tracks stay in lip sync),
 * packetizes them (RFC 7741, with the abs-send-time and video-orientation extensions the answer
 * lists, RFC 8285 one-byte form) and sends them on the video SSRC. It keeps the last
 * {@value #HISTORY_PACKETS} packets and answers generic NACKs (RFC 4585 §6.2.1) with RTX
 * retransmissions on the FID partner SSRC (RFC 4588 §4: the original sequence number first in the
 * payload, the RTX payload type, RTX's own sequence numbers). PLI and FIR (RFC 4585 §6.3.1,
 * RFC 5104 §4.3.1) are counted: ffmpeg cannot be asked for a keyframe while running, so the
 * source is encoded with a keyframe at least every second and the sender records how long after a
 * request the next keyframe left (requests while one is pending are coalesced). REMB and
 * transport-cc feedback are read into {@link #stats()}. An RTCP sender report with the audio
 * track's CNAME goes out every second (RFC 3550 §6.4.1, §6.5.1), and a padding-only keep-alive
 * on the video SSRC after two seconds without video (§5.6).
 *
 * <p>Control: while the call is muted, frames are still read on their deadlines (the position
 * runs on, as the audio's does) but not sent, so receivers hold the last frame; after the unmute
 * delta frames are dropped until the next keyframe (at most the source's keyframe interval), so a
 * receiver never decodes a frame whose references it did not get. While the source is paused or
 * held the frame read is kept; on resume it waits for the audio's new baseline (the old one plus
 * the time stopped, {@link MediaTimeline}'s epoch), so nothing is sent to catch up. A seek or
 * source change is a new source: its first frame (an ffmpeg's first, a keyframe) starts its own
 * baseline.
 *
 * <p>Overload: the video shares the audio's baseline and the client's lateness limit. A frame
 * that the loop reaches more than the limit after its deadline although it was read in time is
 * dropped (counted in {@link VideoStats#framesDroppedLate}, reported to the call's
 * {@link LateDrops}); since the next delta frames reference it, they are dropped too until the
 * next keyframe. ffmpeg cannot be asked for one, so that wait is at most the source's keyframe
 * interval (1 s for the sources the library encodes; an IVF file's own interval). A frame late
 * because its reader had nothing until after its deadline (ffmpeg stalled) goes out at once, as
 * before: a source stall is the audio's to rebase.
 *
 * <p>Threads: a {@link PacingWheel.Paced} task on the call's loop paces and sends; a source whose
 * video waits on ffmpeg's output is read a few frames ahead by a thread of its own
 * ({@link VideoFrames#readAhead}, the thread that ffmpeg child needs anyway), an IVF file is read
 * on the loop. A video end is reported off the loop ({@link VideoEndListener} may wait): on that
 * reader's thread, or for a file on the client's control pool. {@link #onRtcp} runs on the
 * transport's loop, the same loop, and sends retransmissions itself; the history keeps its own
 * lock for tests and {@link #stats()} from other threads (uncontended on the loop).
 */
final class VideoSender implements MediaTrack {
  private static final Logger log = LoggerFactory.getLogger(VideoSender.class);
  /** Packets kept for retransmission: about 2 s of 1 Mbit/s video at 1200-byte packets. */
  static final int HISTORY_PACKETS = 512;
  private static final long SENDER_REPORT_INTERVAL_NANOS = 1_000_000_000L;
  /** Keep-alive period without video (group-call.md §5.6, gotgcall's 2 s). */
  static final long KEEPALIVE_INTERVAL_NANOS = 2_000_000_000L;
  /** A NACKed packet is retransmitted at most once per this interval. */
  static final long RETRANSMIT_MIN_INTERVAL_NANOS = 100_000_000L;
  /** How long the video waits for the audio's baseline of a new source before making its own. */
  private static final long ORIGIN_WAIT_NANOS = 1_000_000_000L;
  /** Poll while waiting for the audio to publish a baseline: its first frame leaves at once. */
  private static final long ORIGIN_POLL_NANOS = 2_000_000L;
  /** How often a sender without video to send (none, audio only, paused, ended) looks again. */
  private static final long IDLE_POLL_NANOS = 20_000_000L;
  /** How soon a sender whose ffmpeg reader has no frame yet asks again. */
  private static final long SOURCE_POLL_NANOS = 2_000_000L;
  /** Most frames one turn sends when it is behind; the rest go at the next tick (1 ms). */
  private static final int MAX_FRAMES_PER_TURN = 8;
  private static final int KEEPALIVE_PADDING_BYTES = 4;
  private static final int ONE_BYTE_PROFILE = 0xBEDE;
  private static final int RTX_PAYLOAD_OFFSET_BYTES = 2;

  private final long chatId;
  private final int rtxSsrc;
  private final VideoSendParameters params;
  private final Vp8RtpPacketizer packetizer;
  private final SourceSlot sources;
  private final MediaTimeline timeline;
  private final String cname;
  private final SessionConfig config;
  private final RtpOutput wire;
  private final NanoClock clock;
  private final VideoEndListener onVideoEnd;
  private final ThreadFactory threads;
  private final PacingWheel wheel;
  private final IoEventLoop loop;
  private final Pump pump;
  private volatile boolean closed;
  private volatile boolean started;

  // history: guarded by itself; indexed by sequence number modulo HISTORY_PACKETS
  private final byte[][] history = new byte[HISTORY_PACKETS][];
  private final int[] historySeq = new int[HISTORY_PACKETS];
  private final long[] historyRetransmitNanos = new long[HISTORY_PACKETS];
  private int rtxSequenceNumber;

  // the loop only (and a test's thread before start())
  private long lastReportNanos;
  private long lastVideoNanos;
  private long timestampOffset90k;
  private long lastMedia90k = -1;
  private int rtpTimestampBase;
  private boolean baseKnown;
  private long currentOriginOffset90k; // offset of the source being played
  private Object currentSource;
  /** A frame was skipped for a mute: send nothing until the next keyframe. */
  private boolean awaitingKeyFrame;
  /** Whether the first frame after the last mute was seen (a pending request restarted). */
  private boolean unmuteSeen;

  // counters, any thread
  private final AtomicLong framesSent = new AtomicLong();
  private final AtomicLong keyFramesSent = new AtomicLong();
  private final AtomicLong rtxPacketsSent = new AtomicLong();
  private final AtomicLong nacksReceived = new AtomicLong();
  private final AtomicLong nackedPacketsMissing = new AtomicLong();
  private final AtomicLong pliReceived = new AtomicLong();
  private final AtomicLong firReceived = new AtomicLong();
  private final AtomicLong keyFrameRequestsCoalesced = new AtomicLong();
  private final AtomicLong transportCcReceived = new AtomicLong();
  private final AtomicLong keepalivesSent = new AtomicLong();
  private final AtomicLong framesSkippedMuted = new AtomicLong();
  private final AtomicLong framesDroppedLate = new AtomicLong();
  /** Where drops are reported: the audio track's (shared), or the sender's own until then. */
  private volatile LateDrops lateDrops;
  private volatile long rembBitrateBps = -1;
  private volatile long rtcpSent;
  private volatile long pendingKeyFrameRequestNanos = -1;
  private volatile long lastKeyFrameDelayMillis = -1;
  private volatile long maxKeyFrameDelayMillis = -1;

  /**
   * Told, off the loop (on the ffmpeg reader's thread, or for a file on the client's control
   * pool), that the video stream of a source ended.
   */
  @FunctionalInterface
  interface VideoEndListener {
    /**
     * Called once per source whose video stream reached its end or failed while the sender was
     * reading it (also when the source was just replaced or closed: the listener checks). May
     * block briefly: it never runs on the loop, and the sender goes on meanwhile (keep-alives,
     * reports, a next source).
     *
     * @param av the source
     * @param readError why reading failed, or null at a clean end of the stream
     * @throws InterruptedException if the sender is closed meanwhile
     */
    void videoEnded(AudioVideoSource av, IOException readError) throws InterruptedException;
  }

  /** A sender that reports no video end (tests of pacing and RTCP). */
  VideoSender(long chatId, int ssrc, int rtxSsrc, VideoSendParameters params, SourceSlot sources,
      MediaTimeline timeline, String cname, SessionConfig config, PacingWheel wheel,
      ThreadFactory threads, RtpOutput wire, NanoClock clock) {
    this(chatId, ssrc, rtxSsrc, params, sources, timeline, cname, config, wheel, threads, wire,
        clock, (av, error) -> { });
  }

  /**
   * @param ssrc the video SSRC ({@code V}, group-call.md §5.3)
   * @param rtxSsrc its FID partner ({@code V+1})
   * @param params payload types and extension ids from the answer
   * @param sources the call's source slot; only {@link AudioVideoSource}s carry video
   * @param timeline the baseline the audio sender publishes
   * @param cname the audio track's CNAME, so receivers synchronize the two (RFC 3550 §6.5.1)
   * @param config the call's settings; its control pool reports an IVF file's video end
   * @param wheel the pacing wheel of the call's loop (the audio sender's)
   * @param threads makes the read-ahead thread of a source whose video waits on ffmpeg (which
   *     also reports that video's end)
   * @param clock the pacing clock, {@link NanoClock#SYSTEM} outside tests (the wheel's clock)
   * @param onVideoEnd told when a source's video stream ends
   */
  VideoSender(long chatId, int ssrc, int rtxSsrc, VideoSendParameters params, SourceSlot sources,
      MediaTimeline timeline, String cname, SessionConfig config, PacingWheel wheel,
      ThreadFactory threads, RtpOutput wire, NanoClock clock, VideoEndListener onVideoEnd) {
    this.chatId = chatId;
    this.rtxSsrc = rtxSsrc;
    this.params = params;
    this.packetizer = new Vp8RtpPacketizer(ssrc, params.vp8PayloadType(),
        Vp8RtpPacketizer.DEFAULT_MAX_PAYLOAD_BYTES - 8, config.random()); // room for extensions
    this.rtxSequenceNumber = config.random().nextInt(0x10000);
    this.sources = sources;
    this.timeline = timeline;
    this.cname = cname;
    this.config = config;
    this.wire = wire;
    this.clock = clock;
    this.onVideoEnd = onVideoEnd;
    this.lateDrops = new LateDrops(chatId, config.pacingOverload(), null);
    this.threads = threads;
    this.wheel = wheel;
    this.loop = wheel.loop();
    java.util.Arrays.fill(historySeq, -1);
    this.pump = new Pump();
  }

  /**
   * Reports this track's dropped frames with the audio track's, so the call's overload event
   * counts both and stays within its rate; call before {@link #start()}.
   */
  void shareLateDrops(LateDrops drops) {
    this.lateDrops = drops;
  }

  /**
   * Runs one turn of the pump on the caller's thread, without the wheel (tests that drive the
   * clock themselves; the sender must not be {@link #start()}ed).
   *
   * @param nowNanos the time of the turn on this sender's clock (the pump reads its clock too)
   * @return the next deadline the pump asks for, or {@link Long#MAX_VALUE}
   */
  long runTurn(long nowNanos) {
    return pump.onDue(nowNanos);
  }

  /** Starts sending on the loop; once. Any thread. */
  void start() {
    if (!started) {
      started = true;
      Loops.execute(loop, () -> {
        if (!closed) {
          wheel.schedule(pump, clock.nanoTime());
        }
      });
    }
  }

  @Override
  public int[] ssrcs() {
    return new int[] {packetizer.ssrc(), rtxSsrc};
  }

  /** @return the counters now; any thread */
  VideoStats stats() {
    long packets;
    long octets;
    long frames;
    synchronized (history) {
      packets = packetizer.packetCount();
      octets = packetizer.octetCount();
    }
    frames = framesSent.get();
    return new VideoStats(packetizer.ssrc(), rtxSsrc, frames, keyFramesSent.get(), packets, octets,
        rtxPacketsSent.get(), nacksReceived.get(), nackedPacketsMissing.get(), pliReceived.get(),
        firReceived.get(), keyFrameRequestsCoalesced.get(), lastKeyFrameDelayMillis,
        maxKeyFrameDelayMillis, rembBitrateBps, transportCcReceived.get(), rtcpSent,
        keepalivesSent.get(), framesSkippedMuted.get(), framesDroppedLate.get());
  }

  @Override
  public void onRtcp(RtcpPacket packet) {
    if (!(packet instanceof RtcpPacket.Feedback feedback)) {
      return; // report blocks about video are not used yet
    }
    switch (feedback.type()) {
      case NACK -> {
        if (feedback.mediaSsrc() == packetizer.ssrc()) {
          nacksReceived.incrementAndGet();
          retransmit(feedback.nackedSequenceNumbers(), clock.nanoTime());
        }
      }
      case PLI -> {
        pliReceived.incrementAndGet();
        requestKeyFrame();
      }
      case FIR -> {
        firReceived.incrementAndGet();
        requestKeyFrame();
      }
      case REMB -> rembBitrateBps = feedback.rembBitrateBps();
      case TRANSPORT_CC -> transportCcReceived.incrementAndGet();
      default -> { }
    }
  }

  private void requestKeyFrame() {
    if (pendingKeyFrameRequestNanos >= 0) {
      keyFrameRequestsCoalesced.incrementAndGet();
      return;
    }
    pendingKeyFrameRequestNanos = clock.nanoTime();
  }

  /** Sends RTX copies of the NACKed packets still in the history (RFC 4588 §4). */
  void retransmit(List<Integer> sequenceNumbers, long nowNanos) {
    for (int seq : sequenceNumbers) {
      byte[] rtx;
      synchronized (history) {
        int slot = seq % HISTORY_PACKETS;
        byte[] original = history[slot];
        if (original == null || historySeq[slot] != seq || params.rtxPayloadType() < 0) {
          nackedPacketsMissing.incrementAndGet();
          continue;
        }
        if (historyRetransmitNanos[slot] != 0
            && nowNanos - historyRetransmitNanos[slot] < RETRANSMIT_MIN_INTERVAL_NANOS) {
          continue;
        }
        historyRetransmitNanos[slot] = nowNanos == 0 ? 1 : nowNanos;
        rtx = rtxPacket(original, rtxSequenceNumber, nowNanos);
        rtxSequenceNumber = (rtxSequenceNumber + 1) & 0xFFFF;
      }
      if (wire.sendRtp(rtx)) {
        rtxPacketsSent.incrementAndGet();
      }
    }
  }

  /** RFC 4588 §4: the original header with RTX's SSRC, payload type and sequence, then OSN + payload. */
  private byte[] rtxPacket(byte[] original, int sequenceNumber, long nowNanos) {
    int headerBytes = headerLength(original);
    byte[] p = new byte[original.length + RTX_PAYLOAD_OFFSET_BYTES];
    System.arraycopy(original, 0, p, 0, headerBytes);
    p[1] = (byte) ((original[1] & 0x80) | params.rtxPayloadType());
    p[2] = (byte) (sequenceNumber >>> 8);
    p[3] = (byte) sequenceNumber;
    putInt(p, 8, rtxSsrc);
    p[headerBytes] = original[2]; // OSN
    p[headerBytes + 1] = original[3];
    System.arraycopy(original, headerBytes, p, headerBytes + 2, original.length - headerBytes);
    if (params.absSendTimeId() != 0 && (original[0] & 0x10) != 0) {
      putAbsSendTime(p, 17, nowNanos); // the first element, see withExtensions
    }
    return p;
  }

  private static int headerLength(byte[] rtp) {
    int length = 12 + 4 * (rtp[0] & 0x0F);
    if ((rtp[0] & 0x10) != 0) {
      length += 4 + 4 * (((rtp[length + 2] & 0xFF) << 8) | (rtp[length + 3] & 0xFF));
    }
    return length;
  }

  /**
   * Packetizes and sends one frame, keeping its packets for retransmission.
   *
   * @param media90k the frame's RTP time on the 90 kHz clock, from any fixed origin
   */
  void sendFrame(byte[] frame, int off, int len, long media90k, long nowNanos) {
    boolean keyFrame = Vp8PayloadHeader.isKeyFrame(frame, off, len);
    List<byte[]> packets;
    synchronized (history) {
      packets = packetizer.packetize(frame, off, len, media90k);
      if (!baseKnown) {
        rtpTimestampBase = packetizer.lastRtpTimestamp() - (int) media90k;
        baseKnown = true;
      }
    }
    for (int i = 0; i < packets.size(); i++) {
      byte[] rtp = withExtensions(packets.get(i), i == packets.size() - 1, nowNanos);
      synchronized (history) {
        int seq = ((rtp[2] & 0xFF) << 8) | (rtp[3] & 0xFF);
        int slot = seq % HISTORY_PACKETS;
        history[slot] = rtp;
        historySeq[slot] = seq;
        historyRetransmitNanos[slot] = 0;
      }
      wire.sendRtp(rtp);
    }
    framesSent.incrementAndGet();
    lastMedia90k = media90k;
    lastVideoNanos = nowNanos;
    if (keyFrame) {
      keyFramesSent.incrementAndGet();
      long requested = pendingKeyFrameRequestNanos;
      if (requested >= 0) {
        long delay = Math.max(0, (nowNanos - requested) / 1_000_000L);
        lastKeyFrameDelayMillis = delay;
        maxKeyFrameDelayMillis = Math.max(maxKeyFrameDelayMillis, delay);
        pendingKeyFrameRequestNanos = -1;
      }
    }
  }

  /**
   * Adds the one-byte header extension block (RFC 8285 §4.2): abs-send-time first on every packet,
   * video orientation (rotation 0) on the last packet of each frame, when the answer lists them.
   */
  private byte[] withExtensions(byte[] rtp, boolean last, long nowNanos) {
    int abs = params.absSendTimeId();
    int cvo = last ? params.videoOrientationId() : 0;
    int elementBytes = (abs != 0 ? 4 : 0) + (cvo != 0 ? 2 : 0);
    if (elementBytes == 0) {
      return rtp;
    }
    int blockBytes = (elementBytes + 3) / 4 * 4;
    byte[] p = new byte[rtp.length + 4 + blockBytes];
    System.arraycopy(rtp, 0, p, 0, 12);
    p[0] |= 0x10;
    p[12] = (byte) (ONE_BYTE_PROFILE >>> 8);
    p[13] = (byte) ONE_BYTE_PROFILE;
    p[14] = (byte) ((blockBytes / 4) >>> 8);
    p[15] = (byte) (blockBytes / 4);
    int at = 16;
    if (abs != 0) {
      p[at] = (byte) (abs << 4 | 2); // 3 bytes
      putAbsSendTime(p, at + 1, nowNanos);
      at += 4;
    }
    if (cvo != 0) {
      p[at] = (byte) (cvo << 4); // 1 byte: C=0 F=0 R=0 (no rotation)
      p[at + 1] = 0;
    }
    System.arraycopy(rtp, 12, p, 16 + blockBytes, rtp.length - 12);
    return p;
  }

  /** abs-send-time: 24-bit 6.18 fixed-point seconds (webrtc.org abs-send-time). */
  static void putAbsSendTime(byte[] p, int at, long nanos) {
    long seconds = Math.floorDiv(nanos, 1_000_000_000L);
    long fraction = Math.floorMod(nanos, 1_000_000_000L);
    long value = ((seconds << 18) + (fraction << 18) / 1_000_000_000L) & 0xFFFFFF;
    p[at] = (byte) (value >>> 16);
    p[at + 1] = (byte) (value >>> 8);
    p[at + 2] = (byte) value;
  }

  /**
   * The sender's reading and pacing state, on the loop only: each turn sends the keep-alive and
   * the sender report when they are due and every frame whose deadline on the shared baseline has
   * come, and returns the next deadline (the next frame's, the next keep-alive or report, or a
   * short poll while it waits for a source, for the ffmpeg reader, or for the audio's baseline).
   */
  private final class Pump extends PacingWheel.Paced {
    private AudioVideoSource playing;
    private VideoFrames frames;
    /** The next frame, read before its deadline; null when none is read yet. */
    private VideoFrames.Frame pending;
    /** The playing source's video ended: nothing more to read from it. */
    private boolean ended;
    /** Since when the pending frame waits for a baseline for the current epoch, or -1. */
    private long unknownSince = -1;
    /** The reader whose stream's end was reported last; its report may still wait. */
    private VideoFrames ending;
    /**
     * When the reader last had no frame for the pending slot, or {@link Long#MIN_VALUE}; cleared
     * as each frame leaves. A frame beyond the lateness limit is dropped only if this lies before
     * its deadline (the frame was there in time: the sender was late).
     */
    private long lastDryNanos = Long.MIN_VALUE;
    /** A frame was dropped late: drop delta frames until the next keyframe. */
    private boolean droppingUntilKeyFrame;
    private int droppedThisTurn;

    @Override
    protected long onDue(long tickNanos) {
      if (closed) {
        stopAll();
        return Long.MAX_VALUE;
      }
      droppedThisTurn = 0;
      try {
        return turn();
      } catch (RuntimeException e) {
        log.error("chat {}: video sender failed", chatId, e);
        stopAll();
        return Long.MAX_VALUE;
      } finally {
        if (droppedThisTurn > 0) {
          framesDroppedLate.addAndGet(droppedThisTurn);
          lateDrops.dropped(droppedThisTurn, clock.nanoTime());
        }
      }
    }

    private long turn() {
      long now = clock.nanoTime();
      maybeKeepalive(now);
      maybeSendReport(now);
      for (int i = 0; i < MAX_FRAMES_PER_TURN; i++) {
        OpusFrameSource current = sources.playable();
        if (current == null) {
          unknownSince = -1;
          return housekeeping(now + IDLE_POLL_NANOS); // none, paused or held: keep the frame
        }
        if (!(current instanceof AudioVideoSource av)) {
          if (playing != null) {
            stopReading(); // audio only: keep-alives and reports
            playing = null;
            pending = null;
          }
          return housekeeping(now + IDLE_POLL_NANOS);
        }
        if (av != playing) {
          switchTo(av);
        }
        if (ended) {
          return housekeeping(now + IDLE_POLL_NANOS);
        }
        if (pending == null) {
          VideoFrames.Frame frame;
          try {
            frame = frames.poll();
          } catch (IOException e) {
            if (!closed && sources.playable() == av) {
              log.debug("chat {}: video stream ended: {}", chatId, e.toString());
            }
            videoEnded(av, e);
            continue;
          }
          if (frame == VideoFrames.NOT_READY) {
            lastDryNanos = now;
            return housekeeping(now + SOURCE_POLL_NANOS);
          }
          if (frame == null) {
            videoEnded(av, null);
            continue;
          }
          pending = frame;
          now = clock.nanoTime(); // a file's frame was read just now
        }
        long mediaNanos = pending.pts90k() * 1_000_000L / 90;
        // the baseline must count every stop of the source so far (its epoch): after a resume the
        // frame waits for the audio's new baseline rather than leave at once on the old one, whose
        // deadlines lie in the past by the time stopped
        long epoch = sources.stops();
        long origin = timeline.originNanos(av, epoch);
        if (origin == MediaTimeline.UNKNOWN) {
          if (unknownSince < 0) {
            unknownSince = now;
          }
          if (now - unknownSince < ORIGIN_WAIT_NANOS) {
            return housekeeping(now + ORIGIN_POLL_NANOS);
          }
          origin = now - mediaNanos; // no audio from this source: the video sets the baseline
          timeline.publish(av, origin, epoch);
        }
        long deadline = origin + mediaNanos;
        if (deadline > now) {
          return housekeeping(deadline);
        }
        VideoFrames.Frame frame = pending;
        pending = null;
        unknownSince = -1;
        long dry = lastDryNanos;
        lastDryNanos = Long.MIN_VALUE;
        long pts90k = frame.pts90k();
        boolean muted = sources.isMuted();
        boolean keyFrame = Vp8PayloadHeader.isKeyFrame(frame.data(), 0, frame.length());
        if (!muted && dropLate(now - deadline, dry <= deadline, keyFrame)) {
          droppedThisTurn++;
          lastMedia90k = timestampOffset90k + pts90k; // its time passed: a next source follows it
          continue;
        }
        if (!admit(muted, keyFrame, now)) {
          framesSkippedMuted.incrementAndGet();
          lastMedia90k = timestampOffset90k + pts90k; // its time passed: a next source follows it
          continue;
        }
        sendFrame(frame.data(), 0, frame.length(), timestampOffset90k + pts90k, now);
      }
      return now; // more frames are due: go on at the next tick
    }

    /**
     * Decides whether a frame whose deadline came is dropped for lateness: beyond the limit with
     * the frame read in time, or a delta frame after such a drop (its reference was not sent).
     *
     * @param latenessNanos now minus the frame's deadline, ns (not negative)
     * @param readInTime whether the reader had the frame by its deadline
     * @param keyFrame whether it is a VP8 keyframe
     * @return true to drop it
     */
    private boolean dropLate(long latenessNanos, boolean readInTime, boolean keyFrame) {
      if (readInTime && latenessNanos > lateDrops.limitNanos()) {
        droppingUntilKeyFrame = true; // even a keyframe: the deltas after it reference it
        return true;
      }
      if (droppingUntilKeyFrame && !keyFrame) {
        return true;
      }
      droppingUntilKeyFrame = false;
      return false;
    }

    /** @return {@code wanted}, or the next keep-alive or sender report if that is due earlier */
    private long housekeeping(long wanted) {
      long next = Math.min(wanted, lastVideoNanos + KEEPALIVE_INTERVAL_NANOS);
      return baseKnown ? Math.min(next, lastReportNanos + SENDER_REPORT_INTERVAL_NANOS) : next;
    }

    /** A new source (set, replaced or reopened by a seek): its first frame starts its baseline. */
    private void switchTo(AudioVideoSource av) {
      stopReading();
      playing = av;
      pending = null;
      ended = false;
      unknownSince = -1;
      lastDryNanos = Long.MIN_VALUE;
      droppingUntilKeyFrame = false; // a new source starts with a keyframe
      frames = av.videoReadsWithoutWaiting() ? VideoFrames.direct(av.video())
          : VideoFrames.readAhead(av.video(), threads, "tgcalls4j-read-video-" + chatId);
      timestampOffset90k = lastMedia90k < 0 ? 0 : lastMedia90k + 3000;
      currentOriginOffset90k = timestampOffset90k;
      currentSource = av;
    }

    /**
     * The source's video ended: the end is reported off the loop, since reporting may wait (on
     * the ffmpeg reader's thread, or for a file on the client's control pool).
     */
    private void videoEnded(AudioVideoSource av, IOException readError) {
      ended = true;
      pending = null;
      if (!closed) {
        frames.afterEnd(() -> reportEnd(av, readError), config.control());
        ending = frames; // a report that waits is interrupted by close()
      } else {
        frames.stop();
      }
      frames = null;
    }

    /** Stops reading, and a video end's report that waits (close()). */
    private void stopReading() {
      if (frames != null) {
        frames.stop();
        frames = null;
      }
    }

    private void stopAll() {
      stopReading();
      if (ending != null) {
        ending.stop();
        ending = null;
      }
    }
  }

  /**
   * Decides whether a frame whose deadline came is sent: not while muted, and after a mute not
   * before the next keyframe (the frames it references were never sent). The loop only (or a
   * test's thread).
   *
   * @param muted whether the call is muted now
   * @param keyFrame whether the frame is a VP8 keyframe
   * @param nowNanos the clock now; a keyframe request pending across the mute counts from the
   *     unmute
   * @return true to send the frame, false to skip it
   */
  boolean admit(boolean muted, boolean keyFrame, long nowNanos) {
    if (muted) {
      awaitingKeyFrame = true;
      unmuteSeen = false;
      return false;
    }
    if (awaitingKeyFrame) {
      if (!unmuteSeen) {
        unmuteSeen = true;
        if (pendingKeyFrameRequestNanos >= 0) {
          pendingKeyFrameRequestNanos = nowNanos; // asked for while nothing was sent
        }
      }
      if (!keyFrame) {
        return false;
      }
      awaitingKeyFrame = false;
    }
    return true;
  }

  /**
   * Tells {@link #onVideoEnd}, off the loop (it may wait up to
   * {@link TrackEnds#VIDEO_END_GRACE_MILLIS} for ffmpeg to exit), unless the sender was closed.
   */
  private void reportEnd(AudioVideoSource av, IOException readError) {
    if (closed) {
      return;
    }
    try {
      onVideoEnd.videoEnded(av, readError);
    } catch (InterruptedException e) {
      // close() stops a report that waits
    } catch (RuntimeException e) {
      log.warn("chat {}: reporting the video's end failed", chatId, e);
    }
  }

  private void maybeKeepalive(long nowNanos) {
    if (nowNanos - lastVideoNanos < KEEPALIVE_INTERVAL_NANOS) {
      return;
    }
    lastVideoNanos = nowNanos;
    byte[] padding;
    synchronized (history) {
      padding = packetizer.paddingPacket(KEEPALIVE_PADDING_BYTES);
    }
    if (wire.sendRtp(padding)) {
      keepalivesSent.incrementAndGet();
    }
  }

  private void maybeSendReport(long nowNanos) {
    if (!baseKnown || nowNanos - lastReportNanos < SENDER_REPORT_INTERVAL_NANOS) {
      return;
    }
    lastReportNanos = nowNanos;
    lateDrops.poll(nowNanos);
    // the RTP time of "now" on the shared baseline (RFC 3550 §6.4.1), so that the audio's report
    // and this one map one NTP instant to the same media position
    // a baseline from before the last pause or hold is stale: report the last timestamp sent, as
    // the audio does, until the new one is published
    long origin = currentSource == null ? MediaTimeline.UNKNOWN
        : timeline.originNanos(currentSource, sources.stops());
    int rtpNow;
    if (origin == MediaTimeline.UNKNOWN) {
      rtpNow = packetizer.lastRtpTimestamp();
    } else {
      long media90k = currentOriginOffset90k + Math.floorDiv((nowNanos - origin) * 9, 100_000L);
      rtpNow = rtpTimestampBase + (int) media90k;
    }
    long packets;
    long octets;
    synchronized (history) {
      packets = packetizer.packetCount();
      octets = packetizer.octetCount();
    }
    byte[] report = RtcpPackets.senderReportWithCname(packetizer.ssrc(),
        config.wallClockMillis().getAsLong(), rtpNow, packets, octets, cname);
    if (wire.sendRtcp(report)) {
      rtcpSent++;
    }
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  /**
   * Stops sending: no packet leaves after this returns (it waits up to 2 s for a turn already
   * running on the loop), the read-ahead thread is stopped (if it waits on ffmpeg, it ends once
   * the source is closed), and a video end's report that waits is interrupted. Idempotent, any
   * thread.
   */
  void close() {
    closed = true;
    Loops.runAndWait(loop, () -> {
      wheel.cancel(pump);
      pump.stopAll();
    }, 2000);
  }
}
