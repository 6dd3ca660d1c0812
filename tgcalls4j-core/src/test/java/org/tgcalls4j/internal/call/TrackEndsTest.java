package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.MediaState;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.StreamType;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.pacing.MediaTimeline;
import org.tgcalls4j.internal.pacing.NanoClock;
import org.tgcalls4j.internal.signaling.VideoSendParameters;
import org.tgcalls4j.internal.transport.EventLoops;

/**
 * Stream ends of a call with video, exactly once per track: the real audio and video senders of
 * a group call on one {@link SourceSlot}, with {@link TrackEnds} deciding about the video, over
 * fake sources whose "ffmpeg" exits (or crashes) when the test says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TrackEndsTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);
  private static final long GRACE_MILLIS = 300;

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private final ExecutorService control = Executors.newSingleThreadExecutor();
  private final SourceSlot slot = new SourceSlot();
  private final MediaTimeline timeline = new MediaTimeline();
  /** "VIDEO null", "AUDIO FfmpegCrashedException", "UPGRADE MediaState[...]", in order. */
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final List<TgCallsException> errors = new CopyOnWriteArrayList<>();
  private AudioSender audio;
  private VideoSender video;

  @AfterEach
  void tearDown() {
    stop();
    control.shutdownNow();
  }

  /** What a call's teardown does: the slot closes first, then the senders. */
  private void stop() {
    slot.close();
    if (audio != null) {
      audio.close();
    }
    if (video != null) {
      video.close();
    }
  }

  private final SessionEvents sessionEvents = new SessionEvents() {
    @Override
    public void onState(ConnectionState state, TgCallsException cause) {}

    @Override
    public void onStreamEnd(TgCallsException error) {
      throw new AssertionError("the senders report through the per-track variant");
    }

    @Override
    public void onStreamEnd(StreamType type, TgCallsException error) {
      events.add(type + " " + (error == null ? "null" : error.getClass().getSimpleName()));
      errors.add(error);
    }

    @Override
    public void onUpgrade(MediaState state) {
      events.add("UPGRADE " + state);
    }
  };

  private void startSenders() {
    SessionConfig config = new SessionConfig(Path.of("/usr/bin/ffmpeg"),
        NetworkOptions.loopbackOnly(), 5_000, r -> new Thread(r), LOOPS, DtlsSetup.PASSIVE, 64,
        new SecureRandom(), System::currentTimeMillis, DtlsCertificate.generate(), control, 0,
        30_000, null, false, null);
    RtpOutput sink = new RtpOutput() {
      @Override
      public boolean sendRtpInPlace(byte[] buffer, int offset, int length) {
        return true;
      }

      @Override
      public boolean sendRtcp(byte[] rtcp) {
        return true;
      }
    };
    audio = new AudioSender(1, 1234, 111, 1, slot, config, LOOPS.wheel(LOOPS.next()), r -> new Thread(r),
        sessionEvents, sink, e -> { }, System::nanoTime);
    audio.setTimeline(timeline);
    TrackEnds ends = new TrackEnds(slot, sessionEvents, "chat 1", GRACE_MILLIS);
    video = new VideoSender(1, 1235, 1236, new VideoSendParameters(100, 101, 0, 0, 0), slot,
        timeline, audio.cname(), config, LOOPS.wheel(LOOPS.next()), r -> new Thread(r), sink,
        NanoClock.SYSTEM,
        ends::videoEnded);
    audio.start();
    video.start();
  }

  /**
   * One source as {@link FfmpegAvSource} behaves: 20 ms Opus frames, then the end; an IVF stream;
   * a "process" that exits when {@link #exit} is called or the source is closed, with
   * {@code crash} as its error unless it was closed.
   */
  private static final class FakeAv implements AudioVideoSource {
    private final int audioFrames;
    private final IvfReader video;
    private final BlockingTail tail = new BlockingTail();
    private final CountDownLatch exited = new CountDownLatch(1);
    private final TgCallsException crash;
    private final boolean exitWhenAudioEnds;
    private final AtomicInteger read = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param audioFrames audio frames before the end ({@link Integer#MAX_VALUE}: endless)
     * @param videoFrames video frames at 30 fps before the video stream ends; negative: that many
     *     frames and then a stream that blocks until the source is closed
     * @param crash the error the "process" ends with, or null
     * @param exitWhenAudioEnds whether the process exits only once the audio was read to its end
     *     (else it has exited from the start, as after a short file that fit in the socket buffers)
     */
    FakeAv(int audioFrames, int videoFrames, TgCallsException crash, boolean exitWhenAudioEnds) {
      this.audioFrames = audioFrames;
      InputStream ivf = new ByteArrayInputStream(VideoSenderTest.ivf(Math.abs(videoFrames)));
      this.video = new IvfReader(videoFrames < 0 ? new SequenceInputStream(ivf, tail) : ivf);
      this.crash = crash;
      this.exitWhenAudioEnds = exitWhenAudioEnds;
      if (!exitWhenAudioEnds) {
        exited.countDown();
      }
    }

    @Override
    public IvfReader video() {
      return video;
    }

    @Override
    public byte[] nextFrame() throws IOException {
      if (closed) {
        throw new IOException("closed");
      }
      if (read.get() >= audioFrames) {
        if (exitWhenAudioEnds) {
          exited.countDown();
        }
        return null;
      }
      read.incrementAndGet();
      return OpusPacket.silence(960);
    }

    @Override
    public boolean awaitEnd(long timeoutMillis) throws InterruptedException {
      return exited.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public TgCallsException endError() {
      try {
        exited.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return closed ? null : crash;
    }

    @Override
    public void close() {
      closed = true;
      exited.countDown();
      tail.release();
    }
  }

  /** A stream that blocks until released, then fails like a closed socket. */
  private static final class BlockingTail extends InputStream {
    private final CountDownLatch released = new CountDownLatch(1);

    void release() {
      released.countDown();
    }

    @Override
    public int read() throws IOException {
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("Socket closed");
    }
  }

  private void awaitEvents(int n) {
    await().atMost(Duration.ofSeconds(15)).until(() -> events.size() >= n);
  }

  @Test
  void aSourceThatRunsOutReportsItsVideoThenItsAudioOnceWithoutError() throws Exception {
    slot.replace(new FakeAv(50, 30, null, false), null); // 1 s of each
    startSenders();

    awaitEvents(2);
    Thread.sleep(GRACE_MILLIS + 700); // nothing else follows
    assertThat(events).containsExactly("VIDEO null", "AUDIO null");
  }

  @Test
  void aCrashedFfmpegGivesItsCrashErrorOnBothTracks() throws Exception {
    FfmpegCrashedException crash = new FfmpegCrashedException(137, "Killed");
    slot.replace(new FakeAv(25, 15, crash, false), null);
    startSenders();

    awaitEvents(2);
    Thread.sleep(GRACE_MILLIS + 700);
    assertThat(events).containsExactly("VIDEO FfmpegCrashedException",
        "AUDIO FfmpegCrashedException");
    assertThat(errors).containsExactly(crash, crash);
  }

  @Test
  void aVideoThatNobodyFinishesEndsWithTheAudioAndIsReportedFirst() throws Exception {
    FfmpegCrashedException crash = new FfmpegCrashedException(1, "Conversion failed!");
    // the video stream stays open after 5 frames: only the audio's end ends the source
    slot.replace(new FakeAv(25, -5, crash, false), null);
    startSenders();

    awaitEvents(2);
    Thread.sleep(GRACE_MILLIS + 700); // the video sender then sees its stream fail: no 2nd end
    assertThat(events).containsExactly("VIDEO FfmpegCrashedException",
        "AUDIO FfmpegCrashedException");
  }

  @Test
  void aVideoLegThatEndsWhileTheAudioGoesOnIsAnUpgradeAndTheAudioEndsLater() throws Exception {
    // 0.5 s of video, 2 s of audio; the process exits when the audio ends
    slot.replace(new FakeAv(100, 15, null, true), null);
    startSenders();

    awaitEvents(2);
    assertThat(events).containsExactly("VIDEO null",
        "UPGRADE MediaState[muted=false, paused=false, videoStopped=true]");
    awaitEvents(3);
    Thread.sleep(500);
    assertThat(events).containsExactly("VIDEO null",
        "UPGRADE MediaState[muted=false, paused=false, videoStopped=true]", "AUDIO null");
  }

  @Test
  void aNewSourceASeekAndAStopReportNothing() throws Exception {
    MediaSource media = MediaSource.file(Path.of("film.mkv"));
    FakeAv first = new FakeAv(Integer.MAX_VALUE, -10, null, true);
    slot.replace(first, media);
    startSenders();
    await().atMost(Duration.ofSeconds(5)).until(() -> video.stats().framesSent() >= 10);

    // a seek: the same media reopened; the old video fails as its socket closes
    FakeAv sought = new FakeAv(Integer.MAX_VALUE, -10, null, true);
    assertThat(slot.seek(media, sought, 60_000)).isTrue();
    assertThat(first.closed).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> video.stats().framesSent() >= 20);

    // a new source
    FakeAv replacement = new FakeAv(Integer.MAX_VALUE, -10, null, true);
    slot.replace(replacement, null);
    assertThat(sought.closed).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> video.stats().framesSent() >= 30);
    Thread.sleep(GRACE_MILLIS + 300);

    // a stop
    stop();
    assertThat(replacement.closed).isTrue();
    Thread.sleep(GRACE_MILLIS + 500);
    assertThat(events).isEmpty();
    assertThat(audio.packetsSent()).as("the audio played meanwhile").isPositive();
  }
}
