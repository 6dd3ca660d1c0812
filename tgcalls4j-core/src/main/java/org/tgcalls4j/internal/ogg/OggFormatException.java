package org.tgcalls4j.internal.ogg;

import java.io.IOException;

/** Thrown when an Ogg/Opus stream is malformed; the message names the page and what was wrong. */
public final class OggFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** @param message what was wrong and where, e.g. "CRC mismatch at page 3: ..." */
  public OggFormatException(String message) {
    super(message);
  }
}
