package org.tgcalls4j.internal.flv;

import org.tgcalls4j.internal.util.ContainerFormatException;

/** The FLV byte stream broke the FLV file format; {@link #offset()} says where. */
public final class FlvFormatException extends ContainerFormatException {
  private static final long serialVersionUID = 1L;

  /**
   * @param offset byte offset from the start of the stream where the bad field starts
   * @param problem what was wrong
   */
  public FlvFormatException(long offset, String problem) {
    super("FLV", offset, problem);
  }
}
