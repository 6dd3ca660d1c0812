package org.tgcalls4j.internal.flv;

import java.io.IOException;

/** The FLV byte stream broke the FLV file format; {@link #offset()} says where. */
public final class FlvFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final long offset;

  /**
   * @param offset byte offset from the start of the stream where the bad field starts
   * @param problem what was wrong
   */
  public FlvFormatException(long offset, String problem) {
    super("malformed FLV at offset " + offset + ": " + problem);
    this.offset = offset;
  }

  /** @return byte offset from the start of the stream where the bad field starts */
  public long offset() {
    return offset;
  }
}
