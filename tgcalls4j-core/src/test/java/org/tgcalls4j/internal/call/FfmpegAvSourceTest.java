package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.internal.ivf.IvfHeader;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.rtp.Vp8PayloadHeader;

/** One ffmpeg process, two loopback outputs: Ogg/Opus and IVF/VP8 of the same clip. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FfmpegAvSourceTest {
  @TempDir Path dir;

  static Path clip(Path dir, int seconds) throws Exception {
    Path file = dir.resolve("clip.mkv");
    Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=" + seconds,
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + seconds,
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "300", "-c:a", "pcm_s16le", file.toString())
        .redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    return file;
  }

  @Test
  void bothTracksOfOneProcessCoverTheClipWithAKeyFrameEverySecond() throws Exception {
    Path file = clip(dir, 3);
    FfmpegAvSource source = FfmpegAvSource.open(MediaSource.withVideo(MediaSource.file(file)),
        Path.of("ffmpeg"), 64, r -> new Thread(r));
    long ffmpegChildren = ProcessHandle.current().children()
        .filter(h -> h.info().command().orElse("").contains("ffmpeg")).count();
    List<Long> keyFramePts90k = new ArrayList<>();
    AtomicInteger videoFrames = new AtomicInteger();
    List<Object> videoErrors = new ArrayList<>();
    int[] size = new int[2];
    Thread video = new Thread(() -> {
      try {
        IvfReader reader = source.video();
        IvfHeader header = reader.header();
        size[0] = header.width();
        size[1] = header.height();
        while (reader.nextFrame()) {
          if (Vp8PayloadHeader.isKeyFrame(reader.frameBuffer(), 0, reader.frameLength())) {
            keyFramePts90k.add(header.ptsTo90kHz(reader.framePts()));
          }
          videoFrames.incrementAndGet();
        }
      } catch (Exception e) {
        videoErrors.add(e);
      }
    });
    video.start();
    long samples = 0;
    try {
      byte[] frame;
      while ((frame = source.nextFrame()) != null) {
        samples += OpusPacket.samplesAt48kHz(frame);
      }
      assertThat(source.endError()).isNull();
    } finally {
      video.join(10_000);
      source.close();
    }

    assertThat(ffmpegChildren).as("ffmpeg processes for one source").isEqualTo(1);
    assertThat(videoErrors).isEmpty();
    assertThat(samples).isBetween(3 * 48_000L - 960, 3 * 48_000L + 2 * 960);
    assertThat(videoFrames.get()).isBetween(88, 92);
    assertThat(size).containsExactly(320, 240);
    assertThat(keyFramePts90k).first().isEqualTo(0L);
    for (int i = 1; i < keyFramePts90k.size(); i++) {
      assertThat(keyFramePts90k.get(i) - keyFramePts90k.get(i - 1)).isLessThanOrEqualTo(90_000L);
    }
    assertThat(keyFramePts90k).hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void closingBeforeReadingEndsFfmpegAndFreesThePorts() throws Exception {
    Path file = clip(dir, 1);
    FfmpegAvSource source = FfmpegAvSource.open(MediaSource.withVideo(MediaSource.file(file)),
        Path.of("ffmpeg"), 64, r -> new Thread(r));
    long pid = source.pid();
    source.close();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }
}
