package org.tgcalls4j.examples.voicebot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A RIFF/WAVE file of 16-bit linear PCM (Microsoft "Multimedia Programming Interface and Data
 * Specifications 1.0", 1991, chapter 3 "Waveform Audio File Format"), parsed from bytes.
 * Immutable once built; {@link #samples()} is the caller's to keep.
 *
 * <p>A WAV written to a pipe cannot know its length in advance: espeak-ng {@code --stdout} writes
 * {@code 0x7FFFF000} as the {@code data} size (and that plus 36 as the RIFF size), ffmpeg and sox
 * write {@code 0xFFFFFFFF}. {@link #parse} accepts these two markers for the last chunk,
 * {@code data}, and then takes every remaining whole sample frame. Every other length must fit.
 *
 * @param sampleRate samples per second per channel, Hz
 * @param channels interleaved channels, 1..8
 * @param samples interleaved signed 16-bit samples, {@code frames * channels} of them
 */
public record Wav(int sampleRate, int channels, short[] samples) {
  /** espeak-ng's {@code data} size when it writes to a pipe. */
  static final long ESPEAK_STREAMING_SIZE = 0x7FFF_F000L;
  /** ffmpeg's and sox's {@code data} size when they write to a pipe. */
  static final long UNKNOWN_SIZE = 0xFFFF_FFFFL;
  /** {@code WAVE_FORMAT_PCM}. */
  static final int FORMAT_PCM = 1;
  /** {@code WAVE_FORMAT_EXTENSIBLE}: accepted when its sub-format GUID is PCM. */
  static final int FORMAT_EXTENSIBLE = 0xFFFE;

  /**
   * @throws NullPointerException if samples is null
   * @throws IllegalArgumentException if the rate or channel count is out of range, or the sample
   *     count is not a multiple of the channel count
   */
  public Wav {
    Objects.requireNonNull(samples, "samples");
    if (sampleRate < 1 || sampleRate > 768_000) {
      throw new IllegalArgumentException("sample rate must be 1..768000 Hz, got " + sampleRate);
    }
    if (channels < 1 || channels > 8) {
      throw new IllegalArgumentException("channels must be 1..8, got " + channels);
    }
    if (samples.length % channels != 0) {
      throw new IllegalArgumentException(samples.length + " samples are not whole frames of "
          + channels + " channels");
    }
  }

  /** @return sample frames (samples per channel) */
  public int frames() {
    return samples.length / channels;
  }

  /** @return the duration, ms (rounded down) */
  public long durationMillis() {
    return frames() * 1000L / sampleRate;
  }

  /**
   * Parses a whole WAV file.
   *
   * @param bytes the file; not kept
   * @return the audio
   * @throws WavFormatException if the file is not RIFF/WAVE 16-bit PCM, or a header field or chunk
   *     length is wrong or runs past the end; the message names the field and its offset
   */
  public static Wav parse(byte[] bytes) throws WavFormatException {
    Objects.requireNonNull(bytes, "bytes");
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 12) {
      throw new WavFormatException("truncated RIFF header: " + bytes.length + " bytes, need 12");
    }
    if (b.getInt(0) != 0x4646_4952) { // "RIFF"
      throw new WavFormatException("not a RIFF file: first 4 bytes are not \"RIFF\"");
    }
    long riffSize = Integer.toUnsignedLong(b.getInt(4));
    if (b.getInt(8) != 0x4556_4157) { // "WAVE"
      throw new WavFormatException("RIFF form type at offset 8 is not \"WAVE\"");
    }
    if (riffSize < 4) {
      throw new WavFormatException("RIFF size " + riffSize + " at offset 4 is less than 4");
    }
    int fmtRate = -1;
    int fmtChannels = -1;
    int pos = 12;
    while (true) {
      if (bytes.length - pos < 8) {
        throw new WavFormatException(fmtRate < 0 ? "no \"fmt \" chunk before the end of the file"
            : "no \"data\" chunk before the end of the file (or a truncated chunk header at offset "
                + pos + ")");
      }
      int id = b.getInt(pos);
      String idText = fourCc(id);
      long size = Integer.toUnsignedLong(b.getInt(pos + 4));
      int body = pos + 8;
      long left = bytes.length - (long) body;
      if (id == 0x6174_6164) { // "data"
        if (fmtRate < 0) {
          throw new WavFormatException("\"data\" chunk at offset " + pos + " before the \"fmt \" chunk");
        }
        long dataBytes;
        if (size == ESPEAK_STREAMING_SIZE || size == UNKNOWN_SIZE) {
          dataBytes = left - left % (2L * fmtChannels); // streamed: every whole frame that came
        } else if (size > left) {
          throw new WavFormatException("\"data\" chunk at offset " + pos + " declares " + size
              + " bytes but only " + left + " follow (truncated file)");
        } else if (size % (2L * fmtChannels) != 0) {
          throw new WavFormatException("\"data\" chunk size " + size + " at offset " + (pos + 4)
              + " is not a multiple of the block align " + 2 * fmtChannels);
        } else {
          if (riffSize < body - 8L + size) {
            throw new WavFormatException("RIFF size " + riffSize + " at offset 4 ends before the \"data\""
                + " chunk's end (" + (body - 8L + size) + ")");
          }
          dataBytes = size;
        }
        short[] samples = new short[(int) (dataBytes / 2)];
        b.position(body);
        b.asShortBuffer().get(samples);
        return new Wav(fmtRate, fmtChannels, samples);
      }
      if (size > left) {
        throw new WavFormatException("\"" + idText + "\" chunk at offset " + pos + " declares "
            + size + " bytes but only " + left + " follow (truncated file)");
      }
      if (id == 0x2074_6d66) { // "fmt "
        if (fmtRate >= 0) {
          throw new WavFormatException("second \"fmt \" chunk at offset " + pos);
        }
        if (size < 16) {
          throw new WavFormatException("\"fmt \" chunk size " + size + " at offset " + (pos + 4)
              + " is less than 16");
        }
        int format = Short.toUnsignedInt(b.getShort(body));
        int channels = Short.toUnsignedInt(b.getShort(body + 2));
        long rate = Integer.toUnsignedLong(b.getInt(body + 4));
        long byteRate = Integer.toUnsignedLong(b.getInt(body + 8));
        int blockAlign = Short.toUnsignedInt(b.getShort(body + 12));
        int bits = Short.toUnsignedInt(b.getShort(body + 14));
        if (format == FORMAT_EXTENSIBLE) {
          // WAVEFORMATEXTENSIBLE: cbSize 22, then valid bits, channel mask, sub-format GUID whose
          // first two bytes are the format tag
          if (size < 40 || Short.toUnsignedInt(b.getShort(body + 16)) < 22) {
            throw new WavFormatException("WAVE_FORMAT_EXTENSIBLE \"fmt \" chunk at offset " + pos
                + " is " + size + " bytes, need 40 with cbSize 22");
          }
          format = Short.toUnsignedInt(b.getShort(body + 24));
        }
        if (format != FORMAT_PCM) {
          throw new WavFormatException("format tag " + format + " at offset " + body
              + " is not PCM (1); only 16-bit PCM is read");
        }
        if (channels < 1 || channels > 8) {
          throw new WavFormatException("channel count " + channels + " at offset " + (body + 2)
              + " is not 1..8");
        }
        if (rate < 1 || rate > 768_000) {
          throw new WavFormatException("sample rate " + rate + " Hz at offset " + (body + 4)
              + " is not 1..768000");
        }
        if (bits != 16) {
          throw new WavFormatException("bits per sample " + bits + " at offset " + (body + 14)
              + " is not 16");
        }
        if (blockAlign != 2 * channels) {
          throw new WavFormatException("block align " + blockAlign + " at offset " + (body + 12)
              + " is not channels * 2 = " + 2 * channels);
        }
        if (byteRate != rate * blockAlign) {
          throw new WavFormatException("byte rate " + byteRate + " at offset " + (body + 8)
              + " is not sample rate * block align = " + rate * blockAlign);
        }
        fmtRate = (int) rate;
        fmtChannels = channels;
      }
      // other chunks (LIST, fact, ...) are skipped; odd sizes are followed by a pad byte
      long next = body + size + (size & 1);
      if (next > bytes.length) {
        throw new WavFormatException("\"" + idText + "\" chunk at offset " + pos
            + " is missing its pad byte (truncated file)");
      }
      pos = (int) next;
    }
  }

  /**
   * Writes 16-bit PCM with exact lengths (44-byte header).
   *
   * @return the file's bytes
   */
  public byte[] toBytes() {
    int dataBytes = samples.length * 2;
    ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x4646_4952).putInt(36 + dataBytes).putInt(0x4556_4157);
    b.putInt(0x2074_6d66).putInt(16).putShort((short) FORMAT_PCM).putShort((short) channels)
        .putInt(sampleRate).putInt(sampleRate * channels * 2).putShort((short) (channels * 2))
        .putShort((short) 16);
    b.putInt(0x6174_6164).putInt(dataBytes);
    b.asShortBuffer().put(samples);
    return b.array();
  }

  private static String fourCc(int id) {
    StringBuilder s = new StringBuilder(4);
    for (int i = 0; i < 4; i++) {
      int c = (id >>> (8 * i)) & 0xff;
      s.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
    }
    return s.toString();
  }

  /** A WAV file that is not 16-bit PCM or whose header is wrong; the message says what. */
  public static final class WavFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, with the field and its byte offset */
    public WavFormatException(String message) {
      super(message);
    }
  }
}
