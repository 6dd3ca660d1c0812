package org.tgcalls4j.internal.call;

import io.netty.channel.IoEventLoop;
import java.io.IOException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.StreamType;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.pacing.MediaTimeline;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.PacingStats;
import org.tgcalls4j.internal.pacing.Pacer;
import org.tgcalls4j.internal.pacing.PacingLateness;
import org.tgcalls4j.internal.pacing.PacingWheel;
import org.tgcalls4j.internal.pc.MediaTrack;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPackets;
import org.tgcalls4j.internal.rtp.OpusRtpPacketizer;
import org.tgcalls4j.internal.srtp.SrtpContext;
import org.tgcalls4j.internal.transport.Loops;

/**
 * The audio track of one call, paced on the call's event loop: reads Opus packets from the current
 * source, releases them on absolute deadlines derived from media time (the loop's
 * {@link PacingWheel}: no thread and no task object per call or frame), packetizes them (RFC 7587)
 * and hands them to the call's {@link RtpOutput} (which protects and sends them), with an RTCP
 * sender report + CNAME every second (RFC 3550 §6.4.1). A source that waits on ffmpeg's pipe is
 * read ahead by a thread of its own ({@link ReadAhead}); files, pushed PCM, mixes and shared
 * sources are read on the loop. As a {@link MediaTrack} it receives the RTCP that
 * concerns its SSRC: report blocks (kept for stats) and feedback (counted; audio has no
 * retransmission or keyframes to act on). It outlives transports: after a rejoin the same SSRC,
 * sequence numbers and timestamps continue on the new transport.
 *
 * <p>Under overload: a frame the loop reaches more than the client's lateness limit after its
 * deadline although the source had it in time is dropped (read, not sent, its RTP time skipped,
 * sequence numbers contiguous, counted in {@link PacingStats#framesDroppedLate} and reported to
 * the call's {@link LateDrops}); the pacing keeps its baseline, so a live source stays live and
 * the frames within the limit go out back to back. A frame late because the source had nothing
 * after its deadline (it answered {@link OpusFrameSource#NOT_READY}: ffmpeg starting or stalled,
 * a shared source behind) restarts the pacing from it instead, as before
 * ({@link PacingStats#overloadRestarts}).
 */
final class AudioSender implements MediaTrack {
  private static final Logger log = LoggerFactory.getLogger(AudioSender.class);
  private static final long SENDER_REPORT_INTERVAL_NANOS = 1_000_000_000L;
  /**
   * Constant RFC 6464 level: we send already-encoded Opus and do not decode it to measure its
   * level, so every packet claims voice activity at -20 dBov, as gotgcall does.
   */
  private static final int AUDIO_LEVEL_DBOV = 20;
  /** A slot a source skips ({@link OpusFrameSource#NOTHING}) lasts 20 ms: 960 samples at 48 kHz. */
  private static final int SKIPPED_SLOT_SAMPLES = 960;
  /** Most frames one turn sends when it is behind; the rest go at the next tick (1 ms). */
  private static final int MAX_FRAMES_PER_TURN = 16;
  /** How often a paused or idle sender looks at its source again (and sends its reports). */
  private static final long IDLE_POLL_NANOS = 20_000_000L;
  /** How soon a sender whose source has no packet yet (ffmpeg starting) asks again. */
  private static final long SOURCE_POLL_NANOS = 1_000_000L;
  /** Frame room of the packet buffer: an Opus frame of 20 ms at 510 kbit/s is 1275 bytes. */
  private static final int INITIAL_FRAME_ROOM_BYTES = 1276;

  private final long chatId;
  private final OpusRtpPacketizer packetizer;
  /**
   * The sender's packet buffer: each packet is built here and protected in place by the
   * transport; grown when a frame does not fit (frames are about 160 bytes, so practically never).
   */
  private byte[] packetBuffer;
  /** The last silence frame sent while muted and its duration; loop only. */
  private byte[] silence;
  private int silenceSamples;
  private final SourceSlot sources;
  private final SessionEvents events;
  private final RtpOutput wire;
  private final Consumer<TgCallsException> onFailure;
  private final String cname;
  private final SessionConfig config;
  private final LongSupplier connectStartNanos;
  private final ThreadFactory threads;
  private final PacingWheel wheel;
  private final IoEventLoop loop;
  private final Pump pump;
  private volatile boolean closed;
  private volatile boolean started;
  private volatile long firstPacketNanos = -1;
  private volatile long rtcpSent;
  private volatile long totalMediaNanos;
  private long lastReportNanos;
  private volatile RemoteReport remoteReport = RemoteReport.NONE;
  private final AtomicLong feedbackReceived = new AtomicLong();
  private final PacingLateness pacingLateness = new PacingLateness();
  private final NanoClock clock;
  private final LateDrops lateDrops;
  /** Where the pacing baseline is published for the video track; null without video. */
  private volatile MediaTimeline timeline;

  /**
   * @param connectStartNanos when the current connect started ({@link System#nanoTime()}), for
   *     {@link #connectToFirstPacketMillis()}
   */
  AudioSender(long chatId, int ssrc, int payloadType, int audioLevelExtensionId,
      SourceSlot sources, SessionConfig config, PacingWheel wheel, ThreadFactory threads,
      SessionEvents events, RtpOutput wire, Consumer<TgCallsException> onFailure,
      LongSupplier connectStartNanos) {
    this(chatId, ssrc, payloadType, audioLevelExtensionId, sources, config, wheel, threads, events,
        wire, onFailure, connectStartNanos, NanoClock.SYSTEM);
  }

  /**
   * @param connectStartNanos when the current connect started (on {@code clock}), for
   *     {@link #connectToFirstPacketMillis()}
   * @param clock the pacing clock, {@link NanoClock#SYSTEM} outside tests (the wheel's clock)
   */
  AudioSender(long chatId, int ssrc, int payloadType, int audioLevelExtensionId,
      SourceSlot sources, SessionConfig config, PacingWheel wheel, ThreadFactory threads,
      SessionEvents events, RtpOutput wire, Consumer<TgCallsException> onFailure,
      LongSupplier connectStartNanos, NanoClock clock) {
    this.clock = clock;
    this.lateDrops = new LateDrops(chatId, config.pacingOverload(), events);
    this.chatId = chatId;
    this.packetizer = new OpusRtpPacketizer(ssrc, payloadType, audioLevelExtensionId, config.random());
    this.packetBuffer = new byte[packetizer.headerBytes() + INITIAL_FRAME_ROOM_BYTES
        + SrtpContext.MAX_TAG_BYTES];
    this.sources = sources;
    this.config = config;
    this.events = events;
    this.wire = wire;
    this.onFailure = onFailure;
    this.connectStartNanos = connectStartNanos;
    this.cname = Long.toHexString(config.random().nextLong() & Long.MAX_VALUE);
    this.wheel = wheel;
    this.loop = wheel.loop();
    this.threads = threads;
    this.pump = new Pump(); // last: it reads the fields above
  }

  /**
   * Publishes this sender's pacing baseline (per source) to {@code timeline} from now on, for a
   * video track that must stay in sync; call before {@link #start()}.
   */
  void setTimeline(MediaTimeline timeline) {
    this.timeline = timeline;
  }

  /** @return where this call's dropped frames are reported; shared with its video track */
  LateDrops lateDrops() {
    return lateDrops;
  }

  /** @return the CNAME of this call's RTCP (RFC 3550 §6.5.1), shared by its video track */
  String cname() {
    return cname;
  }

  /** Starts sending on the loop; once. */
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

  /** @return whether {@link #start()} was called */
  boolean isStarted() {
    return started;
  }

  long packetsSent() {
    return packetizer.packetCount();
  }

  long payloadBytesSent() {
    return packetizer.octetCount();
  }

  long rtcpSent() {
    return rtcpSent;
  }

  long connectToFirstPacketMillis() {
    long first = firstPacketNanos;
    return first < 0 ? -1 : (first - connectStartNanos.getAsLong()) / 1_000_000L;
  }

  RemoteReport remoteReport() {
    return remoteReport;
  }

  long feedbackReceived() {
    return feedbackReceived.get();
  }

  @Override
  public int[] ssrcs() {
    return new int[] {packetizer.ssrc()};
  }

  @Override
  public void onRtcp(RtcpPacket packet) {
    if (packet instanceof RtcpPacket.Feedback) {
      feedbackReceived.incrementAndGet();
      return;
    }
    RemoteReport report = RemoteReport.find(packet, packetizer.ssrc());
    if (report != null) {
      remoteReport = report;
    }
  }

  /** @return how punctually frames were released so far */
  PacingStats pacingStats() {
    return pacingLateness.snapshot();
  }

  long totalMediaMillis() {
    return totalMediaNanos / 1_000_000L;
  }

  /**
   * Runs one turn of the pump on the caller's thread, without the wheel (tests that drive the
   * clock themselves; the sender must not be {@link #start()}ed).
   *
   * @param nowNanos the time of the turn on this sender's clock
   * @return the next deadline the pump asks for, or {@link Long#MAX_VALUE}
   */
  long runTurn(long nowNanos) {
    return pump.onDue(nowNanos);
  }

  /**
   * The sender's state, on the loop only: each turn sends every frame that is due and returns the
   * next deadline.
   */
  private final class Pump extends PacingWheel.Paced {
    private final Pacer pacer = new Pacer(clock, deadline -> {
      throw new IllegalStateException("the loop never sleeps");
    }, pacingLateness, lateDrops.limitNanos());
    private OpusFrameSource playing;
    private ReadAhead readAhead;
    private long sourceMediaNanos;
    private long sourceStartMillis;
    private boolean rebase = true;
    private long stopsSeen = sources.stops();
    /** The next frame, read before its deadline; null when none is read yet. */
    private byte[] pending;
    private int pendingSamples;
    /**
     * When the source last had nothing for the frame to be read next ({@link #readNext} false),
     * or {@link Long#MIN_VALUE}; cleared as each frame leaves. A frame beyond the lateness limit is
     * the source's lateness (rebase) if this lies after its deadline, the sender's (drop) if not.
     */
    private long lastDryNanos = Long.MIN_VALUE;
    private int droppedThisTurn;

    @Override
    protected long onDue(long tickNanos) {
      droppedThisTurn = 0;
      long next = turn(tickNanos);
      if (droppedThisTurn > 0) {
        lateDrops.dropped(droppedThisTurn, clock.nanoTime());
      }
      return next;
    }

    private long turn(long tickNanos) {
      long nowNanos = tickNanos;
      if (closed) {
        stopReading();
        return Long.MAX_VALUE;
      }
      try {
        for (int i = 0; i < MAX_FRAMES_PER_TURN; i++) {
          OpusFrameSource frames = sources.playable();
          if (frames == null) {
            maybeSendReport(nowNanos);
            rebase = true; // paused or idle: restart the clock where media time stands
            return nowNanos + IDLE_POLL_NANOS;
          }
          if (frames != playing) {
            switchTo(frames);
          }
          long stops = sources.stops();
          if (stops != stopsSeen) {
            // paused or held since the last frame, however briefly: resume from now, without a
            // catch-up burst for the time it was stopped (the pacer catches up only on lateness)
            stopsSeen = stops;
            rebase = true;
          }
          if (pending == null) {
            if (!readNext(frames)) {
              if (playing == frames) {
                lastDryNanos = nowNanos;
                // nothing to read yet: ask at the next tick, or not before the frame's own deadline
                // (a shared source publishes each frame around then; polling every tick until
                // then would take the station's lock 20 times per frame and call)
                long retry = nowNanos + SOURCE_POLL_NANOS;
                return rebase ? retry : Math.max(retry, pacer.deadlineNanos(sourceMediaNanos));
              }
              continue; // the source ended
            }
            // reading may have taken a while (a PCM frame is encoded here; the first encode of a
            // process is slow): deadlines are compared with the time after it, and a (re)start of
            // the pacing begins now, not at the tick, or the next frames would go out in a burst
            nowNanos = clock.nanoTime();
          }
          if (rebase) {
            pacer.start(nowNanos - sourceMediaNanos);
            rebase = false;
          }
          long deadline = pacer.deadlineNanos(sourceMediaNanos);
          if (deadline > nowNanos) {
            return deadline;
          }
          if (lastDryNanos <= deadline && pacer.isBeyondLimit(sourceMediaNanos, nowNanos)) {
            // the frame was there in time and this loop reached it too late (overloaded, a GC
            // pause): drop it and keep the baseline, rather than restart pacing behind live
            pacer.dropped(sourceMediaNanos, nowNanos);
            int samples = pendingSamples;
            pending = null;
            lastDryNanos = Long.MIN_VALUE;
            packetizer.skip(samples); // receivers see the gap in time, not in sequence numbers
            advance(frames, samples);
            droppedThisTurn++;
            continue;
          }
          pacer.released(sourceMediaNanos, nowNanos);
          MediaTimeline shared = timeline;
          if (shared != null) {
            // after any (re)start or rebase; the epoch tells the video track whether this
            // origin already counts the last pause (it waits for one that does)
            shared.publish(frames, pacer.startNanos(), stopsSeen);
          }
          byte[] frame = pending;
          int samples = pendingSamples;
          pending = null;
          lastDryNanos = Long.MIN_VALUE;
          if (frame.length == 0) { // OpusFrameSource.NOTHING: let one 20 ms slot pass
            packetizer.skip(samples);
          } else {
            send(sources.isMuted() ? silence(samples) : frame, samples);
          }
          advance(frames, samples);
          maybeSendReport(nowNanos);
        }
        return nowNanos; // more frames are due: go on at the next tick
      } catch (RuntimeException e) {
        log.error("chat {}: sender failed", chatId, e);
        stopReading();
        onFailure.accept(new TransportException(TransportException.Stage.INTERNAL,
            "the sender failed: " + e, e));
        return Long.MAX_VALUE;
      }
    }

    /** Moves media time and the source's position past a frame sent or dropped. */
    private void advance(OpusFrameSource frames, int samples) {
      long frameNanos = samples * 1_000_000_000L / 48_000;
      sourceMediaNanos += frameNanos;
      totalMediaNanos += frameNanos;
      sources.setPositionMillis(frames, sourceStartMillis + sourceMediaNanos / 1_000_000L);
    }

    /**
     * The RTP timestamp of {@code nowNanos} for a sender report. RFC 3550 §6.4.1 computes it from
     * the report's NTP time on the media clock, not from the last packet: while a source plays it
     * is the next frame's timestamp less the time until that frame's deadline on the pacer (the
     * baseline the video track's reports use too). The last packet's timestamp was off by the
     * lateness of its release, which a receiver's lip sync took for audio that late (tens of ms on
     * an overloaded machine, AiortcVideoIT). While the pacing does not run (no source, paused or
     * held, a new source or a resume not yet started) the last packet's timestamp, as before.
     */
    private int rtpTimestampAt(long nowNanos) {
      if (playing == null || rebase || sources.playable() != playing
          || sources.stops() != stopsSeen) {
        return packetizer.lastRtpTimestamp();
      }
      long untilNextNanos = pacer.deadlineNanos(sourceMediaNanos) - nowNanos;
      return packetizer.nextRtpTimestamp() - (int) Math.floorDiv(untilNextNanos * 48, 1_000_000L);
    }

    /** A new source (set, replaced or reopened by a seek): reading starts at its beginning. */
    private void switchTo(OpusFrameSource frames) {
      stopReading();
      playing = frames;
      pending = null;
      lastDryNanos = Long.MIN_VALUE;
      sourceMediaNanos = 0;
      sourceStartMillis = sources.startMillisOf(frames); // after a seek: the seek target
      rebase = true;
      if (!frames.readsWithoutWaiting()) {
        readAhead = ReadAhead.start(frames, threads, "tgcalls4j-read-" + chatId);
      }
    }

    /**
     * Reads the next valid frame into {@link #pending}.
     *
     * @return true if a frame is pending; false if none is there yet or the source ended (then
     *     {@link #playing} is cleared and the end reported)
     */
    private boolean readNext(OpusFrameSource frames) {
      while (true) {
        byte[] frame;
        try {
          frame = readAhead != null ? readAhead.poll() : frames.pollFrame();
        } catch (IOException e) {
          TgCallsException error = endErrorOf(frames);
          finish(frames, error != null ? error
              : new InvalidParamsException("source", "unreadable media: " + e.getMessage(), e));
          return false;
        }
        if (frame == OpusFrameSource.NOT_READY) {
          return false;
        }
        if (frame == null) {
          finish(frames, endErrorOf(frames));
          return false;
        }
        int samples = frame.length == 0 ? SKIPPED_SLOT_SAMPLES : OpusPacket.samplesAt48kHz(frame);
        if (samples > 0) { // else not a valid Opus packet: skip it rather than send garbage
          pending = frame;
          pendingSamples = samples;
          return true;
        }
      }
    }

    /** The end error without waiting on the loop: a read-ahead source's was asked on its thread. */
    private TgCallsException endErrorOf(OpusFrameSource frames) {
      return readAhead != null ? readAhead.endError() : frames.endError();
    }

    private void finish(OpusFrameSource frames, TgCallsException error) {
      stopReading();
      playing = null;
      end(frames, error);
    }

    private void stopReading() {
      if (readAhead != null) {
        readAhead.stop();
        readAhead = null;
      }
    }
  }

  private void end(OpusFrameSource frames, TgCallsException error) {
    SourceSlot.Ended ended = sources.finishedTracks(frames);
    if (ended == SourceSlot.Ended.NONE || closed) {
      return;
    }
    if (ended == SourceSlot.Ended.VIDEO_AND_AUDIO) {
      events.onStreamEnd(StreamType.VIDEO, error); // not reported yet: it ends with the source
    }
    events.onStreamEnd(StreamType.AUDIO, error);
  }

  /** @return a silent Opus packet of that duration, the same array while the duration stays */
  private byte[] silence(int samples) {
    if (silence == null || silenceSamples != samples) {
      silence = OpusPacket.silence(samples);
      silenceSamples = samples;
    }
    return silence;
  }

  /** Packetizes into {@link #packetBuffer} and has it protected and sent in place. */
  private void send(byte[] frame, int samples) {
    int needed = packetizer.headerBytes() + frame.length + SrtpContext.MAX_TAG_BYTES;
    if (packetBuffer.length < needed) {
      packetBuffer = new byte[needed];
    }
    int length = packetizer.packetizeInto(frame, 0, frame.length, samples, AUDIO_LEVEL_DBOV, true,
        packetBuffer, 0);
    if (wire.sendRtpInPlace(packetBuffer, 0, length) && firstPacketNanos < 0) {
      firstPacketNanos = clock.nanoTime();
      log.debug("chat {}: first RTP packet sent {} ms after connect", chatId,
          connectToFirstPacketMillis());
    }
  }

  private void maybeSendReport(long nowNanos) {
    if (packetizer.packetCount() == 0 || nowNanos - lastReportNanos < SENDER_REPORT_INTERVAL_NANOS) {
      return;
    }
    lastReportNanos = nowNanos;
    lateDrops.poll(nowNanos); // drops still unreported at the end of their second or 10 s
    // the RTP time and the wall clock of one instant, read together: nowNanos is from before the
    // frame was sent, and a sender thread descheduled since would date the report that much late
    long reportNanos = clock.nanoTime();
    long wallClockMillis = config.wallClockMillis().getAsLong();
    byte[] report = RtcpPackets.senderReportWithCname(packetizer.ssrc(), wallClockMillis,
        pump.rtpTimestampAt(reportNanos), packetizer.packetCount(), packetizer.octetCount(), cname);
    if (wire.sendRtcp(report)) {
      rtcpSent++;
    }
  }

  /**
   * Stops sending: no packet leaves after this returns (it waits up to 2 s for a turn already
   * running on the loop). Idempotent, any thread.
   */
  void close() {
    closed = true;
    Loops.runAndWait(loop, () -> {
      wheel.cancel(pump);
      pump.stopReading();
    }, 2000);
  }
}
