package org.tgcalls4j.internal.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Entry point of Jazzer's standalone driver ({@code com.code_intelligence.jazzer.Jazzer
 * --target_class=org.tgcalls4j.internal.fuzz.JazzerEntry --target_args='NAME [SEED_DIR]'}), as
 * {@code ./fuzz} runs it: feeds each input to the target {@code NAME} of {@link FuzzTargets} under
 * the {@link StrictOracle}. Before fuzzing, runs the target once over the files of {@code SEED_DIR}
 * without the time and allocation limits so class loading and the JIT do not count against the
 * first inputs.
 */
public final class JazzerEntry {
  private static StrictOracle oracle;

  private JazzerEntry() {}

  /**
   * Called once by Jazzer.
   *
   * @param args the target name, then optionally its seed directory
   */
  public static void fuzzerInitialize(String[] args) throws IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("--target_args must name a target of " + FuzzTargets.names());
    }
    FuzzTarget target = FuzzTargets.create(args[0]);
    if (args.length > 1) {
      for (Path seed : files(Path.of(args[1]))) {
        for (int round = 0; round < 20; round++) {
          try {
            target.fuzz(Files.readAllBytes(seed));
          } catch (Throwable t) {
            break; // a crasher in the corpus: the fuzzer reports it when it runs the input
          }
        }
      }
    }
    oracle = new StrictOracle(target);
  }

  /** Called by Jazzer for every input. */
  public static void fuzzerTestOneInput(byte[] data) throws Exception {
    oracle.fuzz(data);
  }

  /** @return the regular files directly in {@code dir} (not in subfolders), sorted */
  static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".md"))
          .sorted()
          .toList();
    }
  }
}
