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

  /**
   * The most one input of {@code length} bytes may allocate under the strict oracles
   * ({@link StrictOracle}): 64 bytes per input byte plus 1 MiB, unless a target feeds a library
   * that allocates per call by design and says so here.
   *
   * @param length the input's length in bytes
   * @return the limit in bytes
   */
  default long allocationLimitBytes(int length) {
    return StrictOracle.allocationLimit(length);
  }
}
