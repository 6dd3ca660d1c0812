package org.tgcalls4j.cli;

/** Entry point of the {@code tgcalls4j} command. */
public final class Main {
  private Main() {}

  /** @param args command-line arguments */
  public static void main(String[] args) {
    System.out.println("tgcalls4j");
  }
}
