package org.tgcalls4j.internal.ogg;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: runs the ffmpeg on PATH with a time limit, skipping the test when it is absent. */
final class Ffmpeg {
  private Ffmpeg() {}

  /** Runs {@code ffmpeg -nostdin -loglevel error -y <args>}; fails unless it exits 0 within 60 s. */
  static void run(Path workDir, String... args) throws IOException, InterruptedException {
    assumeTrue(available(), "ffmpeg not on PATH");
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-loglevel", "error", "-y"));
    command.addAll(List.of(args));
    Path log = workDir.resolve("ffmpeg.log");
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("ffmpeg did not finish within 60 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError("ffmpeg exited " + p.exitValue() + ": " + Files.readString(log));
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static boolean available() throws InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      return false;
    }
    try {
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } finally {
      p.destroyForcibly();
    }
  }
}
