package org.tgcalls4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The file through which another program hands {@code play} the SFU's answer JSON. */
final class AnswerFile {
  private static final long POLL_MILLIS = 50;

  private AnswerFile() {}

  /**
   * @param file the answer file
   * @return its non-blank content, or null if it does not exist or is blank
   * @throws IOException if it exists but cannot be read
   */
  static String read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return text.isBlank() ? null : text;
  }

  /**
   * Polls every 50 ms until the file holds an answer other than {@code stale}; every SFU answer
   * carries fresh ICE credentials, so an equal text is the earlier answer.
   *
   * @param file the answer file
   * @param stale what the file held before our join was written, or null
   * @param timeoutMillis how long to wait, ms
   * @return the new answer
   * @throws IOException if no new answer appeared in time, or the file cannot be read
   * @throws InterruptedException if interrupted while waiting
   */
  static String await(Path file, String stale, long timeoutMillis)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    do {
      String text = read(file);
      if (text != null && !text.equals(stale)) {
        return text;
      }
      Thread.sleep(POLL_MILLIS);
    } while (System.nanoTime() < deadline);
    throw new IOException("no new answer appeared in " + file + " within " + timeoutMillis + " ms");
  }
}
