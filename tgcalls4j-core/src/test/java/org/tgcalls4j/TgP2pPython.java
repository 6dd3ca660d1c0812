package org.tgcalls4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the independent Python implementation of p2p-call.md ({@code shared/peers/p2p/tgp2p.py}, found
 * by walking up from the working directory) with an inline script; skips the test when it or
 * python3 is missing.
 */
final class TgP2pPython {
  private TgP2pPython() {}

  /** The directory holding tgp2p.py; skips the calling test if there is none. */
  static Path directory() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/peers/p2p");
      if (Files.isRegularFile(candidate.resolve("tgp2p.py"))) {
        return candidate;
      }
    }
    assumeTrue(false, "shared/peers/p2p/tgp2p.py not found above " + Path.of("").toAbsolutePath());
    return null;
  }

  /**
   * Runs {@code python3 -c script dir args...} and returns its output lines as "name rest" pairs,
   * keyed by the first word (a repeated name gets a {@code #n} suffix from the second time on).
   */
  static Map<String, String> run(String script, List<String> args)
      throws IOException, InterruptedException {
    Path dir = directory();
    List<String> command = new ArrayList<>(List.of("python3", "-c", script, dir.toString()));
    command.addAll(args);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "python3 cannot be started: " + e.getMessage());
      throw e;
    }
    try {
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError("python3 failed:\n" + output);
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (String line : output.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        int space = line.indexOf(' ');
        String name = space < 0 ? line : line.substring(0, space);
        String rest = space < 0 ? "" : line.substring(space + 1);
        String key = name;
        for (int n = 2; out.containsKey(key); n++) {
          key = name + "#" + n;
        }
        out.put(key, rest);
      }
      return out;
    } finally {
      process.destroyForcibly();
    }
  }

  /** An emoji as its code points in hex joined by '+', the format the scripts print. */
  static String codePoints(String emoji) {
    StringBuilder out = new StringBuilder();
    emoji.codePoints().forEach(cp -> {
      if (out.length() > 0) {
        out.append('+');
      }
      out.append(Integer.toHexString(cp).toUpperCase(java.util.Locale.ROOT));
    });
    return out.toString();
  }
}
