package org.tgcalls4j.internal.rtmp;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reassembles messages from the chunks a peer sends (RTMP specification §5.3): all four chunk
 * header formats, 1/2/3-byte basic headers, extended timestamps (also on type-3 continuations
 * when the message started with one), Set Chunk Size and Abort applied by the caller through
 * {@link #setChunkSize} and {@link #abort}. Counts every byte read for acknowledgements. Used by
 * one thread at a time.
 *
 * <p>A publisher only receives control and command messages, so a declared message length above
 * {@link #MAX_MESSAGE_LENGTH} is a protocol error, and a message's buffer grows with the chunks
 * that actually arrive rather than being sized from the (untrusted) declared length.
 */
final class ChunkReader {
  /** At most this many chunk streams may have a message in progress at once. */
  static final int MAX_OPEN_CHUNK_STREAMS = 64;

  /** Longest message accepted, in bytes (1 MiB; commands from a server are a few hundred). */
  static final int MAX_MESSAGE_LENGTH = 1 << 20;

  /** First buffer size of a message in progress, in bytes; doubled as chunks arrive. */
  private static final int INITIAL_BUFFER = 4096;
  /** Most bytes of a chunk read (and buffered ahead of their arrival) at once. */
  private static final int READ_STEP = 4096;

  private final InputStream in;
  private final Map<Integer, ChunkStream> streams = new HashMap<>();
  private int chunkSize = 128;
  private long bytesRead;

  /** Per chunk stream: the previous header fields and the message being reassembled. */
  private static final class ChunkStream {
    long timestamp;
    long timestampDelta;
    int length;
    int typeId;
    int streamId;
    boolean extended;
    boolean seen;
    byte[] partial;
    int received;
  }

  /** @param in the connection's input; read only by this reader */
  ChunkReader(InputStream in) {
    this.in = in;
  }

  /** Applies a peer's Set Chunk Size (spec §5.4.1): 1 to 2^31-1 bytes. */
  void setChunkSize(int chunkSize) throws ProtocolException {
    if (chunkSize < 1) {
      throw new ProtocolException("Set Chunk Size " + Integer.toUnsignedString(chunkSize));
    }
    this.chunkSize = chunkSize;
  }

  /** Discards the partly received message on a chunk stream (Abort Message, spec §5.4.2). */
  void abort(int chunkStreamId) {
    ChunkStream stream = streams.get(chunkStreamId);
    if (stream != null) {
      stream.partial = null;
      stream.received = 0;
    }
  }

  /** @return bytes consumed from the input since construction */
  long bytesRead() {
    return bytesRead;
  }

  /**
   * Blocks until one whole message has arrived.
   *
   * @throws EOFException when the input ends
   * @throws ProtocolException when a chunk refers to a chunk stream with no previous header, or a
   *     limit is exceeded
   * @throws IOException from the input
   */
  RtmpMessage readMessage() throws IOException {
    while (true) {
      RtmpMessage message = readChunk();
      if (message != null) {
        return message;
      }
    }
  }

  /**
   * Blocks until one chunk has arrived.
   *
   * @return the message this chunk completed, or null if its message is still incomplete
   * @throws IOException EOFException, ProtocolException or an input error, as {@link #readMessage()}
   */
  RtmpMessage readChunk() throws IOException {
    int first = readByte();
    int fmt = first >>> 6;
    int csid = first & 0x3F;
    if (csid == 0) {
      csid = 64 + readByte();
    } else if (csid == 1) {
      csid = 64 + readByte();
      csid += readByte() << 8;
    }
    ChunkStream s = streams.get(csid);
    if (s == null) {
      if (streams.size() >= MAX_OPEN_CHUNK_STREAMS) {
        streams.values().removeIf(st -> st.partial == null);
        if (streams.size() >= MAX_OPEN_CHUNK_STREAMS) {
          throw new ProtocolException("more than " + MAX_OPEN_CHUNK_STREAMS + " open chunk streams");
        }
      }
      s = new ChunkStream();
      streams.put(csid, s);
    }
    if (fmt != 0 && !s.seen) {
      throw new ProtocolException("chunk type " + fmt + " on chunk stream " + csid + " with no previous header");
    }
    boolean newMessage = s.partial == null;
    if (fmt == 0) {
      long ts = readUnsigned(3);
      s.length = readLength(csid);
      s.typeId = readByte();
      s.streamId = (int) readLittleEndian32();
      s.extended = ts == 0xFFFFFF;
      s.timestamp = s.extended ? readUnsigned(4) : ts;
      s.timestampDelta = 0;
      s.seen = true;
    } else if (fmt == 1 || fmt == 2) {
      long delta = readUnsigned(3);
      if (fmt == 1) {
        s.length = readLength(csid);
        s.typeId = readByte();
      }
      s.extended = delta == 0xFFFFFF;
      s.timestampDelta = s.extended ? readUnsigned(4) : delta;
      s.timestamp = (s.timestamp + s.timestampDelta) & 0xFFFFFFFFL;
    } else {
      if (s.extended) {
        readUnsigned(4); // repeated extended timestamp
      }
      if (newMessage) {
        s.timestamp = (s.timestamp + s.timestampDelta) & 0xFFFFFFFFL;
      }
    }
    if (newMessage) {
      s.partial = new byte[Math.min(s.length, INITIAL_BUFFER)];
      s.received = 0;
    } else if (fmt != 3) {
      throw new ProtocolException("chunk type " + fmt + " in the middle of a message on chunk stream " + csid);
    }
    // the peer may set a chunk size up to 2^31-1: read a chunk in steps, growing the buffer only
    // as its bytes arrive, so a short stream cannot make us allocate a whole declared message
    int chunkEnd = s.received + Math.min(chunkSize, s.length - s.received);
    while (s.received < chunkEnd) {
      int step = Math.min(chunkEnd - s.received, READ_STEP);
      if (s.partial.length < s.received + step) {
        s.partial = Arrays.copyOf(s.partial,
            Math.min(s.length, Math.max(s.received + step, 2 * s.partial.length)));
      }
      readFully(s.partial, s.received, step);
      s.received += step;
    }
    if (s.received < s.length) {
      return null;
    }
    byte[] payload = s.partial;
    s.partial = null;
    s.received = 0;
    return new RtmpMessage(s.typeId, s.streamId, s.timestamp, payload);
  }

  private int readLength(int csid) throws IOException {
    int length = (int) readUnsigned(3);
    if (length > MAX_MESSAGE_LENGTH) {
      throw new ProtocolException("message of " + length + " bytes on chunk stream " + csid
          + " exceeds the limit of " + MAX_MESSAGE_LENGTH);
    }
    return length;
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("connection closed by peer");
    }
    bytesRead++;
    return b;
  }

  private long readUnsigned(int bytes) throws IOException {
    long value = 0;
    for (int i = 0; i < bytes; i++) {
      value = (value << 8) | readByte();
    }
    return value;
  }

  private long readLittleEndian32() throws IOException {
    long value = 0;
    for (int i = 0; i < 4; i++) {
      value |= (long) readByte() << (8 * i);
    }
    return value;
  }

  private void readFully(byte[] b, int offset, int length) throws IOException {
    while (length > 0) {
      int n = in.read(b, offset, length);
      if (n < 0) {
        throw new EOFException("connection closed by peer");
      }
      bytesRead += n;
      offset += n;
      length -= n;
    }
  }
}
