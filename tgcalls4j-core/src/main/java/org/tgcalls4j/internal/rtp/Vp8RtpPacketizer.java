package org.tgcalls4j.internal.rtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Splits VP8 frames of one outgoing SSRC into plain (unprotected) RTP packets, RFC 3550 §5.1 with
 * the VP8 payload format of RFC 7741.
 *
 * <p>Every packet starts with a 4-byte VP8 payload descriptor (RFC 7741 §4.2): X=1, N=0, S=1 on
 * the first packet of a frame and 0 on the others, PartID 0 (frames are not split at partition
 * boundaries); then I=1 (L=T=K=0) and a 15-bit PictureID (M=1) that is the same in all packets of
 * a frame and increases by one per frame, wrapping from 0x7FFF to 0. A frame is split into the
 * fewest packets whose payload (descriptor included) fits {@code maxPayloadBytes}, with sizes that
 * differ by at most one byte; the last packet of a frame carries the marker bit (RFC 7741 §4.1).
 * All packets of a frame share its RTP timestamp, on the 90 kHz clock (RFC 7741 §4.1); sequence
 * number, timestamp and PictureID start at random values (RFC 3550 §5.1). No header extensions.
 * Not thread-safe: one sending thread owns an instance.
 */
public final class Vp8RtpPacketizer {
  /** RTP fixed header size in bytes (no CSRCs, no extension), RFC 3550 §5.1. */
  public static final int FIXED_HEADER_BYTES = 12;
  /** VP8 payload descriptor size in bytes with X=1, I=1, M=1 and no other option. */
  public static final int DESCRIPTOR_BYTES = 4;
  /** RTP clock rate of VP8, RFC 7741 §4.1. */
  public static final int CLOCK_RATE_HZ = 90_000;
  /** Default RTP payload size bound (descriptor included), below a 1280-byte IPv6 minimum MTU path. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1200;
  private static final int PICTURE_ID_MASK = 0x7FFF;

  private final int ssrc;
  private final int payloadType;
  private final int maxPayloadBytes;
  private final int timestampBase;
  private int sequenceNumber;
  private int pictureId;
  private int lastRtpTimestamp;
  private long packetCount;
  private long octetCount;
  private long frameCount;

  /**
   * @param ssrc the SSRC put in every packet (any 32-bit value)
   * @param payloadType the VP8 payload type from the negotiation, 0..127
   * @param maxPayloadBytes largest RTP payload in bytes, VP8 descriptor included (RTP header
   *     excluded), at least {@value #DESCRIPTOR_BYTES} + 1
   * @param random source of the initial sequence number, timestamp and PictureID
   * @throws IllegalArgumentException if the payload type or payload size is out of range
   */
  public Vp8RtpPacketizer(int ssrc, int payloadType, int maxPayloadBytes, RandomGenerator random) {
    this(ssrc, payloadType, maxPayloadBytes, Objects.requireNonNull(random, "random").nextInt(0x10000),
        random.nextInt(), random.nextInt(PICTURE_ID_MASK + 1));
  }

  /** With explicit initial values, for tests that compare against fixed vectors. */
  Vp8RtpPacketizer(int ssrc, int payloadType, int maxPayloadBytes, int initialSequenceNumber,
      int timestampBase, int initialPictureId) {
    if (payloadType < 0 || payloadType > 127) {
      throw new IllegalArgumentException("payloadType must be 0..127: " + payloadType);
    }
    if (maxPayloadBytes <= DESCRIPTOR_BYTES) {
      throw new IllegalArgumentException("maxPayloadBytes must exceed " + DESCRIPTOR_BYTES + ": "
          + maxPayloadBytes);
    }
    this.ssrc = ssrc;
    this.payloadType = payloadType;
    this.maxPayloadBytes = maxPayloadBytes;
    this.sequenceNumber = initialSequenceNumber & 0xFFFF;
    this.timestampBase = timestampBase;
    this.pictureId = initialPictureId & PICTURE_ID_MASK;
    this.lastRtpTimestamp = timestampBase;
  }

  /**
   * Splits one VP8 frame into RTP packets.
   *
   * @param frame buffer holding the frame (RFC 6386 §9); copied, the caller keeps it
   * @param off index of the frame's first byte
   * @param len frame length in bytes, positive
   * @param mediaTime90kHz the frame's presentation time on the 90 kHz clock, relative to any fixed
   *     origin (e.g. {@link org.tgcalls4j.internal.ivf.IvfHeader#ptsTo90kHz}); the RTP timestamp is
   *     the random base plus this value, modulo 2^32
   * @return the packets in sending order, each a new array holding exactly one RTP packet
   * @throws IllegalArgumentException if the frame is empty
   * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not lie within {@code frame}
   */
  public List<byte[]> packetize(byte[] frame, int off, int len, long mediaTime90kHz) {
    Objects.checkFromIndexSize(off, len, frame.length);
    if (len == 0) {
      throw new IllegalArgumentException("frame is empty");
    }
    int room = maxPayloadBytes - DESCRIPTOR_BYTES;
    int packets = (len + room - 1) / room;
    int base = len / packets;
    int longer = len % packets; // the first `longer` packets carry one byte more
    int timestamp = timestampBase + (int) mediaTime90kHz;
    List<byte[]> out = new ArrayList<>(packets);
    int pos = off;
    for (int i = 0; i < packets; i++) {
      int chunk = base + (i < longer ? 1 : 0);
      byte[] p = new byte[FIXED_HEADER_BYTES + DESCRIPTOR_BYTES + chunk];
      boolean last = i == packets - 1;
      // RFC 3550 §5.1: V=2, P=0, X=0, CC=0 | M, PT | sequence number | timestamp | SSRC
      p[0] = (byte) 0x80;
      p[1] = (byte) ((last ? 0x80 : 0) | payloadType);
      putShort(p, 2, sequenceNumber);
      putInt(p, 4, timestamp);
      putInt(p, 8, ssrc);
      // RFC 7741 §4.2: |X|R|N|S|R|PID|, |I|L|T|K|RSV|, |M|PictureID (15 bits)|
      p[12] = (byte) (0x80 | (i == 0 ? 0x10 : 0));
      p[13] = (byte) 0x80;
      p[14] = (byte) (0x80 | pictureId >>> 8);
      p[15] = (byte) pictureId;
      System.arraycopy(frame, pos, p, FIXED_HEADER_BYTES + DESCRIPTOR_BYTES, chunk);
      pos += chunk;
      sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
      packetCount++;
      octetCount += DESCRIPTOR_BYTES + chunk;
      out.add(p);
    }
    pictureId = (pictureId + 1) & PICTURE_ID_MASK;
    lastRtpTimestamp = timestamp;
    frameCount++;
    return out;
  }

  /**
   * Builds a padding-only packet (RFC 3550 §5.1 P bit, no payload) on this SSRC, as a keep-alive
   * for quiet stretches (group-call.md §5.6): it takes the next sequence number, carries the last
   * frame's timestamp, no marker, and counts as a packet but not as payload octets (RFC 3550
   * §6.4.1).
   *
   * @param paddingBytes padding length in bytes, 1..255; the last byte holds this count
   * @return a new array holding the packet
   * @throws IllegalArgumentException if paddingBytes is out of range
   */
  public byte[] paddingPacket(int paddingBytes) {
    if (paddingBytes < 1 || paddingBytes > 255) {
      throw new IllegalArgumentException("paddingBytes must be 1..255: " + paddingBytes);
    }
    byte[] p = new byte[FIXED_HEADER_BYTES + paddingBytes];
    p[0] = (byte) 0xA0; // V=2, P=1
    p[1] = (byte) payloadType;
    putShort(p, 2, sequenceNumber);
    putInt(p, 4, lastRtpTimestamp);
    putInt(p, 8, ssrc);
    p[p.length - 1] = (byte) paddingBytes;
    sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
    packetCount++;
    return p;
  }

  /** @return the SSRC of every packet */
  public int ssrc() {
    return ssrc;
  }

  /** @return the PictureID the next frame will carry, 0..0x7FFF */
  public int nextPictureId() {
    return pictureId;
  }

  /** @return the sequence number the next packet will carry, 0..65535 */
  public int nextSequenceNumber() {
    return sequenceNumber;
  }

  /** @return packets built so far (RFC 3550 §6.4.1 sender's packet count, before 32-bit wrap) */
  public long packetCount() {
    return packetCount;
  }

  /**
   * @return RTP payload bytes built so far, VP8 descriptors included, RTP headers excluded (RFC
   *     3550 §6.4.1 sender's octet count)
   */
  public long octetCount() {
    return octetCount;
  }

  /** @return frames packetized so far */
  public long frameCount() {
    return frameCount;
  }

  /**
   * @return the RTP timestamp of the last frame, or the base (media time 0) if none was built
   *     yet; an unsigned 32-bit value in an int
   */
  public int lastRtpTimestamp() {
    return lastRtpTimestamp;
  }

  private static void putShort(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
