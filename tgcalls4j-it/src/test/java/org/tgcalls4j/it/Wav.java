package org.tgcalls4j.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a 16-bit PCM RIFF/WAVE file, walking its chunks (writers may add LIST chunks). */
record Wav(int channels, int sampleRateHz, short[] samples) {

  static Wav read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (b.remaining() < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) {
      throw new IOException(file + " is not a RIFF/WAVE file");
    }
    b.position(12);
    int channels = 0;
    int rate = 0;
    while (b.remaining() >= 8) {
      int id = b.getInt();
      int size = b.getInt();
      if (size < 0 || size > b.remaining()) {
        size = b.remaining(); // streaming writers may leave the data size unset
      }
      if (id == 0x20746d66) { // "fmt "
        int format = b.getShort(b.position()) & 0xffff;
        channels = b.getShort(b.position() + 2);
        rate = b.getInt(b.position() + 4);
        int bits = b.getShort(b.position() + 14);
        if (format != 1 || bits != 16) {
          throw new IOException("not 16-bit PCM: format " + format + ", " + bits + " bits");
        }
      } else if (id == 0x61746164) { // "data"
        short[] samples = new short[size / 2];
        b.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
        return new Wav(channels, rate, samples);
      }
      b.position(b.position() + size + (size & 1));
    }
    throw new IOException(file + " has no data chunk");
  }
}
