package org.tgcalls4j.internal.ivf;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.tgcalls4j.internal.fuzz.FuzzTarget;
import org.tgcalls4j.internal.rtp.Vp8PayloadHeader;
import org.tgcalls4j.internal.rtp.Vp8RtpPacketizer;

/**
 * Fuzz target {@code ivf}: the input is an IVF file read by {@link IvfReader} from a {@link
 * ByteArrayInputStream} ({@link IvfReader#header()}, then {@link IvfReader#nextFrame()} to the end).
 * Every frame read goes through {@link Vp8PayloadHeader#parse} and {@link IvfHeader#ptsTo90kHz}
 * and is packetized by a {@link Vp8RtpPacketizer} with a 100-byte payload bound, whose packets
 * must obey RFC 7741 (size bound, S bit on the first packet only, marker on the last only, one
 * timestamp and PictureID per frame) and concatenate back to the frame. The reader declares
 * {@link IvfFormatException} for malformed input; anything else is a finding.
 */
public final class IvfFuzz implements FuzzTarget {
  private static final int MAX_PAYLOAD_BYTES = 100;

  @Override
  public void fuzz(byte[] data) throws Exception {
    Vp8RtpPacketizer packetizer = new Vp8RtpPacketizer(0x1234, 100, MAX_PAYLOAD_BYTES, new SplittableRandom(1));
    try (IvfReader reader = new IvfReader(new ByteArrayInputStream(data), 64 << 10)) {
      IvfHeader header = reader.header();
      while (reader.nextFrame()) {
        byte[] frame = reader.frameBuffer();
        int len = reader.frameLength();
        if (len <= 0 || len > data.length) {
          throw new AssertionError("frame length " + len + " for a " + data.length + "-byte input");
        }
        Vp8PayloadHeader vp8 = Vp8PayloadHeader.parse(frame, 0, len);
        if (vp8 != null && vp8.keyFrame() != Vp8PayloadHeader.isKeyFrame(frame, 0, len)) {
          throw new AssertionError("parse and isKeyFrame disagree");
        }
        long mediaTime = header.ptsTo90kHz(reader.framePts());
        checkPackets(packetizer.packetize(frame, 0, len, mediaTime), frame, len);
      }
    } catch (IvfFormatException expected) {
      // declared for malformed input
    }
  }

  private static void checkPackets(List<byte[]> packets, byte[] frame, int len) {
    int header = Vp8RtpPacketizer.FIXED_HEADER_BYTES + Vp8RtpPacketizer.DESCRIPTOR_BYTES;
    byte[] joined = new byte[len];
    int pos = 0;
    for (int i = 0; i < packets.size(); i++) {
      byte[] p = packets.get(i);
      boolean first = i == 0;
      boolean last = i == packets.size() - 1;
      if (p.length - Vp8RtpPacketizer.FIXED_HEADER_BYTES > MAX_PAYLOAD_BYTES || p.length <= header) {
        throw new AssertionError("packet " + i + " is " + p.length + " bytes");
      }
      if (((p[1] & 0x80) != 0) != last || ((p[12] & 0x10) != 0) != first || (p[12] & 0xEF) != 0x80) {
        throw new AssertionError("bad marker or descriptor in packet " + i);
      }
      byte[] first0 = packets.get(0);
      if (!Arrays.equals(p, 4, 8, first0, 4, 8) || !Arrays.equals(p, 13, 16, first0, 13, 16)) {
        throw new AssertionError("timestamp or PictureID differs within a frame");
      }
      System.arraycopy(p, header, joined, pos, p.length - header);
      pos += p.length - header;
    }
    if (pos != len || !Arrays.equals(joined, 0, len, frame, 0, len)) {
      throw new AssertionError("packets do not concatenate to the frame");
    }
  }
}
