package org.tgcalls4j.internal.util;

import java.io.IOException;

/**
 * A byte stream broke its container format (FLV, IVF, ...); {@link #offset()} says where. The
 * message reads {@code malformed <CONTAINER> at offset <n>: <problem>}.
 */
public class ContainerFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final long offset;

  /**
   * @param container the format's name, e.g. "IVF"
   * @param offset byte offset from the start of the stream where the bad field starts
   * @param problem what was wrong
   */
  protected ContainerFormatException(String container, long offset, String problem) {
    super("malformed " + container + " at offset " + offset + ": " + problem);
    this.offset = offset;
  }

  /** @return byte offset from the start of the stream where the bad field starts */
  public long offset() {
    return offset;
  }
}
