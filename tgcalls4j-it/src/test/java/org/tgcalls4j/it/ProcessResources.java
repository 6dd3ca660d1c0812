package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** This process's threads and file descriptors, for the churn tests' leak checks (Linux /proc). */
final class ProcessResources {
  private ProcessResources() {}

  /** Names of the threads that work for one call (or one test SFU), which must all end. */
  private static boolean isPerCallThread(String name) {
    return name.startsWith("tgcalls4j-io-") || name.startsWith("tgcalls4j-send-")
        || name.startsWith("tgcalls4j-read-") || name.startsWith("tgcalls4j-video-")
        || name.startsWith("tgcalls4j-ffmpeg-") || name.startsWith("testsfu");
  }

  /** Waits up to 10 s until no per-call thread is left. */
  static void awaitNoCallThreads() {
    await("per-call threads to end").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(threadNames().stream().filter(ProcessResources::isPerCallThread))
            .as("per-call threads").isEmpty());
  }

  /**
   * The client's threads other than its control pool (idle ones end after 30 s), by name with
   * numbers replaced, so a pool thread that was replaced by a new one does not count as a leak.
   */
  static Map<String, Long> clientThreadsByKind() {
    return threadNames().stream()
        .filter(n -> n.startsWith("tgcalls4j") && !n.startsWith("tgcalls4j-control-"))
        .collect(Collectors.groupingBy(n -> n.replaceAll("-\\d+", "-N"), TreeMap::new,
            Collectors.counting()));
  }

  /** The control pool's threads: bounded by {@code dtlsHandshakeThreads}; idle ones end after 30 s. */
  static long controlThreads() {
    return threadNames().stream().filter(n -> n.startsWith("tgcalls4j-control-")).count();
  }

  static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .map(Thread::getName).collect(Collectors.toList());
  }

  /** What the open descriptors are, by kind (socket, pipe, anon_inode:[eventpoll], file), for messages. */
  static Map<String, Long> fdKinds() {
    Map<String, Long> kinds = new TreeMap<>();
    File[] fds = new File("/proc/self/fd").listFiles();
    for (File fd : fds == null ? new File[0] : fds) {
      String target;
      try {
        target = Files.readSymbolicLink(fd.toPath()).toString();
      } catch (IOException e) {
        continue; // closed meanwhile (or the listing's own descriptor)
      }
      kinds.merge(target.replaceAll("\\[\\d+\\]$", "").replaceAll("^/.*\\.jar$", "jar"), 1L, Long::sum);
    }
    return kinds;
  }

  static long openFileDescriptors() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? -1 : fds.length;
  }

  /** @return live ffmpeg processes among this process's descendants */
  static long ffmpegChildren() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().orElse("").endsWith("ffmpeg")).count();
  }
}
