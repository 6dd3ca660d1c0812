package org.tgcalls4j.internal.srtp;

import java.util.HexFormat;

/** Hex and RTP packet helpers shared by the SRTP tests. */
final class TestBytes {
  private TestBytes() {}

  /** Parses hex written the way RFCs print it: any whitespace between the digits is ignored. */
  static byte[] hex(String text) {
    return HexFormat.of().parseHex(text.replaceAll("\\s", ""));
  }

  /**
   * An RTP packet with two CSRCs, a one-byte-header extension (RFC 8285 §4.2) holding a 2-byte
   * element, and a payload that depends on {@code seq}.
   */
  static byte[] rtpWithCsrcsAndExtension(int seq, int ssrc) {
    byte[] payload = new byte[37];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (seq * 7 + i);
    }
    byte[] p = new byte[12 + 8 + 8 + payload.length];
    p[0] = (byte) 0x92; // V=2, X=1, CC=2
    p[1] = (byte) 111; // payload type
    p[2] = (byte) (seq >>> 8);
    p[3] = (byte) seq;
    writeInt(p, 4, 0x1234_5678 + seq * 960); // timestamp
    writeInt(p, 8, ssrc);
    writeInt(p, 12, 0x0A0B_0C0D); // CSRC 1
    writeInt(p, 16, 0x0E0F_1011); // CSRC 2
    p[20] = (byte) 0xBE; // one-byte header extension profile 0xBEDE
    p[21] = (byte) 0xDE;
    p[22] = 0; // length: 1 word
    p[23] = 1;
    p[24] = 0x11; // id 1, 2 bytes of data
    p[25] = (byte) 0xAA;
    p[26] = (byte) 0xBB;
    p[27] = 0; // padding
    System.arraycopy(payload, 0, p, 28, payload.length);
    return p;
  }

  /** A version-2 RTCP receiver report with one report block from {@code ssrc}. */
  static byte[] rtcpReceiverReport(int ssrc, int fill) {
    byte[] p = new byte[32];
    p[0] = (byte) 0x81; // V=2, RC=1
    p[1] = (byte) 201; // RR
    p[3] = 7; // length in words minus one
    writeInt(p, 4, ssrc);
    for (int i = 8; i < p.length; i++) {
      p[i] = (byte) (fill + i);
    }
    return p;
  }

  static void writeInt(byte[] b, int i, int value) {
    b[i] = (byte) (value >>> 24);
    b[i + 1] = (byte) (value >>> 16);
    b[i + 2] = (byte) (value >>> 8);
    b[i + 3] = (byte) value;
  }
}
