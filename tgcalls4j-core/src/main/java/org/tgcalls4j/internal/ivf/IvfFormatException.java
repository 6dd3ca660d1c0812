package org.tgcalls4j.internal.ivf;

import java.io.IOException;

/** The byte stream broke the IVF file format; {@link #offset()} says where. */
public final class IvfFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private final long offset;

  /**
   * @param offset byte offset from the start of the stream where the bad field starts
   * @param problem what was wrong, e.g. "FourCC \"VP90\" is not \"VP80\""
   */
  public IvfFormatException(long offset, String problem) {
    super("malformed IVF at offset " + offset + ": " + problem);
    this.offset = offset;
  }

  /** @return byte offset from the start of the stream where the bad field starts */
  public long offset() {
    return offset;
  }
}
