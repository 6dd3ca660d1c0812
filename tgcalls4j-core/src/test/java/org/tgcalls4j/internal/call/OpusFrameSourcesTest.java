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
}
