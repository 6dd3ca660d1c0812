package org.tgcalls4j.internal.audio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.IncomingStreamStats;
import org.tgcalls4j.internal.logging.LogContext;
import org.tgcalls4j.internal.pc.MediaTrack;
import org.tgcalls4j.internal.rtcp.RtcpPacket;
import org.tgcalls4j.internal.rtp.RtpHeader;

/**
 * The received audio of one call, whatever its type: one {@link OpusStreamDecoder} per remote
 * SSRC, pulled every 20 ms by the client's {@link AudioReceiveScheduler}, frames handed to a
 * {@link Sink} one by one or mixed.
 *
 * <p>Use: {@link #trackFor} gives the {@link MediaTrack} to plug into the call's transport for an
 * SSRC (up front when the SSRC is signaled, or from the transport's unknown-SSRC handler);
 * {@link #start} registers with the scheduler (idempotent); {@link #close} unregisters. It outlives
 * transports: a rejoin plugs the same tracks into the new transport.
 *
 * <p>Threads: tracks get RTP on the transport's I/O thread (parse, copy, insert into the jitter
 * buffer; no decoding there); decoding and the sink run on the scheduler thread; {@link #stats}
 * from any thread.
 */
public final class IncomingAudio implements AudioReceiveScheduler.Receiver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IncomingAudio.class);
  /**
   * At most this many remote SSRCs are decoded at once per call; packets of a further one are
   * dropped until one falls idle (group-call.md §6.1: the reference clients keep 10).
   */
  public static final int MAX_DECODERS = 10;
  /** A decoder that got no packet for this long is released (group-call.md §6.1: 1 s). */
  public static final long IDLE_MILLIS = 1_000;
  /** At most this many remote SSRCs are tracked (counters kept) per call. */
  public static final int MAX_STREAMS = 1024;

  /** Where frames go; on the scheduler thread. */
  public interface Sink {
    /** @param frame a new frame, owned by the sink */
    void onFrame(AudioFrame frame);
  }

  private final String name;
  private final int channels;
  private final boolean mix;
  private final Sink sink;
  private final AudioReceiveScheduler scheduler;
  private final Map<String, String> logContext;
  private final Map<Integer, Receiver> receivers = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicInteger decoders =
      new java.util.concurrent.atomic.AtomicInteger();
  private final LongSupplier nanoClock;
  private long listenerFailures; // pulling thread only
  private volatile boolean closed;

  /**
   * @param name the call's name for logs
   * @param channels 1 or 2: the PCM channels delivered
   * @param mix true: one frame per tick (SSRC 0) summing every stream, clipped; false: one frame
   *     per stream
   * @param sink where frames go
   * @param scheduler the client's scheduler
   * @param logContext MDC entries set while this call's frames are decoded and delivered
   * @throws IllegalArgumentException if channels is not 1 or 2
   */
  public IncomingAudio(String name, int channels, boolean mix, Sink sink,
      AudioReceiveScheduler scheduler, Map<String, String> logContext) {
    this(name, channels, mix, sink, scheduler, logContext, System::nanoTime);
  }

  /** As above, with the clock that stamps packet arrivals (ns; tests). */
  IncomingAudio(String name, int channels, boolean mix, Sink sink,
      AudioReceiveScheduler scheduler, Map<String, String> logContext, LongSupplier nanoClock) {
    if (channels != 1 && channels != 2) {
      throw new IllegalArgumentException("channels must be 1 or 2: " + channels);
    }
    this.name = name;
    this.channels = channels;
    this.mix = mix;
    this.sink = sink;
    this.scheduler = scheduler;
    this.logContext = logContext;
    this.nanoClock = nanoClock;
  }

  /**
   * The receiving track of one remote SSRC, made on first use.
   *
   * @param ssrc the remote SSRC
   * @param payloadType the Opus payload type negotiated for it; RTP with another one is counted in
   *     {@link #droppedPackets()} and dropped
   * @return the track, or null if closed or {@value #MAX_STREAMS} streams are tracked already
   */
  public MediaTrack trackFor(int ssrc, int payloadType) {
    if (closed) {
      return null;
    }
    Receiver existing = receivers.get(ssrc);
    if (existing != null) {
      existing.payloadType = payloadType; // a new offer may renumber Opus on the same SSRC
      return existing;
    }
    if (receivers.size() >= MAX_STREAMS) {
      return null;
    }
    return receivers.computeIfAbsent(ssrc, s -> new Receiver(s, payloadType));
  }

  /** Starts pulling on the client's scheduler; idempotent; no effect once closed. */
  public void start() {
    if (!closed) {
      scheduler.register(this);
    }
  }

  /**
   * @return per-SSRC receive counters, in no particular order
   */
  public List<IncomingStreamStats> stats() {
    List<IncomingStreamStats> out = new ArrayList<>();
    for (Receiver r : receivers.values()) {
      ReceiveStatistics s = r.statistics;
      OpusStreamDecoder d = r.decoder;
      out.add(new IncomingStreamStats(r.ssrc, s.packets(), s.lost(), s.jitterMillis(),
          r.retiredConcealed + (d == null ? 0 : d.concealedFrames())));
    }
    return List.copyOf(out);
  }

  /** @return SSRCs being decoded now (at most {@value #MAX_DECODERS}) */
  public int activeDecoders() {
    return decoders.get();
  }

  /**
   * @return RTP packets dropped: another payload type, a malformed RTP header, or a stream beyond
   *     {@value #MAX_DECODERS} decoded at once
   */
  public long droppedPackets() {
    return dropped.get();
  }

  @Override
  public void pull(long nowMillis) {
    if (closed) {
      return;
    }
    LogContext.run(logContext, () -> pullNow(nowMillis));
  }

  private void pullNow(long nowMillis) {
    int[] sum = null;
    boolean allConcealed = true;
    for (Receiver r : receivers.values()) {
      OpusStreamDecoder d = r.decoder;
      if (d == null) {
        continue;
      }
      AudioFrame frame = d.pull(nowMillis);
      if (frame == null) {
        if (nowMillis - r.lastPacketMillis > IDLE_MILLIS) {
          r.release(d);
        }
        continue;
      }
      if (!mix) {
        deliver(frame);
        continue;
      }
      if (sum == null) {
        sum = new int[frame.samples().length];
      }
      short[] s = frame.samples();
      for (int i = 0; i < s.length; i++) {
        sum[i] += s[i];
      }
      allConcealed &= frame.concealed();
    }
    if (sum != null) {
      short[] out = new short[sum.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sum[i]));
      }
      deliver(new AudioFrame(0, out, channels, AudioLevels.dbov(out, out.length), allConcealed));
    }
  }

  private void deliver(AudioFrame frame) {
    try {
      sink.onFrame(frame);
    } catch (RuntimeException e) {
      long n = ++listenerFailures; // the pulling thread only
      if (n == 1 || n % 500 == 0) { // 50 frames/s per SSRC: do not flood the log
        log.warn("{}: the incoming-audio listener threw ({} time(s) so far); frame dropped", name,
            n, e);
      }
    }
  }

  /** Stops pulling; tracks drop what arrives afterwards. Idempotent. */
  @Override
  public void close() {
    closed = true;
    scheduler.unregister(this);
  }

  /**
   * One remote SSRC: parses RTP on the I/O thread and hands the payload to its decoder, which it
   * makes on demand and the pulling thread releases when idle; the counters stay.
   */
  private final class Receiver implements MediaTrack {
    private final int ssrc;
    private volatile int payloadType;
    private final ReceiveStatistics statistics = new ReceiveStatistics(48_000);
    private volatile OpusStreamDecoder decoder; // null while idle
    private volatile long lastPacketMillis;
    private volatile long retiredConcealed;

    Receiver(int ssrc, int payloadType) {
      this.ssrc = ssrc;
      this.payloadType = payloadType;
    }

    @Override
    public int[] ssrcs() {
      return new int[] {ssrc};
    }

    @Override
    public void onRtcp(RtcpPacket packet) {
      // sender reports of the remote stream: not needed for playout
    }

    @Override
    public void onRtp(byte[] packet, int offset, int length) {
      if (closed) {
        return;
      }
      RtpHeader header = RtpHeader.parse(packet, offset, length);
      if (header == null || header.payloadType() != payloadType) {
        dropped.incrementAndGet();
        return;
      }
      long now = nanoClock.getAsLong();
      statistics.onPacket(header.sequenceNumber(), header.timestamp(), now);
      OpusStreamDecoder d = decoder;
      if (d == null) {
        if (decoders.incrementAndGet() > MAX_DECODERS) {
          decoders.decrementAndGet();
          dropped.incrementAndGet();
          return;
        }
        d = new OpusStreamDecoder(ssrc, channels, new JitterBuffer());
        decoder = d;
      }
      lastPacketMillis = Math.floorDiv(now, 1_000_000);
      byte[] payload = Arrays.copyOfRange(packet, header.payloadOffset(),
          header.payloadOffset() + header.payloadLength());
      d.onPacket(header.sequenceNumber(), header.timestamp(), payload, now);
    }

    /** On the pulling thread: drops an idle decoder (a packet racing this one is lost). */
    void release(OpusStreamDecoder d) {
      if (decoder == d) {
        decoder = null;
        retiredConcealed += d.concealedFrames();
        decoders.decrementAndGet();
      }
    }
  }
}
