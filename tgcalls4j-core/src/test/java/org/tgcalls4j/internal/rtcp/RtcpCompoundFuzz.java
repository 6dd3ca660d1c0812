package org.tgcalls4j.internal.rtcp;

import java.util.Arrays;
import java.util.List;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code rtcp}: the input is one compound packet for {@link RtcpPackets#parseCompound},
 * which returns null for a broken compound structure, skips malformed individual packets and
 * declares no exception for a range inside the buffer. The packet is parsed once at offset 0 and
 * once at offset 3 of a larger buffer; both results must be equal.
 */
public final class RtcpCompoundFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) {
    List<RtcpPacket> packets = RtcpPackets.parseCompound(data, 0, data.length);
    byte[] framed = new byte[data.length + 6];
    Arrays.fill(framed, (byte) 0x81);
    System.arraycopy(data, 0, framed, 3, data.length);
    List<RtcpPacket> shifted = RtcpPackets.parseCompound(framed, 3, data.length);
    if (!describe(packets).equals(describe(shifted))) {
      throw new AssertionError("parse depends on bytes outside the packet: " + describe(packets) + " vs "
          + describe(shifted));
    }
  }

  /** The packets as text, with the feedback FCI bytes spelled out. */
  private static String describe(List<RtcpPacket> packets) {
    if (packets == null) {
      return "null";
    }
    StringBuilder text = new StringBuilder();
    for (RtcpPacket packet : packets) {
      if (packet instanceof RtcpPacket.Feedback f) {
        text.append(List.of(f.type(), f.packetType(), f.fmt(), f.senderSsrc(), f.mediaSsrc()))
            .append(Arrays.toString(f.fci()));
      } else {
        text.append(packet);
      }
      text.append('\n');
    }
    return text.toString();
  }
}
