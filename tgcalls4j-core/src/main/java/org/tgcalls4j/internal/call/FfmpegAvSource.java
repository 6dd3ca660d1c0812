package org.tgcalls4j.internal.call;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.FfmpegSpawnException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FfmpegCommand;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;
import org.tgcalls4j.internal.ffmpeg.LoopbackInput;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.ogg.OggOpusReader;

/**
 * Audio and camera video of one input from ONE ffmpeg process (never two: on a live input they
 * would drift apart), Ogg/Opus and IVF/VP8 each written to a {@link LoopbackInput}. The audio
 * sender reads {@link #nextFrame()}, the video sender {@link #video()}; when the audio ends the
 * source waits (up to {@value #VIDEO_DRAIN_MILLIS} ms) for the video to be read to its end too
 * before it reports how ffmpeg ended, so the audio's end is reported after the video's.
 */
final class FfmpegAvSource implements AudioVideoSource {
  /** Longest time between keyframes, which bounds the answer to a PLI (ffmpeg takes no requests). */
  static final int KEY_FRAME_INTERVAL_MILLIS = 1_000;
  private static final long VIDEO_DRAIN_MILLIS = 10_000;

  private final FfmpegProcess process;
  private final LoopbackInput audioIn;
  private final LoopbackInput videoIn;
  private final OggOpusReader audio;
  private final IvfReader video;
  private final CountDownLatch videoDone = new CountDownLatch(1);

  private FfmpegAvSource(FfmpegProcess process, LoopbackInput audioIn, LoopbackInput videoIn) {
    this.process = process;
    this.audioIn = audioIn;
    this.videoIn = videoIn;
    this.audio = new OggOpusReader(new BufferedInputStream(audioIn, 16 * 1024));
    this.video = new IvfReader(new EndSignalingStream(new BufferedInputStream(videoIn, 64 * 1024)));
  }

  /**
   * Binds the two loopback sockets and starts ffmpeg, encoding with the source's
   * {@link org.tgcalls4j.EncodeOptions} ({@code audioBitrateKbps} is the client's Opus bitrate,
   * used when they leave it unset).
   *
   * @throws FfmpegSpawnException if ffmpeg cannot be started or no loopback port can be bound
   */
  static FfmpegAvSource open(MediaSource source, Path ffmpeg, int audioBitrateKbps,
      ThreadFactory threads) throws FfmpegSpawnException {
    return open(source, ffmpeg, audioBitrateKbps, 0, threads);
  }

  /**
   * Binds the two loopback sockets and starts ffmpeg reading the input from
   * {@code startOffsetMillis} (an input seek: both outputs start there, with timestamps from 0,
   * the video with a keyframe), for a seek.
   *
   * @param startOffsetMillis where to start in the input, ms, at least 0
   * @throws FfmpegSpawnException if ffmpeg cannot be started or no loopback port can be bound
   */
  static FfmpegAvSource open(MediaSource source, Path ffmpeg, int audioBitrateKbps,
      long startOffsetMillis, ThreadFactory threads) throws FfmpegSpawnException {
    LoopbackInput audioIn = null;
    LoopbackInput videoIn = null;
    try {
      audioIn = new LoopbackInput("audio");
      videoIn = new LoopbackInput("video");
      // the source's EncodeOptions: by default the SFU's x-google-start-bitrate=800 (group-call.md
      // §3.3), at most 1280x720 and 30 fps; a seek starts the input at the target
      List<String> command = FfmpegCommand.opusOggAndVp8Ivf(ffmpeg, source, audioBitrateKbps,
          KEY_FRAME_INTERVAL_MILLIS, audioIn.ffmpegUrl(), videoIn.ffmpegUrl(), startOffsetMillis);
      FfmpegProcess process = FfmpegProcess.start(command, threads);
      return new FfmpegAvSource(process, audioIn, videoIn);
    } catch (IOException e) {
      closeAll(audioIn, videoIn);
      throw new FfmpegSpawnException("cannot listen on a loopback port for ffmpeg's outputs: "
          + e.getMessage(), e);
    } catch (FfmpegSpawnException | RuntimeException e) {
      closeAll(audioIn, videoIn);
      throw e;
    }
  }

  private static void closeAll(LoopbackInput a, LoopbackInput b) {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  /** @return ffmpeg's process id, for tests and diagnostics */
  long pid() {
    return process.pid();
  }

  @Override
  public IvfReader video() {
    return video;
  }

  @Override
  public byte[] nextFrame() throws IOException {
    return audio.nextPacket(); // reads the OpusHead and OpusTags first
  }

  @Override
  public boolean awaitEnd(long timeoutMillis) throws InterruptedException {
    videoDone.countDown(); // the video sender is done with the video, however its reader failed
    return process.awaitExit(timeoutMillis);
  }

  /**
   * {@inheritDoc} Called by the audio sender at the audio's end (after waiting for the video's
   * end too) and by the video sender at the video's end once ffmpeg exited: both get the same
   * answer.
   */
  @Override
  public TgCallsException endError() {
    try {
      videoDone.await(VIDEO_DRAIN_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (process) { // both senders may ask; one drains
      try {
        // ffmpeg writes nothing to stdout: its end of stream means ffmpeg exited (or was closed)
        process.stdout().transferTo(java.io.OutputStream.nullOutputStream());
      } catch (IOException ignored) {
        // closed under us: close() reports no error
      }
    }
    return process.crashError();
  }

  /** Both outputs connected and written to, or ffmpeg gone: the two tracks can start together. */
  @Override
  public boolean hasOutput() {
    return !process.isAlive() || (audioIn.hasData() && videoIn.hasData());
  }

  @Override
  public void close() {
    videoDone.countDown();
    audioIn.close();
    videoIn.close();
    process.close();
  }

  /** Counts down {@link #videoDone} when the video stream ends or fails. */
  private final class EndSignalingStream extends java.io.FilterInputStream {
    EndSignalingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return ended(in.read());
      } catch (IOException e) {
        videoDone.countDown();
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return ended(in.read(b, off, len));
      } catch (IOException e) {
        videoDone.countDown();
        throw e;
      }
    }

    private int ended(int result) {
      if (result < 0) {
        videoDone.countDown();
      }
      return result;
    }
  }
}
