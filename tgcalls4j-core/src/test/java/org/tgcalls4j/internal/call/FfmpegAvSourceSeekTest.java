package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.internal.ivf.IvfHeader;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.ogg.OpusPacket;
import org.tgcalls4j.internal.rtp.Vp8PayloadHeader;

/** A source with video reopened at a seek target: both tracks start there, from time 0. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FfmpegAvSourceSeekTest {
  @TempDir Path dir;

  /** Reads both tracks to their ends: {audio samples, video frames}; key-frame pts into keys. */
  private static long[] readAll(FfmpegAvSource source, List<Long> keyFramePts90k)
      throws Exception {
    long[] frames = new long[1];
    List<Exception> errors = new ArrayList<>();
    Thread video = new Thread(() -> {
      try {
        IvfReader reader = source.video();
        IvfHeader header = reader.header();
        while (reader.nextFrame()) {
          if (Vp8PayloadHeader.isKeyFrame(reader.frameBuffer(), 0, reader.frameLength())) {
            keyFramePts90k.add(header.ptsTo90kHz(reader.framePts()));
          }
          frames[0]++;
        }
      } catch (Exception e) {
        errors.add(e);
      }
    });
    video.start();
    long samples = 0;
    try {
      byte[] frame;
      while ((frame = source.nextFrame()) != null) {
        samples += OpusPacket.samplesAt48kHz(frame);
      }
      assertThat(source.endError()).as("a clean end").isNull();
    } finally {
      video.join(10_000);
      source.close();
    }
    assertThat(errors).isEmpty();
    return new long[] {samples, frames[0]};
  }

  @Test
  void reopenedAtTwoSecondsOfThreeBothTracksCoverTheLastSecondAndTheVideoStartsWithAKeyFrame()
      throws Exception {
    Path file = FfmpegAvSourceTest.clip(dir, 3);
    List<Long> keys = new ArrayList<>();
    long[] read = readAll(FfmpegAvSource.open(MediaSource.withVideo(MediaSource.file(file)),
        Path.of("ffmpeg"), 64, 2_000, r -> new Thread(r)), keys);

    assertThat(read[0]).as("audio samples").isBetween(48_000L - 960, 48_000L + 2 * 960);
    assertThat(read[1]).as("video frames").isBetween(29L, 31L);
    assertThat(keys).as("the first frame is a keyframe at time 0").first().isEqualTo(0L);
  }

  @Test
  void reopenedPastTheEndBothTracksEndAtOnceCleanly() throws Exception {
    Path file = FfmpegAvSourceTest.clip(dir, 1);
    List<Long> keys = new ArrayList<>();
    long[] read = readAll(FfmpegAvSource.open(MediaSource.withVideo(MediaSource.file(file)),
        Path.of("ffmpeg"), 64, 5_000, r -> new Thread(r)), keys);

    assertThat(read).containsExactly(0L, 0L);
  }
}
