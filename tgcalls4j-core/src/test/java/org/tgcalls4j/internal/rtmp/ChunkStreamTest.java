package org.tgcalls4j.internal.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tgcalls4j.internal.rtmp.Amf0Test.bytes;
import static org.tgcalls4j.internal.rtmp.Amf0Test.concat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.net.ProtocolException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.rtmp.testing.Allocation;

class ChunkStreamTest {
  @Test
  void splitsTenThousandByteVideoMessageIntoType0AndTwoType3Chunks() throws Exception {
    byte[] payload = new byte[10_000];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) i;
    }
    ChunkWriter writer = new ChunkWriter();
    writer.setChunkSize(4096);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    writer.write(out, 6, RtmpMessage.VIDEO, 1, 0x0102, payload, 0, payload.length);

    byte[] expected = concat(
        bytes(0x06), // fmt 0, chunk stream id 6
        bytes(0x00, 0x01, 0x02), // timestamp 258 ms
        bytes(0x00, 0x27, 0x10), // message length 10 000
        bytes(0x09), // type 9 video
        bytes(0x01, 0x00, 0x00, 0x00), // message stream id 1, little-endian
        Arrays.copyOfRange(payload, 0, 4096),
        bytes(0xC6), // fmt 3, chunk stream id 6
        Arrays.copyOfRange(payload, 4096, 8192),
        bytes(0xC6),
        Arrays.copyOfRange(payload, 8192, 10_000)); // last 1808 bytes
    assertThat(out.toByteArray()).hasSize(12 + 10_000 + 2).isEqualTo(expected);
  }

  @Test
  void writesExtendedTimestampInType0AndEveryType3Chunk() throws Exception {
    ChunkWriter writer = new ChunkWriter(); // 128-byte chunks
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] payload = new byte[200];

    writer.write(out, 4, RtmpMessage.AUDIO, 1, 0x01000000L, payload, 0, payload.length);

    byte[] expected = concat(
        bytes(0x04), // fmt 0, chunk stream id 4
        bytes(0xFF, 0xFF, 0xFF), // timestamp field saturated: extended timestamp follows
        bytes(0x00, 0x00, 0xC8), // length 200
        bytes(0x08), // audio
        bytes(0x01, 0x00, 0x00, 0x00),
        bytes(0x01, 0x00, 0x00, 0x00), // extended timestamp 0x01000000
        new byte[128],
        bytes(0xC4), // fmt 3, chunk stream id 4
        bytes(0x01, 0x00, 0x00, 0x00), // extended timestamp repeated
        new byte[72]);
    assertThat(out.toByteArray()).isEqualTo(expected);
  }

  @Test
  void writesTwoAndThreeByteBasicHeaders() throws Exception {
    ChunkWriter writer = new ChunkWriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    writer.write(out, 64 + 10, 20, 0, 0, new byte[0], 0, 0);
    writer.write(out, 64 + 0x0102, 20, 0, 0, new byte[0], 0, 0);

    byte[] b = out.toByteArray();
    assertThat(Arrays.copyOfRange(b, 0, 2)).isEqualTo(bytes(0x00, 10)); // csid - 64
    assertThat(Arrays.copyOfRange(b, 13, 16)).isEqualTo(bytes(0x01, 0x02, 0x01)); // (csid-64) LE
  }

  @Test
  void readerReassemblesWhatTheWriterWrote() throws Exception {
    ChunkWriter writer = new ChunkWriter();
    writer.setChunkSize(1000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] big = new byte[5000];
    Arrays.fill(big, (byte) 7);
    writer.write(out, 6, 9, 1, 40, big, 0, big.length);
    writer.write(out, 300, 8, 1, 0xFFFFFFFFL, bytes(1, 2, 3), 0, 3);

    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(out.toByteArray()));
    reader.setChunkSize(1000);
    RtmpMessage first = reader.readMessage();
    RtmpMessage second = reader.readMessage();

    assertThat(first.typeId()).isEqualTo(9);
    assertThat(first.streamId()).isEqualTo(1);
    assertThat(first.timestamp()).isEqualTo(40);
    assertThat(first.payload()).isEqualTo(big);
    assertThat(second.timestamp()).isEqualTo(0xFFFFFFFFL);
    assertThat(second.payload()).containsExactly(1, 2, 3);
    assertThat(reader.bytesRead()).isEqualTo(out.size());
    assertThatThrownBy(reader::readMessage).isInstanceOf(EOFException.class);
  }

  @Test
  void readerAppliesType1Type2AndType3Deltas() throws Exception {
    byte[] stream = concat(
        bytes(0x03, 0, 0, 100, 0, 0, 2, 20, 0, 0, 0, 0), bytes(0xAA, 0xBB), // fmt 0: ts 100, len 2, type 20
        bytes(0x43, 0, 0, 10, 0, 0, 1, 18), bytes(0xCC), // fmt 1: delta 10, len 1, type 18
        bytes(0x83, 0, 0, 5), bytes(0xDD), // fmt 2: delta 5
        bytes(0xC3), bytes(0xEE)); // fmt 3 starting a new message: same delta again
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(stream));

    assertThat(reader.readMessage().timestamp()).isEqualTo(100);
    RtmpMessage fmt1 = reader.readMessage();
    assertThat(fmt1.timestamp()).isEqualTo(110);
    assertThat(fmt1.typeId()).isEqualTo(18);
    assertThat(reader.readMessage().timestamp()).isEqualTo(115);
    RtmpMessage fmt3 = reader.readMessage();
    assertThat(fmt3.timestamp()).isEqualTo(120);
    assertThat(fmt3.payload()).containsExactly(0xEE);
  }

  @Test
  void readerDropsMessageNamedByAbortAndHonoursNewChunkSize() throws Exception {
    byte[] stream = concat(
        bytes(0x05, 0, 0, 0, 0, 0, 200, 18, 0, 0, 0, 0), new byte[128], // first 128 of 200 bytes
        bytes(0x02, 0, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0), bytes(0, 0, 0, 5), // Abort chunk stream 5
        bytes(0x05, 0, 0, 0, 0, 0, 3, 18, 0, 0, 0, 0), bytes(1, 2, 3), // fresh message on 5
        bytes(0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0), bytes(0, 0, 0, 2), // Set Chunk Size 2
        bytes(0x05, 0, 0, 0, 0, 0, 3, 18, 0, 0, 0, 0), bytes(4, 5), bytes(0xC5), bytes(6));
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(stream));

    RtmpMessage abort = reader.readMessage();
    assertThat(abort.typeId()).isEqualTo(RtmpMessage.ABORT);
    reader.abort(5);
    assertThat(reader.readMessage().payload()).containsExactly(1, 2, 3);
    assertThat(reader.readMessage().typeId()).isEqualTo(RtmpMessage.SET_CHUNK_SIZE);
    reader.setChunkSize(2);
    assertThat(reader.readMessage().payload()).containsExactly(4, 5, 6);
  }

  @Test
  void readerRejectsMessageLongerThanOneMebibyteBeforeReadingItsPayload() {
    // fmt 0 on chunk stream 3: timestamp 0, length 0x100001 (1 MiB + 1), type 20, stream 0; no payload
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(bytes(0x03, 0, 0, 0, 0x10, 0x00, 0x01, 20, 0, 0, 0, 0)));

    assertThatThrownBy(reader::readMessage)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("1048577 bytes on chunk stream 3");
  }

  @Test
  void readerAllocatesOnlyWhatArrivedForMessagesInProgress() throws Exception {
    // 64 chunk streams each start a 1 MiB message and send its first 128 bytes: 8.6 KB on the wire
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (int csid = 3; csid < 3 + ChunkReader.MAX_OPEN_CHUNK_STREAMS; csid++) {
      wire.writeBytes(csid <= 63 ? bytes(csid) : bytes(0, csid - 64)); // 1- or 2-byte basic header
      wire.writeBytes(bytes(0, 0, 0, 0x10, 0x00, 0x00, 20, 0, 0, 0, 0)); // length exactly 1 MiB
      wire.writeBytes(new byte[128]);
    }
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(wire.toByteArray()));

    long before = Allocation.allocatedBytes();
    assertThatThrownBy(reader::readMessage).isInstanceOf(EOFException.class);
    long allocated = Allocation.allocatedBytes() - before;

    assertThat(allocated).as("bytes allocated").isLessThan(4L << 20);
  }

  @Test
  void readerRejectsNewMessageHeaderInTheMiddleOfAMessage() {
    byte[] stream = concat(
        bytes(0x05, 0, 0, 0, 0, 0, 200, 18, 0, 0, 0, 0), new byte[128],
        bytes(0x05, 0, 0, 0, 0, 0, 3, 18, 0, 0, 0, 0), bytes(1, 2, 3));
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(stream));

    assertThatThrownBy(reader::readMessage)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("middle of a message");
  }

  @Test
  void readerRejectsType1ChunkWithNoPreviousHeaderAndBadChunkSize() {
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(bytes(0x47, 0, 0, 0, 0, 0, 1, 8, 0)));

    assertThatThrownBy(reader::readMessage)
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("no previous header");
    assertThatThrownBy(() -> reader.setChunkSize(0x80000000)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void aHugeChunkSizeDoesNotMakeTheReaderBufferAWholeDeclaredMessageBeforeItArrives() throws Exception {
    // fmt 0 on chunk stream 3: length 0x0FFFFF (just under 1 MiB), type 20, stream 0; then 5 bytes
    ChunkReader reader = new ChunkReader(new ByteArrayInputStream(
        bytes(0x03, 0, 0, 0, 0x0F, 0xFF, 0xFF, 20, 0, 0, 0, 0, 1, 2, 3, 4, 5)));
    reader.setChunkSize(Integer.MAX_VALUE); // a server may set 2^31-1 (RTMP spec §5.4.1)

    long before = Allocation.allocatedBytes();
    assertThatThrownBy(reader::readMessage).isInstanceOf(EOFException.class);
    long allocated = Allocation.allocatedBytes() - before;
    assertThat(allocated).as("bytes allocated for a 17-byte stream").isLessThan(256 * 1024);
  }
}
