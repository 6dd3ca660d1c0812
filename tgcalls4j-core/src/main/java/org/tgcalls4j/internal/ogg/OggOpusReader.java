package org.tgcalls4j.internal.ogg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads the Opus packets of the first logical stream of an Ogg Opus file (RFC 7845 over the Ogg
 * encapsulation of RFC 3533): checks every page's capture pattern, version, CRC and sequence number,
 * reassembles packets that span pages, parses OpusHead, skips OpusTags and then returns audio
 * packets one at a time.
 *
 * <p>Pages of other logical streams are skipped; reading ends at the end-of-stream page of the first
 * one (chained files are not followed). Packets are returned as stored: pre-skip and end trimming
 * ({@link OpusHead#preSkip()}, granule positions) are left to the decoder side. Reads the input
 * lazily, so a bad page is reported only when reached. Not thread-safe.
 */
public final class OggOpusReader implements AutoCloseable {
  /** Largest audio packet accepted: 48 frames of 1275 bytes plus framing (RFC 6716 §3.2.5), rounded up. */
  static final int MAX_AUDIO_PACKET_BYTES = 65_536;
  private static final int PAGE_HEADER_BYTES = 27;
  private static final int FLAG_CONTINUED = 0x01;
  private static final int FLAG_BEGIN_OF_STREAM = 0x02;
  private static final int FLAG_END_OF_STREAM = 0x04;
  private static final byte[] OPUS_HEAD = "OpusHead".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OPUS_TAGS = "OpusTags".getBytes(StandardCharsets.US_ASCII);

  /** Page bodies are read into {@link #body}, grown to the largest page so far; most are a few KB. */
  private static final int INITIAL_BODY_BYTES = 4096;

  private final InputStream in;
  // reused for every page: the reader allocates per packet only the array it returns
  private final byte[] header = new byte[PAGE_HEADER_BYTES];
  private final byte[] lacing = new byte[255];
  private byte[] body = new byte[INITIAL_BODY_BYTES];
  private final ArrayDeque<byte[]> completePackets = new ArrayDeque<>();
  /**
   * The packet being reassembled across segments and pages: {@code partialPacket[0,
   * partialPacketBytes)}, grown as needed up to {@link #MAX_AUDIO_PACKET_BYTES}. A packet within
   * one page's body never passes through it (the common case: copied straight from the body).
   */
  private byte[] partialPacket = new byte[0];
  private int partialPacketBytes;
  /** Index (from 0) of the last page read, counting pages of every logical stream. */
  private int pageIndex = -1;
  private int partialPacketStartPage = -1;
  private int serial;
  private long expectedSequence;
  private boolean endOfStream;
  private boolean skippingTags;
  private OpusHead head;
  private boolean tagsSkipped;

  /**
   * @param in the Ogg stream, positioned at its first page; owned by this reader from now on and
   *     closed by {@link #close()}
   */
  public OggOpusReader(InputStream in) {
    this.in = Objects.requireNonNull(in, "in");
  }

  /**
   * Returns the identification header, reading the first page on the first call.
   *
   * @return the stream's OpusHead (RFC 7845 §5.1)
   * @throws OggFormatException if the stream does not start with a beginning-of-stream page holding
   *     exactly one valid OpusHead packet, or the page itself is malformed
   * @throws IOException if reading the input fails
   */
  public OpusHead head() throws IOException {
    if (head != null) {
      return head;
    }
    if (!readPage()) {
      throw new OggFormatException("missing OpusHead: the stream is empty");
    }
    byte[] packet = completePackets.poll();
    if (packet == null) {
      throw new OggFormatException("missing OpusHead: page 0 holds no complete packet");
    }
    if (!startsWith(packet, OPUS_HEAD)) {
      throw new OggFormatException("missing OpusHead: page 0 does not start with an OpusHead packet");
    }
    if (!completePackets.isEmpty() || partialPacketStartPage >= 0) {
      // RFC 7845 §3: the first page contains exactly the identification header.
      throw new OggFormatException("page 0 holds more than the OpusHead packet");
    }
    head = parseHead(packet);
    return head;
  }

  /**
   * Returns the next audio packet, skipping OpusTags first.
   *
   * @return one Opus packet (RFC 6716 §3) in a new array owned by the caller, or null after the
   *     last packet of the stream
   * @throws OggFormatException if a page is malformed (bad capture pattern, unsupported version,
   *     CRC mismatch, missing page, truncation), OpusHead/OpusTags are missing, or a packet exceeds
   *     {@value #MAX_AUDIO_PACKET_BYTES} bytes; the message names the page (counted from 0)
   * @throws IOException if reading the input fails
   */
  public byte[] nextPacket() throws IOException {
    head();
    if (!tagsSkipped) {
      skippingTags = true;
      byte[] tags = awaitPacket();
      skippingTags = false;
      if (tags == null || !startsWith(tags, OPUS_TAGS)) {
        throw new OggFormatException("missing OpusTags after OpusHead (page " + pageIndex + ")");
      }
      tagsSkipped = true;
      if (body.length > INITIAL_BODY_BYTES) {
        body = new byte[INITIAL_BODY_BYTES]; // cover art pages grew it; audio pages are small
      }
    }
    return awaitPacket();
  }

  /** Closes the underlying stream; idempotent. */
  @Override
  public void close() throws IOException {
    in.close();
  }

  private byte[] awaitPacket() throws IOException {
    while (completePackets.isEmpty()) {
      if (endOfStream || !readPage()) {
        if (partialPacketStartPage >= 0) {
          throw new OggFormatException("truncated stream: the packet begun on page " + partialPacketStartPage
              + " is never finished");
        }
        return null;
      }
    }
    return completePackets.poll();
  }

  /** Reads one page of the first logical stream into the packet queue; false at a clean end of input. */
  private boolean readPage() throws IOException {
    while (true) {
      int got = in.readNBytes(header, 0, PAGE_HEADER_BYTES);
      if (got == 0) {
        return false;
      }
      int page = ++pageIndex;
      if (got < PAGE_HEADER_BYTES) {
        throw truncated(page, "header", PAGE_HEADER_BYTES, got);
      }
      // RFC 3533 §6: "OggS", version 0, header type, granule (8), serial (4), sequence (4), CRC (4), segments (1)
      if (header[0] != 'O' || header[1] != 'g' || header[2] != 'g' || header[3] != 'S') {
        throw new OggFormatException("bad capture pattern at page " + page + ": expected \"OggS\"");
      }
      if (header[4] != 0) {
        throw new OggFormatException("unsupported Ogg version " + (header[4] & 0xFF) + " at page " + page);
      }
      int flags = header[5] & 0xFF;
      int pageSerial = le32(header, 14);
      long sequence = le32(header, 18) & 0xFFFF_FFFFL;
      int storedCrc = le32(header, 22);
      int segmentCount = header[26] & 0xFF;
      readExactly(lacing, segmentCount, page, "segment table");
      int bodyLength = 0;
      for (int i = 0; i < segmentCount; i++) {
        bodyLength += lacing[i] & 0xFF;
      }
      if (bodyLength > body.length) {
        body = new byte[bodyLength]; // at most 255 * 255 bytes (RFC 3533 §6)
      }
      readExactly(body, bodyLength, page, "body");

      header[22] = header[23] = header[24] = header[25] = 0;
      int crc = OggCrc.update(0, header, 0, header.length);
      crc = OggCrc.update(crc, lacing, 0, segmentCount);
      crc = OggCrc.update(crc, body, 0, bodyLength);
      if (crc != storedCrc) {
        throw new OggFormatException(String.format("CRC mismatch at page %d: stored 0x%08x, computed 0x%08x",
            page, storedCrc, crc));
      }

      if (page == 0) {
        if ((flags & FLAG_BEGIN_OF_STREAM) == 0) {
          throw new OggFormatException("missing OpusHead: page 0 is not a beginning-of-stream page");
        }
        serial = pageSerial;
      } else if (pageSerial != serial) {
        continue; // another logical stream multiplexed into the file
      }
      if (sequence != expectedSequence) {
        throw new OggFormatException("page " + page + " has sequence number " + sequence + ", expected "
            + expectedSequence + " (missing page)");
      }
      expectedSequence = sequence + 1;
      collectPackets(page, flags, segmentCount);
      endOfStream = (flags & FLAG_END_OF_STREAM) != 0;
      return true;
    }
  }

  /** RFC 3533 §5: a lacing value below 255 ends a packet; 255 at the end of a page continues it. */
  private void collectPackets(int page, int flags, int segmentCount) throws OggFormatException {
    boolean continued = (flags & FLAG_CONTINUED) != 0;
    if (continued != (partialPacketStartPage >= 0)) {
      throw new OggFormatException(continued
          ? "page " + page + " continues a packet but none was begun"
          : "page " + page + " does not continue the packet begun on page " + partialPacketStartPage);
    }
    int pos = 0;
    int packetStart = 0; // where the packet being laced began in this page's body
    for (int i = 0; i < segmentCount; i++) {
      int segment = lacing[i] & 0xFF;
      if (partialPacketStartPage < 0) {
        partialPacketStartPage = page;
        packetStart = pos;
      }
      pos += segment;
      if (segment == 255) {
        continue;
      }
      if (partialPacketStartPage == page) { // begun and ended on this page: one copy from the body
        // (at most 255 * 255 bytes, under MAX_AUDIO_PACKET_BYTES: no length check needed)
        int length = pos - packetStart;
        completePackets.add(Arrays.copyOfRange(body, packetStart,
            packetStart + (skippingTags ? Math.min(length, OPUS_TAGS.length) : length)));
      } else {
        append(page, body, packetStart, pos - packetStart);
        completePackets.add(Arrays.copyOf(partialPacket, partialPacketBytes));
        partialPacketBytes = 0;
      }
      partialPacketStartPage = -1;
    }
    if (partialPacketStartPage >= 0) { // continues on the next page
      append(page, body, packetStart, pos - packetStart);
    }
  }

  private void append(int page, byte[] body, int off, int len) throws OggFormatException {
    if (skippingTags) {
      // only the magic is needed; OpusTags may be megabytes of cover art
      len = Math.max(0, Math.min(len, OPUS_TAGS.length - partialPacketBytes));
    } else if (partialPacketBytes + len > MAX_AUDIO_PACKET_BYTES) {
      throw new OggFormatException("packet on page " + page + " exceeds " + MAX_AUDIO_PACKET_BYTES + " bytes");
    }
    if (partialPacketBytes + len > partialPacket.length) {
      partialPacket = Arrays.copyOf(partialPacket, Math.max(partialPacketBytes + len,
          Math.min(2 * partialPacket.length, MAX_AUDIO_PACKET_BYTES)));
    }
    System.arraycopy(body, off, partialPacket, partialPacketBytes, len);
    partialPacketBytes += len;
  }

  private static OpusHead parseHead(byte[] p) throws OggFormatException {
    // RFC 7845 §5.1: magic (8), version (1), channels (1), pre-skip (2 LE), input rate (4 LE),
    // output gain (2 LE), mapping family (1), [stream count, coupled count, mapping[channels]]
    if (p.length < 19) {
      throw new OggFormatException("OpusHead is " + p.length + " bytes, shorter than 19");
    }
    int version = p[8] & 0xFF;
    if ((version & 0xF0) != 0) {
      throw new OggFormatException("unsupported OpusHead version " + version);
    }
    int channels = p[9] & 0xFF;
    int mappingFamily = p[18] & 0xFF;
    if (channels == 0) {
      throw new OggFormatException("OpusHead declares 0 channels");
    }
    if (mappingFamily == 0 && channels > 2) {
      throw new OggFormatException("OpusHead mapping family 0 with " + channels + " channels");
    }
    if (mappingFamily != 0 && p.length < 21 + channels) {
      throw new OggFormatException("OpusHead channel mapping table is truncated");
    }
    int preSkip = (p[10] & 0xFF) | (p[11] & 0xFF) << 8;
    long inputSampleRateHz = le32(p, 12) & 0xFFFF_FFFFL;
    return new OpusHead(channels, preSkip, inputSampleRateHz, mappingFamily);
  }

  private void readExactly(byte[] into, int n, int page, String part) throws IOException {
    int got = in.readNBytes(into, 0, n);
    if (got < n) {
      throw truncated(page, part, n, got);
    }
  }

  private static OggFormatException truncated(int page, String part, int expected, int got) {
    return new OggFormatException("truncated page " + page + ": " + part + " needs " + expected
        + " bytes, the stream ended after " + got);
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static int le32(byte[] b, int off) {
    return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
  }
}
