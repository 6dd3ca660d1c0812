package org.tgcalls4j.internal.ivf;

import org.tgcalls4j.internal.util.ContainerFormatException;

/** The byte stream broke the IVF file format; {@link #offset()} says where. */
public final class IvfFormatException extends ContainerFormatException {
  private static final long serialVersionUID = 1L;

  /**
   * @param offset byte offset from the start of the stream where the bad field starts
   * @param problem what was wrong, e.g. "FourCC \"VP90\" is not \"VP80\""
   */
  public IvfFormatException(long offset, String problem) {
    super("IVF", offset, problem);
  }
}
