package org.tgcalls4j.internal.rtmp;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.net.ProtocolException;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code rtmp-chunk}: the input is what a server sends after the handshake, read by
 * {@link ChunkReader#readMessage()} until the input ends. Set Chunk Size and Abort messages are
 * applied as {@link RtmpPublisher} does ({@link ChunkReader#setChunkSize},
 * {@link ChunkReader#abort}; payloads shorter than 4 bytes are left out, the publisher rejects
 * them before). Declared: {@link EOFException} when the input ends and {@link ProtocolException}
 * for chunks that break the protocol or a limit.
 */
public final class ChunkStreamFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) throws Exception {
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(data));
    try {
      while (true) {
        RtmpMessage message = reader.readMessage();
        byte[] p = message.payload();
        if (p.length >= 4) {
          int value = ((p[0] & 0xFF) << 24) | ((p[1] & 0xFF) << 16) | ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
          if (message.typeId() == RtmpMessage.SET_CHUNK_SIZE) {
            reader.setChunkSize(value);
          } else if (message.typeId() == RtmpMessage.ABORT) {
            reader.abort(value);
          }
        }
      }
    } catch (EOFException | ProtocolException expected) {
      // declared: the input ended, or it broke the protocol
    }
  }
}
