package org.tgcalls4j.internal.call;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.ogg.OpusPacket;

/**
 * Audio and video from separate inputs, played as one source on one timeline: an optional audio
 * leg (an ffmpeg child writing Ogg/Opus, or an Ogg/Opus file) and a VP8 IVF video leg (an ffmpeg
 * child's standard output, or an IVF file). Audio position 0 and video pts 0 are the same instant:
 * the audio sender publishes the pacing baseline and the video sender paces frames on it.
 *
 * <p>Ends: the audio track sends the audio leg's packets, then, while the video still plays (or
 * from the start when there is no audio leg), 20 ms Opus silence; it ends only after the video's
 * end was handled ({@link #videoEndHandled()}), so the call reports {@code VIDEO} before
 * {@code AUDIO}. The whole source has ended ({@link #awaitEnd}) once the audio leg has: a video
 * that ends earlier ended alone. Each track's end carries its own leg's error: the audio's
 * {@link #endError()}, the video's {@link #videoEndError}; without an audio leg both carry the
 * video's.
 *
 * <p>Threads: the audio is read by one thread (the call's event loop when
 * {@link #readsWithoutWaiting()}, else a {@link ReadAhead} thread), the video likewise (an IVF
 * file on the loop, an ffmpeg child's output by a {@link VideoFrames#readAhead} thread);
 * {@link #close()} from any thread.
 */
final class SeparateAvSource implements AudioVideoSource {
  /** 20 ms at 48 kHz. */
  private static final int SILENCE_SAMPLES = 960;
  private static final byte[] SILENCE = OpusPacket.silence(SILENCE_SAMPLES);

  private final OpusFrameSource audio;
  private final FfmpegProcess videoProcess;
  private final IvfReader video;
  private final CountDownLatch audioLegDone = new CountDownLatch(1);
  private final CountDownLatch videoHandled = new CountDownLatch(1);
  private volatile boolean closed;
  // audio reader only
  private boolean audioLegEnded;
  private IOException audioFailure;

  /**
   * @param audio the audio leg, or null for video only (silence); closed by {@link #close()}
   * @param videoProcess the process writing {@code videoStream}, or null for a file; closed by
   *     {@link #close()}
   * @param videoStream the IVF stream; owned from now on
   */
  SeparateAvSource(OpusFrameSource audio, FfmpegProcess videoProcess, InputStream videoStream) {
    this.audio = audio;
    this.videoProcess = videoProcess;
    this.video = new IvfReader(videoStream);
    if (audio == null) {
      audioLegEnded = true;
      audioLegDone.countDown();
    }
  }

  @Override
  public IvfReader video() {
    return video;
  }

  /** An IVF file is read on the call's loop; an ffmpeg child's output by a read-ahead thread. */
  @Override
  public boolean videoReadsWithoutWaiting() {
    return videoProcess == null;
  }

  /** Without an audio leg, or with an Ogg file: nothing here waits. */
  @Override
  public boolean readsWithoutWaiting() {
    return audio == null || audio.readsWithoutWaiting();
  }

  @Override
  public byte[] nextFrame() throws IOException {
    return read(false);
  }

  @Override
  public byte[] pollFrame() throws IOException {
    return read(true);
  }

  private byte[] read(boolean poll) throws IOException {
    if (!audioLegEnded) {
      byte[] frame = null;
      try {
        frame = poll ? audio.pollFrame() : audio.nextFrame();
      } catch (IOException e) {
        audioFailure = e;
      }
      if (frame != null) {
        return frame; // a packet, NOTHING or NOT_READY
      }
      audioLegEnded = true;
      audioLegDone.countDown();
    }
    if (!closed && videoHandled.getCount() > 0) {
      return SILENCE.clone(); // the video plays on
    }
    if (audioFailure != null) {
      throw audioFailure;
    }
    return null;
  }

  /**
   * @return the audio's end: the audio leg's crash error; without an audio leg the video ffmpeg's
   *     (one process made the whole source, as with {@code withVideo}), asked after the video's
   *     end was handled, so that process has exited and this does not wait; else null
   */
  @Override
  public TgCallsException endError() {
    if (audio != null) {
      return audio.endError();
    }
    return videoProcess == null ? null : videoProcess.crashError();
  }

  /** @return whether the audio leg has ended within the wait; at once true without one */
  @Override
  public boolean awaitEnd(long timeoutMillis) throws InterruptedException {
    return audioLegDone.await(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * {@inheritDoc} Here the video's own ffmpeg decides: its crash error (exit code and stderr
   * tail, after waiting up to 2 s for it to exit), else the read error, else null.
   */
  @Override
  public TgCallsException videoEndError(boolean sourceEnded, IOException readError) {
    TgCallsException crash = videoProcess == null ? null : videoProcess.crashError();
    return crash != null ? crash : TrackEnds.unreadable(readError);
  }

  @Override
  public void videoEndHandled() {
    videoHandled.countDown();
  }

  @Override
  public boolean hasOutput() {
    return (audio == null || audio.hasOutput())
        && (videoProcess == null || videoProcess.outputReady());
  }

  @Override
  public void close() {
    closed = true;
    videoHandled.countDown();
    if (audio != null) {
      audio.close();
    }
    if (videoProcess != null) {
      videoProcess.close(); // ends its stdout, which the reader reads
    }
    try {
      video.close();
    } catch (Exception ignored) {
      // a file or pipe we are abandoning
    }
  }
}
