package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FfmpegCrashedExceptionTest {
  @Test
  void namesTheSignalForExitCodes129To159() {
    assertThat(new FfmpegCrashedException(137, "").getMessage())
        .isEqualTo("ffmpeg was killed by signal 9 (SIGKILL)");
    assertThat(new FfmpegCrashedException(139, "").getMessage())
        .isEqualTo("ffmpeg was killed by signal 11 (SIGSEGV)");
    assertThat(new FfmpegCrashedException(129, "").getMessage())
        .isEqualTo("ffmpeg was killed by signal 1 (SIGHUP)");
    assertThat(new FfmpegCrashedException(159, "").getMessage())
        .isEqualTo("ffmpeg was killed by signal 31 (SIGSYS)");
    assertThat(new FfmpegCrashedException(143, "Exiting normally, received signal 15.\n").getMessage())
        .isEqualTo("ffmpeg was killed by signal 15 (SIGTERM): Exiting normally, received signal 15.");
    assertThat(new FfmpegCrashedException(137, "").exitCode()).isEqualTo(137);
  }

  @Test
  void keepsTheExitCodeOutsideTheSignalRangeAndEndsWithoutAColonWhenStderrIsEmpty() {
    assertThat(new FfmpegCrashedException(1, "").getMessage()).isEqualTo("ffmpeg exited with code 1");
    assertThat(new FfmpegCrashedException(128, " \n").getMessage()).isEqualTo("ffmpeg exited with code 128");
    assertThat(new FfmpegCrashedException(160, "").getMessage()).isEqualTo("ffmpeg exited with code 160");
    assertThat(new FfmpegCrashedException(255, "x.mp3: Invalid data\n").getMessage())
        .isEqualTo("ffmpeg exited with code 255: x.mp3: Invalid data");
  }

  @Test
  void aProcessKilledBySigkillIsReportedAsSuch() throws Exception {
    // a stand-in for ffmpeg that the kernel kills, as the OOM killer would
    try (FfmpegProcess process = FfmpegProcess.start(List.of("/bin/sh", "-c", "kill -9 $$"), Thread::new)) {
      assertThat(process.stdout().readAllBytes()).isEmpty();
      FfmpegCrashedException crash = process.crashError();

      assertThat(crash).isNotNull();
      assertThat(crash.exitCode()).isEqualTo(137);
      assertThat(crash.getMessage()).isEqualTo("ffmpeg was killed by signal 9 (SIGKILL)");
    }
  }
}
