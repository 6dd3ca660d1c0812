package org.tgcalls4j.internal.call;

import java.io.IOException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.internal.pacing.Pacer;
import org.tgcalls4j.internal.pacing.Sleeper;
import org.tgcalls4j.internal.rtcp.RtcpPackets;
import org.tgcalls4j.internal.rtp.OpusRtpPacketizer;
import org.tgcalls4j.internal.srtp.SrtpContext;

/**
 * The sender thread of one call: reads Opus packets from the current source, paces them on
 * absolute deadlines derived from media time, packetizes (RFC 7587), protects (SRTP) and sends
 * them, with an RTCP sender report + CNAME every second (RFC 3550 §6.4.1).
 */
final class AudioSender {
  private static final Logger log = LoggerFactory.getLogger(AudioSender.class);
  private static final long SENDER_REPORT_INTERVAL_NANOS = 1_000_000_000L;
  /**
   * Constant RFC 6464 level: we send already-encoded Opus and do not decode it to measure its
   * level, so every packet claims voice activity at -20 dBov, as gotgcall does.
   */
  private static final int AUDIO_LEVEL_DBOV = 20;

  private final long chatId;
  private final OpusRtpPacketizer packetizer;
  private final SrtpContext srtp;
  private final SourceSlot sources;
  private final SessionEvents events;
  private final Consumer<byte[]> wire;
  private final Consumer<TgCallsException> onFailure;
  private final String cname;
  private final SessionConfig config;
  private final long connectStartNanos;
  private final Thread thread;
  private volatile boolean closed;
  private volatile long firstPacketNanos = -1;
  private volatile long rtcpSent;
  private volatile long totalMediaNanos;
  private long lastReportNanos;

  AudioSender(long chatId, int ssrc, int payloadType, int audioLevelExtensionId, SrtpContext srtp,
      SourceSlot sources, SessionConfig config, SessionEvents events, Consumer<byte[]> wire,
      Consumer<TgCallsException> onFailure, long connectStartNanos) {
    this.chatId = chatId;
    this.packetizer = new OpusRtpPacketizer(ssrc, payloadType, audioLevelExtensionId, config.random());
    this.srtp = srtp;
    this.sources = sources;
    this.config = config;
    this.events = events;
    this.wire = wire;
    this.onFailure = onFailure;
    this.connectStartNanos = connectStartNanos;
    this.cname = Long.toHexString(config.random().nextLong() & Long.MAX_VALUE);
    this.thread = config.threads().newThread(this::run);
    thread.setName("tgcalls4j-send-" + chatId);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
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
    return first < 0 ? -1 : (first - connectStartNanos) / 1_000_000L;
  }

  long totalMediaMillis() {
    return totalMediaNanos / 1_000_000L;
  }

  private void run() {
    Pacer pacer = new Pacer(NanoClock.SYSTEM, Sleeper.parking(NanoClock.SYSTEM));
    OpusFrameSource playing = null;
    long sourceMediaNanos = 0;
    boolean rebase = true;
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
        int samples = OpusPacket.samplesAt48kHz(frame);
        if (samples <= 0) {
          continue; // not a valid Opus packet; skip it rather than send garbage
        }
        if (rebase) {
          pacer.start(System.nanoTime() - sourceMediaNanos);
          rebase = false;
        }
        pacer.awaitMediaTime(sourceMediaNanos);
        if (closed) {
          break;
        }
        send(packetizer.packetize(frame, samples, AUDIO_LEVEL_DBOV, true));
        long frameNanos = samples * 1_000_000_000L / 48_000;
        sourceMediaNanos += frameNanos;
        totalMediaNanos += frameNanos;
        sources.setPositionMillis(sourceMediaNanos / 1_000_000L);
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

  private void send(byte[] rtp) {
    byte[] packet = srtp.protectRtp(rtp, 0, rtp.length);
    wire.accept(packet);
    if (firstPacketNanos < 0) {
      firstPacketNanos = System.nanoTime();
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
    wire.accept(srtp.protectRtcp(report, 0, report.length));
    rtcpSent++;
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
