package org.tgcalls4j.internal.flv;

import java.io.ByteArrayInputStream;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code flv}: the input is an FLV file (header, then tags) read by {@link FlvReader}
 * from a {@link ByteArrayInputStream} with {@link FlvReader#next()} to the end. The reader declares
 * {@link FlvFormatException} for malformed input (its other declared {@link java.io.IOException},
 * an input failure, cannot happen here and is a finding).
 */
public final class FlvFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) throws Exception {
    FlvReader reader = new FlvReader(new ByteArrayInputStream(data));
    try {
      while (reader.next() != null) {
        // drain
      }
    } catch (FlvFormatException expected) {
      // declared for malformed input
    }
  }
}
