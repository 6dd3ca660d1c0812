package org.tgcalls4j.internal.fuzz;

/**
 * One fuzz target: feeds arbitrary bytes to one parser of outside input. {@link #fuzz(byte[])}
 * catches the exceptions the parser declares for bad input and returns; anything else it lets
 * escape (an undeclared exception, an error, a failed consistency check), which both runners treat
 * as a finding: {@link FuzzCorpusTest} (committed corpora, every build) and {@link JazzerEntry}
 * (the {@code ./fuzz} command).
 */
public interface FuzzTarget {
  /**
   * Feeds {@code data} to the parser.
   *
   * @param data the input; the target may not keep it
   * @throws Exception anything the parser does not declare for malformed input
   */
  void fuzz(byte[] data) throws Exception;
}
