package org.tgcalls4j.internal.rtp;

import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code rtp}: the input is one packet for {@link RtpHeader#parse}, which returns null
 * for malformed packets and declares no exception for a range inside the buffer; of a parsed header
 * every header extension element is then looked up ({@link RtpHeader#extensionElement}, ids 0 to
 * 255), which declares none either. The packet is parsed once at offset 0 and once at offset 3 of
 * a larger buffer, so reads outside the given range show up as differences.
 */
public final class RtpHeaderFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) {
    RtpHeader header = RtpHeader.parse(data, 0, data.length);
    byte[] framed = new byte[data.length + 6];
    java.util.Arrays.fill(framed, (byte) 0xA5);
    System.arraycopy(data, 0, framed, 3, data.length);
    RtpHeader shifted = RtpHeader.parse(framed, 3, data.length);
    if ((header == null) != (shifted == null)) {
      throw new AssertionError("parse depends on bytes outside the packet: " + header + " vs " + shifted);
    }
    if (header != null) {
      for (int id = 0; id <= 255; id++) {
        header.extensionElement(data, id);
      }
    }
  }
}
