package org.tgcalls4j.internal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Small helpers of {@link ScaleBench}: percentiles by the same rule as the pion peers (nearest
 * rank, {@code ceil(p/100 * n) - 1}) and the process figures Linux keeps under {@code /proc/self}.
 * Stateless; every method may be called from any thread.
 */
final class ScaleFigures {
  private ScaleFigures() {}

  /**
   * The p-th percentile of {@code values} by nearest rank, as the pion sink and sender compute it
   * (so the two sides of a side-by-side table agree on what p95 means).
   *
   * @param values any order; not modified
   * @param p 0 to 100
   * @return the percentile, or NaN for no values
   * @throws IllegalArgumentException if p is outside 0..100
   */
  static double percentile(double[] values, double p) {
    if (p < 0 || p > 100 || Double.isNaN(p)) {
      throw new IllegalArgumentException("percentile out of 0..100: " + p);
    }
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /**
   * A field of a {@code /proc/PID/status} text in its first unit, e.g. {@code VmRSS} in kB or
   * {@code Threads}.
   *
   * @param statusText the file's content
   * @param key the name before the colon
   * @return the number, or -1 if the line is missing or not a number
   */
  static long statusField(String statusText, String key) {
    for (String line : statusText.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equals(key)) {
        String[] words = line.substring(colon + 1).trim().split("\\s+");
        try {
          return Long.parseLong(words[0]);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** @return this process's {@code /proc/self/status} field (see {@link #statusField}), or -1 */
  static long selfStatusField(String key) {
    try {
      return statusField(Files.readString(Path.of("/proc/self/status")), key);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * @return this process's user and system CPU time so far, in clock ticks of
   *     {@code /proc/self/stat} (fields 14 and 15; 100 per second on Linux), or {-1, -1}
   */
  static long[] selfUserAndSystemTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // the command name (field 2) is in parentheses and may hold spaces: count from after it
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }

  /**
   * @return CPU seconds (user + system) so far of every OS thread of this process, summed by
   *     thread name with trailing numbers dropped ({@code tgcalls4j-control-7} counts as
   *     {@code tgcalls4j-control}; the JVM's {@code C2 CompilerThre}, {@code GC Thread#0} and so
   *     on by their own names), from {@code /proc/self/task/[tid]/stat}; empty where there is none
   */
  static java.util.Map<String, Double> cpuSecondsByThreadName() {
    java.util.Map<String, Double> byName = new java.util.TreeMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
              .replaceAll("[-#]?\\d+$", "");
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
          double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
          byName.merge(name, seconds, Double::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      // not Linux
    }
    return byName;
  }

  /** @return {@code x} rounded to {@code digits} decimals; NaN and infinities become -1 as in pion */
  static double round(double x, int digits) {
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return -1;
    }
    double scale = Math.pow(10, digits);
    return Math.round(x * scale) / scale;
  }
}
