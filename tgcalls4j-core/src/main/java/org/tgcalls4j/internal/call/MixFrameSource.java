package org.tgcalls4j.internal.call;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.audio.OpusPacketDecoder;
import org.tgcalls4j.internal.audio.PcmQueue;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;
import org.tgcalls4j.internal.ogg.OggOpusReader;
import org.tgcalls4j.internal.ogg.OpusHead;

/**
 * Mixes inputs decoded to 48 kHz stereo PCM and encodes the sum to 20 ms Opus frames. Each
 * {@link #nextFrame()} takes one 20 ms frame from every input that has not ended, scales it by the
 * input's gain, sums in floating point, clips to 16 bits and encodes. Never blocks on an input:
 * a {@link PcmQueue} (a pushed source, or the queue an ffmpeg pump thread fills) with less than a
 * frame contributes silence for the slot; an Ogg/Opus file is decoded inline (local reads).
 *
 * <p>Threads: the call's sender thread calls {@link #nextFrame()}; {@link #close()} may come from
 * any thread. An ffmpeg input has its own pump thread ({@code tgcalls4j-mix-ffmpeg-PID}).
 */
final class MixFrameSource implements OpusFrameSource {
  private static final Logger log = LoggerFactory.getLogger(MixFrameSource.class);
  private static final int CHANNELS = 2;
  private static final int FRAME_VALUES = PcmQueue.FRAME_SAMPLES * CHANNELS;

  /** Result of {@link Input#read}. */
  enum Read { DATA, IDLE, END }

  /** One input, read by the sender thread; {@link #close()} from any thread. */
  interface Input extends AutoCloseable {
    /**
     * @param stereo receives one 20 ms stereo frame when DATA is returned
     * @return DATA, IDLE (nothing this slot, the input goes on) or END
     */
    Read read(short[] stereo);

    /** @return true if the mix may skip a slot in which this input is idle */
    boolean skipWhenIdle();

    /** @return why the input ended abnormally, or null */
    TgCallsException endError();

    @Override
    void close();
  }

  private final Input[] inputs;
  private final double[] gains;
  private final boolean[] ended;
  private final PcmEncoder encoder;
  private final short[] frame = new short[FRAME_VALUES];
  private final double[] sum = new double[FRAME_VALUES];
  private final short[] out = new short[FRAME_VALUES];
  private TgCallsException firstError;
  private volatile boolean closed;

  /**
   * @param inputs open inputs; this source owns and closes them
   * @param gains one linear gain per input
   * @param bitrateKbps Opus bitrate of the mix, kbit/s
   */
  MixFrameSource(List<Input> inputs, double[] gains, int bitrateKbps) {
    this.inputs = inputs.toArray(new Input[0]);
    this.gains = gains.clone();
    this.ended = new boolean[this.inputs.length];
    this.encoder = new PcmEncoder(CHANNELS, bitrateKbps);
  }

  /** Reads a file or memory: never waits on another process. */
  @Override
  public boolean readsWithoutWaiting() {
    return true;
  }

  @Override
  public byte[] nextFrame() throws IOException {
    if (closed) {
      return null;
    }
    Arrays.fill(sum, 0);
    boolean live = false;
    boolean audio = false;
    boolean mustSend = false;
    for (int i = 0; i < inputs.length; i++) {
      if (ended[i]) {
        continue;
      }
      Read r = inputs[i].read(frame);
      if (r == Read.END) {
        ended[i] = true;
        TgCallsException error = inputs[i].endError();
        if (error != null && firstError == null) {
          firstError = error;
        }
        inputs[i].close();
        continue;
      }
      live = true;
      if (r == Read.DATA) {
        audio = true;
        double g = gains[i];
        for (int k = 0; k < FRAME_VALUES; k++) {
          sum[k] += frame[k] * g;
        }
      } else if (!inputs[i].skipWhenIdle()) {
        mustSend = true;
      }
    }
    if (!live) {
      return null;
    }
    if (!audio) {
      return mustSend ? encoder.encodeSilence() : NOTHING;
    }
    for (int k = 0; k < FRAME_VALUES; k++) {
      long v = Math.round(sum[k]);
      out[k] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
    }
    return encoder.encode(out);
  }

  /** @return the first error of an input that ended abnormally, or null */
  @Override
  public TgCallsException endError() {
    return firstError;
  }

  @Override
  public void close() {
    closed = true;
    for (Input input : inputs) {
      input.close();
    }
  }

  /** A PCM queue read frame by frame: a pushed source, or an ffmpeg pump's buffer. */
  static class QueueInput implements Input {
    final PcmQueue queue;
    private final boolean skipWhenIdle;
    private final short[] mono;

    QueueInput(PcmQueue queue, boolean skipWhenIdle) {
      this.queue = queue;
      this.skipWhenIdle = skipWhenIdle;
      this.mono = queue.channels() == 1 ? new short[PcmQueue.FRAME_SAMPLES] : null;
    }

    @Override
    public Read read(short[] stereo) {
      int r = queue.readFrame(mono != null ? mono : stereo);
      if (r == PcmQueue.END) {
        return Read.END;
      }
      if (r == PcmQueue.EMPTY) {
        return Read.IDLE;
      }
      if (mono != null) {
        for (int i = 0; i < PcmQueue.FRAME_SAMPLES; i++) {
          stereo[2 * i] = mono[i];
          stereo[2 * i + 1] = mono[i];
        }
      }
      return Read.DATA;
    }

    @Override
    public boolean skipWhenIdle() {
      return skipWhenIdle;
    }

    @Override
    public TgCallsException endError() {
      return null;
    }

    /** Gives a pushed source's reader slot back. */
    @Override
    public void close() {
      queue.detach();
    }
  }

  /**
   * An Ogg/Opus file decoded in-process (Concentus, stereo output), its pre-skip dropped
   * (RFC 7845 §4.2). A packet the decoder rejects is skipped and counted.
   */
  static final class OggInput implements Input {
    /** 120 ms, the longest Opus packet (RFC 6716 §3.2.5), per channel. */
    private static final int MAX_PACKET_SAMPLES = 5760;
    private final OggOpusReader reader;
    private final OpusPacketDecoder decoder;
    private final short[] decoded = new short[MAX_PACKET_SAMPLES * CHANNELS];
    private final short[] pending = new short[(MAX_PACKET_SAMPLES + PcmQueue.FRAME_SAMPLES) * CHANNELS];
    private int pendingValues;
    private int skipSamples;
    private boolean eof;
    private TgCallsException error;

    OggInput(OggOpusReader reader, OpusHead head) {
      this.reader = reader;
      this.skipSamples = head.preSkip();
      this.decoder = new OpusPacketDecoder(CHANNELS); // 48 kHz, PcmQueue's rate
    }

    @Override
    public Read read(short[] stereo) {
      while (!eof && pendingValues < FRAME_VALUES) {
        byte[] packet;
        try {
          packet = reader.nextPacket();
        } catch (IOException e) {
          error = new InvalidParamsException("source", "unreadable Ogg/Opus: " + e.getMessage(), e);
          packet = null;
        }
        if (packet == null) {
          eof = true;
          break;
        }
        int n = decoder.decode(packet, 0, packet.length, decoded, 0, MAX_PACKET_SAMPLES, false);
        if (n < 0) {
          continue; // counted by the decoder
        }
        int from = Math.min(n, skipSamples);
        skipSamples -= from;
        int values = (n - from) * CHANNELS;
        System.arraycopy(decoded, from * CHANNELS, pending, pendingValues, values);
        pendingValues += values;
      }
      if (pendingValues == 0) {
        if (decoder.rejected() > 0) {
          log.debug("Ogg/Opus mix input: {} packets the decoder rejected were skipped",
              decoder.rejected());
        }
        return Read.END;
      }
      int n = Math.min(FRAME_VALUES, pendingValues);
      System.arraycopy(pending, 0, stereo, 0, n);
      Arrays.fill(stereo, n, FRAME_VALUES, (short) 0);
      System.arraycopy(pending, n, pending, 0, pendingValues - n);
      pendingValues -= n;
      return Read.DATA;
    }

    @Override
    public boolean skipWhenIdle() {
      return false;
    }

    @Override
    public TgCallsException endError() {
      return error;
    }

    @Override
    public void close() {
      try {
        reader.close();
      } catch (IOException ignored) {
        // a file we are done with
      }
    }
  }

  /**
   * ffmpeg decoding any file or URL to s16le 48 kHz stereo on its stdout; a pump thread copies it
   * into a bounded queue (blocking when it is full, so ffmpeg is held back by its pipe) and closes
   * the queue at end of stream, after noting ffmpeg's crash error if any.
   */
  static final class FfmpegInput extends QueueInput {
    /** Decoded audio buffered ahead of the mixer, ms. */
    static final long BUFFER_MILLIS = 1000;
    private final FfmpegProcess process;
    private final Thread pump;
    private volatile TgCallsException error;

    private FfmpegInput(FfmpegProcess process, PcmQueue queue, ThreadFactory threads) {
      super(queue, false);
      this.process = process;
      this.pump = threads.newThread(this::pump);
      if (pump == null) {
        throw new IllegalStateException("the thread factory gave no thread");
      }
      pump.setName("tgcalls4j-mix-ffmpeg-" + process.pid());
      pump.setDaemon(true);
    }

    /** Starts the pump; the process is closed if that fails. */
    static FfmpegInput start(FfmpegProcess process, ThreadFactory threads) {
      try {
        FfmpegInput input = new FfmpegInput(process, new PcmQueue(CHANNELS, BUFFER_MILLIS), threads);
        input.pump.start();
        return input;
      } catch (RuntimeException e) {
        process.close();
        throw e;
      }
    }

    private void pump() {
      byte[] buf = new byte[16 * 1024];
      int carry = 0;
      InputStream in = process.stdout();
      try {
        while (true) {
          int n = in.read(buf, carry, buf.length - carry);
          if (n < 0) {
            break;
          }
          int have = carry + n;
          int whole = have - have % (2 * CHANNELS);
          queue.put(buf, 0, whole);
          carry = have - whole;
          System.arraycopy(buf, whole, buf, 0, carry);
        }
        error = process.crashError();
      } catch (IOException e) {
        TgCallsException crash = process.crashError();
        error = crash != null ? crash
            : new InvalidParamsException("source", "unreadable media: " + e.getMessage(), e);
      } catch (InterruptedException | IllegalStateException e) {
        // closed
      } finally {
        queue.close();
      }
    }

    @Override
    public TgCallsException endError() {
      return error;
    }

    @Override
    public void close() {
      queue.close();
      queue.clear();
      process.close();
      pump.interrupt();
      if (Thread.currentThread() != pump) {
        try {
          pump.join(2000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
