package org.tgcalls4j.internal.call;

import java.io.IOException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.pacing.MediaTimeline;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.PacingStats;
import org.tgcalls4j.internal.pacing.Pacer;
import org.tgcalls4j.internal.pacing.PacingLateness;
import org.tgcalls4j.internal.pacing.Sleeper;
import org.tgcalls4j.internal.pc.MediaTrack;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtcp.RtcpPackets;
import org.tgcalls4j.internal.rtp.OpusRtpPacketizer;
import org.tgcalls4j.internal.srtp.SrtpContext;

/**
 * The audio track of one call and its sender thread: reads Opus packets from the current source,
 * paces them on absolute deadlines derived from media time, packetizes them (RFC 7587) and hands
 * them to the call's {@link RtpOutput} (which protects and sends them), with an RTCP sender report
 * + CNAME every second (RFC 3550 §6.4.1). As a {@link MediaTrack} it receives the RTCP that
 * concerns its SSRC: report blocks (kept for stats) and feedback (counted; audio has no
 * retransmission or keyframes to act on). It outlives transports: after a rejoin the same SSRC,
 * sequence numbers and timestamps continue on the new transport.
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
  /** Frame room of the packet buffer: an Opus frame of 20 ms at 510 kbit/s is 1275 bytes. */
  private static final int INITIAL_FRAME_ROOM_BYTES = 1276;

  private final long chatId;
  private final OpusRtpPacketizer packetizer;
  /**
   * The sender thread's packet buffer: each packet is built here and protected in place by the
   * transport; grown when a frame does not fit (frames are about 160 bytes, so practically never).
   */
  private byte[] packetBuffer;
  /** The last silence frame sent while muted and its duration; sender thread only. */
  private byte[] silence;
  private int silenceSamples;
  private final SourceSlot sources;
  private final SessionEvents events;
  private final RtpOutput wire;
  private final Consumer<TgCallsException> onFailure;
  private final String cname;
  private final SessionConfig config;
  private final LongSupplier connectStartNanos;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean started;
  private volatile long firstPacketNanos = -1;
  private volatile long rtcpSent;
  private volatile long totalMediaNanos;
  private long lastReportNanos;
  private volatile RemoteReport remoteReport = RemoteReport.NONE;
  private final AtomicLong feedbackReceived = new AtomicLong();
  private final PacingLateness pacingLateness = new PacingLateness();
  /** Where the pacing baseline is published for the video track; null without video. */
  private volatile MediaTimeline timeline;

  /**
   * @param connectStartNanos when the current connect started ({@link System#nanoTime()}), for
   *     {@link #connectToFirstPacketMillis()}
   */
  AudioSender(long chatId, int ssrc, int payloadType, int audioLevelExtensionId,
      SourceSlot sources, SessionConfig config, ThreadFactory threads, SessionEvents events,
      RtpOutput wire, Consumer<TgCallsException> onFailure, LongSupplier connectStartNanos) {
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
    this.thread = threads.newThread(this::run);
    thread.setName("tgcalls4j-send-" + chatId);
    thread.setDaemon(true);
  }

  /**
   * Publishes this sender's pacing baseline (per source) to {@code timeline} from now on, for a
   * video track that must stay in sync; call before {@link #start()}.
   */
  void setTimeline(MediaTimeline timeline) {
    this.timeline = timeline;
  }

  /** @return the CNAME of this call's RTCP (RFC 3550 §6.5.1), shared by its video track */
  String cname() {
    return cname;
  }

  /** Starts the sender thread; once. */
  void start() {
    if (!started) {
      started = true;
      thread.start();
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

  private void run() {
    Pacer pacer = new Pacer(NanoClock.SYSTEM, Sleeper.parking(NanoClock.SYSTEM), pacingLateness);
    OpusFrameSource playing = null;
    long sourceMediaNanos = 0;
    long sourceStartMillis = 0;
    boolean rebase = true;
    long stopsSeen = sources.stops();
    try {
      while (!closed) {
        OpusFrameSource frames = sources.awaitPlayable(SENDER_REPORT_INTERVAL_NANOS / 1_000_000L);
        if (frames == null) {
          maybeSendReport(System.nanoTime());
          rebase = true; // paused or idle: restart the clock where media time stands
          continue;
        }
        if (frames != playing) {
          playing = frames;
          sourceMediaNanos = 0;
          sourceStartMillis = sources.startMillisOf(frames); // after a seek: the seek target
          rebase = true;
        }
        long stops = sources.stops();
        if (stops != stopsSeen) {
          // paused or held since the last frame, however briefly: resume from now, without a
          // catch-up burst for the time it was stopped (the pacer catches up only on lateness)
          stopsSeen = stops;
          rebase = true;
        }
        byte[] frame;
        try {
          frame = frames.nextFrame();
        } catch (IOException e) {
          TgCallsException error = frames.endError();
          end(frames, error != null ? error
              : new InvalidParamsException("source", "unreadable media: " + e.getMessage(), e));
          continue;
        }
        if (frame == null) {
          end(frames, frames.endError());
          continue;
        }
        boolean skip = frame.length == 0; // OpusFrameSource.NOTHING: let one 20 ms slot pass
        int samples = skip ? SKIPPED_SLOT_SAMPLES : OpusPacket.samplesAt48kHz(frame);
        if (samples <= 0) {
          continue; // not a valid Opus packet; skip it rather than send garbage
        }
        if (rebase) {
          pacer.start(System.nanoTime() - sourceMediaNanos);
          rebase = false;
        }
        pacer.awaitMediaTime(sourceMediaNanos);
        MediaTimeline shared = timeline;
        if (shared != null) {
          shared.publish(frames, pacer.startNanos()); // after any (re)start or rebase
        }
        if (closed) {
          break;
        }
        if (skip) {
          packetizer.skip(samples);
        } else {
          if (sources.isMuted()) {
            frame = silence(samples);
          }
          send(frame, samples);
        }
        long frameNanos = samples * 1_000_000_000L / 48_000;
        sourceMediaNanos += frameNanos;
        totalMediaNanos += frameNanos;
        sources.setPositionMillis(sourceStartMillis + sourceMediaNanos / 1_000_000L);
        maybeSendReport(System.nanoTime());
      }
    } catch (InterruptedException e) {
      // close() interrupts us
    } catch (RuntimeException e) {
      log.error("chat {}: sender thread failed", chatId, e);
      onFailure.accept(new TransportException(TransportException.Stage.INTERNAL,
          "the sender failed: " + e, e));
    }
  }

  private void end(OpusFrameSource frames, TgCallsException error) {
    if (sources.finished(frames) && !closed) {
      events.onStreamEnd(error);
    }
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
      firstPacketNanos = System.nanoTime();
      log.debug("chat {}: first RTP packet sent {} ms after connect", chatId,
          connectToFirstPacketMillis());
    }
  }

  private void maybeSendReport(long nowNanos) {
    if (packetizer.packetCount() == 0 || nowNanos - lastReportNanos < SENDER_REPORT_INTERVAL_NANOS) {
      return;
    }
    lastReportNanos = nowNanos;
    byte[] report = RtcpPackets.senderReportWithCname(packetizer.ssrc(),
        config.wallClockMillis().getAsLong(), packetizer.lastRtpTimestamp(),
        packetizer.packetCount(), packetizer.octetCount(), cname);
    if (wire.sendRtcp(report)) {
      rtcpSent++;
    }
  }

  /** Stops the thread and waits for it (unless called on it). */
  void close() {
    closed = true;
    thread.interrupt();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
