package org.tgcalls4j.internal.ogg;

import java.io.ByteArrayInputStream;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code ogg-opus}: the input is an Ogg Opus file read by {@link OggOpusReader} from a
 * {@link ByteArrayInputStream} ({@link OggOpusReader#head()}, then {@link OggOpusReader#nextPacket()}
 * to the end). The reader declares {@link OggFormatException} for malformed input (its other
 * declared {@link java.io.IOException}, an input failure, cannot happen here and is a finding).
 */
public final class OggOpusFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) throws Exception {
    try (OggOpusReader reader = new OggOpusReader(new ByteArrayInputStream(data))) {
      reader.head();
      while (reader.nextPacket() != null) {
        // drain
      }
    } catch (OggFormatException expected) {
      // declared for malformed input
    }
  }
}
