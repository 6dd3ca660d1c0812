package org.tgcalls4j.testsfu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reassembles VP8 frames from the plain (decrypted) RTP packets of one SSRC, RFC 7741, for tests
 * that check what a participant sent (e.g. by writing an IVF file with {@link IvfWriter} and
 * decoding it with ffprobe). Written from the RFCs without the sender's code.
 *
 * <p>A frame is the packets of one RTP timestamp from the one with S=1 and PartID 0 (RFC 7741
 * §4.2: the start of the frame) to the one with the marker bit (§4.1: the last packet of the
 * frame), with no sequence number missing between them. It is returned as soon as it is complete;
 * frames older (by timestamp) that are still incomplete at that moment are dropped and counted, as
 * are frames still pending at {@link #finish()}, frames of more than {@value #MAX_FRAME_BYTES}
 * bytes, and the oldest frame when more than {@value #MAX_PENDING_FRAMES} are pending. Packets of a
 * frame already returned or dropped count as late. With {@code waitForKeyFrame}, complete frames
 * are returned only from a keyframe on, and again only from the next keyframe after a frame was
 * dropped or a PictureID gap showed that one never arrived, so what is returned always decodes.
 *
 * <p>Per-packet problems are counted, never thrown. Not thread-safe: one thread owns an instance.
 */
public final class Vp8Depacketizer {
  /** Largest frame reassembled, in bytes. */
  public static final int MAX_FRAME_BYTES = 4 << 20;
  /** Most frames kept waiting for missing packets at once. */
  public static final int MAX_PENDING_FRAMES = 32;
  private static final int RTP_FIXED_HEADER_BYTES = 12;

  private final int payloadType;
  private final boolean waitForKeyFrame;
  private final Map<Integer, Pending> pending = new LinkedHashMap<>();
  private int ssrc;
  private boolean haveSsrc;
  private boolean haveFinished;
  private int lastFinishedTimestamp;
  private boolean haveEmitted;
  private int firstTimestamp;
  private long lastPts;
  private int lastEmittedTimestamp;
  private int lastPictureId = -1;
  private boolean awaitingKeyFrame;

  private long packetsReceived;
  private long packetsMalformed;
  private long packetsOtherSsrc;
  private long packetsOtherPayloadType;
  private long packetsDuplicate;
  private long packetsLate;
  private long framesCompleted;
  private long framesIncomplete;
  private long framesSkippedAwaitingKeyFrame;
  private long pictureIdGaps;

  /**
   * @param payloadType the VP8 payload type, 0..127; packets of other types are counted and
   *     ignored; -1 accepts any
   * @param waitForKeyFrame whether to return frames only from a keyframe on and after every loss
   *     (see the class comment)
   */
  public Vp8Depacketizer(int payloadType, boolean waitForKeyFrame) {
    if (payloadType < -1 || payloadType > 127) {
      throw new IllegalArgumentException("payloadType must be -1..127: " + payloadType);
    }
    this.payloadType = payloadType;
    this.waitForKeyFrame = waitForKeyFrame;
    this.awaitingKeyFrame = waitForKeyFrame;
  }

  /**
   * Takes one RTP packet. The SSRC of the first well-formed packet is the one reassembled from then
   * on; packets of other SSRCs are counted and ignored.
   *
   * @param b buffer holding the packet; not kept (the payload is copied)
   * @param off index of its first byte
   * @param len packet length in bytes
   * @return the frames this packet completed, oldest first; usually empty or one
   * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not lie within {@code b}
   */
  public List<Vp8Frame> push(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    packetsReceived++;
    // RFC 3550 §5.1
    if (len < RTP_FIXED_HEADER_BYTES || (b[off] & 0xC0) != 0x80) {
      packetsMalformed++;
      return List.of();
    }
    int end = off + len;
    int pos = off + RTP_FIXED_HEADER_BYTES + 4 * (b[off] & 0x0F);
    if ((b[off] & 0x10) != 0) {
      if (pos + 4 > end) {
        packetsMalformed++;
        return List.of();
      }
      pos += 4 + 4 * u16(b, pos + 2);
    }
    if ((b[off] & 0x20) != 0 && pos < end) {
      int padding = b[end - 1] & 0xFF;
      end = padding == 0 ? -1 : end - padding;
    }
    if (pos >= end) {
      packetsMalformed++;
      return List.of();
    }
    boolean marker = (b[off + 1] & 0x80) != 0;
    int pt = b[off + 1] & 0x7F;
    int seq = u16(b, off + 2);
    int timestamp = i32(b, off + 4);
    int packetSsrc = i32(b, off + 8);
    if (payloadType >= 0 && pt != payloadType) {
      packetsOtherPayloadType++;
      return List.of();
    }
    if (!haveSsrc) {
      ssrc = packetSsrc;
      haveSsrc = true;
    } else if (packetSsrc != ssrc) {
      packetsOtherSsrc++;
      return List.of();
    }
    // RFC 7741 §4.2: |X|R|N|S|R|PID|, [|I|L|T|K|RSV|, [|M|PictureID 7 or 15|], [TL0PICIDX], [|TID|Y|KEYIDX|]]
    int d = b[pos] & 0xFF;
    boolean start = (d & 0x10) != 0 && (d & 0x07) == 0;
    int pictureId = -1;
    int p = pos + 1;
    if ((d & 0x80) != 0) {
      if (p >= end) {
        packetsMalformed++;
        return List.of();
      }
      int x = b[p++] & 0xFF;
      if ((x & 0x80) != 0) {
        if (p >= end) {
          packetsMalformed++;
          return List.of();
        }
        int m = b[p++] & 0xFF;
        if ((m & 0x80) != 0) {
          if (p >= end) {
            packetsMalformed++;
            return List.of();
          }
          pictureId = (m & 0x7F) << 8 | (b[p++] & 0xFF);
        } else {
          pictureId = m;
        }
      }
      p += ((x & 0x40) != 0 ? 1 : 0) + ((x & 0x30) != 0 ? 1 : 0);
    }
    if (p >= end) { // a descriptor without payload, or one running past the packet
      packetsMalformed++;
      return List.of();
    }
    if (haveFinished && timestamp - lastFinishedTimestamp <= 0) {
      packetsLate++;
      return List.of();
    }
    Pending frame = pending.get(timestamp);
    if (frame == null) {
      frame = new Pending(timestamp);
      pending.put(timestamp, frame);
    }
    if (frame.payloads.containsKey(seq)) {
      packetsDuplicate++;
      return List.of();
    }
    frame.payloads.put(seq, Arrays.copyOfRange(b, p, end));
    frame.bytes += end - p;
    if (start) {
      frame.startSeq = seq;
      frame.pictureId = pictureId;
    }
    if (marker) {
      frame.endSeq = seq;
    }
    List<Vp8Frame> out = new ArrayList<>(1);
    if (frame.bytes > MAX_FRAME_BYTES) {
      pending.remove(timestamp);
      drop(timestamp);
    } else if (frame.isComplete()) {
      pending.remove(timestamp);
      dropOlderThan(timestamp);
      emit(frame, out);
    }
    if (pending.size() > MAX_PENDING_FRAMES) {
      Pending oldest = null;
      for (Pending f : pending.values()) {
        if (oldest == null || f.timestamp - oldest.timestamp < 0) {
          oldest = f;
        }
      }
      pending.remove(oldest.timestamp);
      drop(oldest.timestamp);
    }
    return out;
  }

  /**
   * Ends the stream: frames still waiting for packets are dropped and counted as incomplete.
   */
  public void finish() {
    for (Pending f : pending.values()) {
      framesIncomplete++;
      if (!haveFinished || f.timestamp - lastFinishedTimestamp > 0) {
        lastFinishedTimestamp = f.timestamp;
        haveFinished = true;
      }
    }
    if (!pending.isEmpty()) {
      awaitingKeyFrame = waitForKeyFrame;
    }
    pending.clear();
  }

  private void dropOlderThan(int timestamp) {
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending f = it.next();
      if (f.timestamp - timestamp < 0) {
        it.remove();
        framesIncomplete++;
        awaitingKeyFrame = waitForKeyFrame;
      }
    }
  }

  private void drop(int timestamp) {
    framesIncomplete++;
    awaitingKeyFrame = waitForKeyFrame;
    if (!haveFinished || timestamp - lastFinishedTimestamp > 0) {
      lastFinishedTimestamp = timestamp;
      haveFinished = true;
    }
  }

  private void emit(Pending f, List<Vp8Frame> out) {
    lastFinishedTimestamp = f.timestamp;
    haveFinished = true;
    int n = f.count();
    int size = 0;
    for (int i = 0; i < n; i++) {
      size += f.payloads.get((f.startSeq + i) & 0xFFFF).length;
    }
    byte[] data = new byte[size]; // packets outside start..end (stray, same timestamp) are left out
    int pos = 0;
    for (int i = 0; i < n; i++) {
      byte[] part = f.payloads.get((f.startSeq + i) & 0xFFFF);
      System.arraycopy(part, 0, data, pos, part.length);
      pos += part.length;
    }
    boolean key = (data[0] & 0x01) == 0;
    int width = 0;
    int height = 0;
    // RFC 7741 §4.3 / RFC 6386 §9.1: a keyframe's start code 9d 01 2a, then 14-bit width and height
    if (key && data.length >= 10 && (data[3] & 0xFF) == 0x9d && (data[4] & 0xFF) == 0x01
        && (data[5] & 0xFF) == 0x2a) {
      width = ((data[6] & 0xFF) | (data[7] & 0xFF) << 8) & 0x3FFF;
      height = ((data[8] & 0xFF) | (data[9] & 0xFF) << 8) & 0x3FFF;
    }
    if (f.pictureId >= 0 && lastPictureId >= 0) {
      int mask = f.pictureId > 0x7F || lastPictureId > 0x7F ? 0x7FFF : 0x7F;
      if (((f.pictureId - lastPictureId) & mask) != 1) {
        pictureIdGaps++;
        awaitingKeyFrame = waitForKeyFrame;
      }
    }
    lastPictureId = f.pictureId;
    framesCompleted++;
    if (awaitingKeyFrame && !key) {
      framesSkippedAwaitingKeyFrame++;
      return;
    }
    awaitingKeyFrame = false;
    long pts;
    if (!haveEmitted) {
      haveEmitted = true;
      firstTimestamp = f.timestamp;
      pts = 0;
    } else {
      pts = lastPts + (f.timestamp - lastEmittedTimestamp);
    }
    lastPts = pts;
    lastEmittedTimestamp = f.timestamp;
    out.add(new Vp8Frame(f.timestamp, pts, f.pictureId, key, width, height, data));
  }

  /** @return RTP packets given to {@link #push} */
  public long packetsReceived() {
    return packetsReceived;
  }

  /** @return packets that were not RTP or carried a malformed or empty VP8 payload descriptor */
  public long packetsMalformed() {
    return packetsMalformed;
  }

  /** @return packets of an SSRC other than the first one seen */
  public long packetsOtherSsrc() {
    return packetsOtherSsrc;
  }

  /** @return packets of another payload type */
  public long packetsOtherPayloadType() {
    return packetsOtherPayloadType;
  }

  /** @return packets whose sequence number was already held for their frame */
  public long packetsDuplicate() {
    return packetsDuplicate;
  }

  /** @return packets of a frame already returned or dropped */
  public long packetsLate() {
    return packetsLate;
  }

  /** @return frames reassembled completely, including those skipped while awaiting a keyframe */
  public long framesCompleted() {
    return framesCompleted;
  }

  /** @return frames dropped because packets were missing (or the frame was too large) */
  public long framesIncomplete() {
    return framesIncomplete;
  }

  /** @return complete frames not returned because a keyframe was awaited */
  public long framesSkippedAwaitingKeyFrame() {
    return framesSkippedAwaitingKeyFrame;
  }

  /** @return times the PictureID of a complete frame did not follow the previous one's */
  public long pictureIdGaps() {
    return pictureIdGaps;
  }

  /** @return the RTP timestamp of the first frame returned; meaningless before one */
  public int firstTimestamp() {
    return firstTimestamp;
  }

  private static int u16(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
  }

  private static int i32(byte[] b, int off) {
    return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
  }

  /** The packets of one timestamp received so far. */
  private static final class Pending {
    final int timestamp;
    final Map<Integer, byte[]> payloads = new HashMap<>();
    int bytes;
    int startSeq = -1;
    int endSeq = -1;
    int pictureId = -1;

    Pending(int timestamp) {
      this.timestamp = timestamp;
    }

    int count() {
      return ((endSeq - startSeq) & 0xFFFF) + 1;
    }

    boolean isComplete() {
      if (startSeq < 0 || endSeq < 0) {
        return false;
      }
      int n = count();
      if (n > payloads.size()) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (!payloads.containsKey((startSeq + i) & 0xFFFF)) {
          return false;
        }
      }
      return true;
    }
  }
}
