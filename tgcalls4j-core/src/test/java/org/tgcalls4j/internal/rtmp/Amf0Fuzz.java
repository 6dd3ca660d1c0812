package org.tgcalls4j.internal.rtmp;

import java.net.ProtocolException;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code amf0}: the input is a command message body for {@link Amf0#decodeAll}, which
 * declares {@link ProtocolException} for malformed values. Whatever decodes is encoded again with
 * {@link Amf0#encode}, which must accept every decoded value.
 */
public final class Amf0Fuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) {
    java.util.List<Object> values;
    try {
      values = Amf0.decodeAll(data, 0, data.length);
    } catch (ProtocolException expected) {
      return; // declared for malformed input
    }
    Amf0.encode(values.toArray());
  }
}
