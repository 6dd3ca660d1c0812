package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.EncodeOptions;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;

/** Opening a file source checks the file on the caller's thread, before ffmpeg runs. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OpusFrameSourcesTest {
  private static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");

  @TempDir Path dir;

  /** Opens the source; closes it if it opened, and returns the error if it did not. */
  private static InvalidParamsException openError(Path path) throws Exception {
    try {
      OpusFrameSource opened = OpusFrameSources.open(MediaSource.file(path), FFMPEG, 64, 0, Thread::new);
      opened.close();
      return null;
    } catch (InvalidParamsException e) {
      return e;
    }
  }

  @Test
  void rejectsADirectoryNamingTheSource() throws Exception {
    InvalidParamsException e = openError(dir);

    assertThat(e).as("a directory must be refused before ffmpeg starts").isNotNull();
    assertThat(e.field()).isEqualTo("source.path");
    assertThat(e.getMessage()).contains("directory");
  }

  @Test
  void rejectsAMissingFileNamingTheSource() throws Exception {
    InvalidParamsException e = openError(dir.resolve("missing.mp3"));

    assertThat(e).isNotNull();
    assertThat(e.field()).isEqualTo("source.path");
  }

  @Test
  void rejectsAnUnreadableFileNamingTheSource() throws Exception {
    Path file = Files.writeString(dir.resolve("secret.mp3"), "x");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("-w-------"));
    assumeThat(Files.isReadable(file)).as("root reads any file").isFalse();

    InvalidParamsException e = openError(file);

    assertThat(e).isNotNull();
    assertThat(e.field()).isEqualTo("source.path");
  }

  /** @return whether the Opus packet's TOC byte says stereo (RFC 6716 §3.1, the s bit) */
  private static boolean stereo(byte[] packet) {
    return (packet[0] & 0x04) != 0;
  }

  @Test
  void anOggOpusFileIsReadAsItIsUnlessItsOptionsChangeTheAudio() throws Exception {
    Path ogg = dir.resolve("stereo.ogg");
    Process p = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1", "-ac", "2",
        "-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20", "-page_duration", "20000",
        ogg.toString()).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();

    try (OpusFrameSource direct = OpusFrameSources.open(
        MediaSource.file(ogg, EncodeOptions.DEFAULT.withVideoBitrateKbps(300)), FFMPEG, 64, 0,
        Thread::new)) {
      assertThat(direct.readsWithoutWaiting()).as("read without ffmpeg").isTrue();
      assertThat(stereo(direct.nextFrame())).isTrue();
    }
    try (OpusFrameSource mono = OpusFrameSources.open(
        MediaSource.file(ogg, EncodeOptions.DEFAULT.withAudioChannels(1)), FFMPEG, 64, 0,
        Thread::new)) {
      assertThat(mono.readsWithoutWaiting()).as("transcoded by ffmpeg").isFalse();
      byte[] first = mono.nextFrame();
      assertThat(first).isNotNull();
      assertThat(stereo(first)).as("mono Opus").isFalse();
    }
  }
}
