package org.tgcalls4j.internal.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs a target over given files or directories (their files, not subfolders) under the
 * {@link StrictOracle} and prints, per file, {@code ok} or the finding with the top of its stack.
 * {@code ./fuzz} uses it to report which known crashers ({@code fuzz/<target>/known/}) still fail.
 * Usage: {@code FuzzReplay TARGET PATH...}; exits with 1 if any file still fails.
 */
public final class FuzzReplay {
  private FuzzReplay() {}

  public static void main(String[] args) throws Exception {
    FuzzTarget target = FuzzTargets.create(args[0]);
    StrictOracle oracle = new StrictOracle(target);
    List<Path> inputs = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      Path path = Path.of(args[i]);
      inputs.addAll(Files.isDirectory(path) ? JazzerEntry.files(path) : List.of(path));
    }
    // warm up: class loading and the JIT should not count against the time limit
    for (Path input : inputs) {
      try {
        target.fuzz(Files.readAllBytes(input));
      } catch (Throwable ignored) {
        // reported below
      }
    }
    int failing = 0;
    for (Path input : inputs) {
      byte[] data = Files.readAllBytes(input);
      try {
        oracle.fuzz(data);
        System.out.println("ok      " + input);
      } catch (Throwable t) {
        failing++;
        System.out.println("FAILS   " + input + ": " + t);
        StackTraceElement[] stack = t.getStackTrace();
        for (int i = 0; i < Math.min(4, stack.length); i++) {
          System.out.println("          at " + stack[i]);
        }
        String hex = HexFormat.of().formatHex(data, 0, Math.min(data.length, 64));
        System.out.println("          input " + data.length + " bytes: " + hex + (data.length > 64 ? "..." : ""));
      }
    }
    System.exit(failing == 0 ? 0 : 1);
  }
}
