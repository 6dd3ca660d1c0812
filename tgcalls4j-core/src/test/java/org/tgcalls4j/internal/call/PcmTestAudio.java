package org.tgcalls4j.internal.call;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

/**
 * Test helpers for in-process Opus: sine generation, an Ogg/Opus writer written here from RFC 3533
 * and RFC 7845 (so that ffmpeg's libopus, an independent decoder, can decode what our encoder
 * made), ffmpeg decoding to raw PCM, and tone amplitude by a single-bin DFT (Goertzel).
 */
final class PcmTestAudio {
  private PcmTestAudio() {}

  /** @return {@code frames} sample frames of a sine, both channels equal, starting at sample {@code from} */
  static short[] sine(double hz, double amplitude, long from, int frames, int channels) {
    short[] out = new short[frames * channels];
    for (int i = 0; i < frames; i++) {
      short v = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * (from + i) / 48_000.0));
      for (int c = 0; c < channels; c++) {
        out[i * channels + c] = v;
      }
    }
    return out;
  }

  /**
   * Writes Opus packets (each 20 ms) as an Ogg/Opus file: an OpusHead page, an OpusTags page, then
   * one packet per page with the granule position at the page's last sample (RFC 7845 §4).
   */
  static void writeOggOpus(Path file, List<byte[]> packets, int channels) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int serial = 0x5EED;
    ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
    head.put("OpusHead".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) channels)
        .putShort((short) 0).putInt(48_000).putShort((short) 0).put((byte) 0);
    page(out, serial, 0, 0x02, 0, head.array());
    byte[] vendor = "pcm-test".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer tags = ByteBuffer.allocate(8 + 4 + vendor.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    tags.put("OpusTags".getBytes(StandardCharsets.US_ASCII)).putInt(vendor.length).put(vendor).putInt(0);
    page(out, serial, 1, 0, 0, tags.array());
    long granule = 0;
    for (int i = 0; i < packets.size(); i++) {
      granule += 960;
      page(out, serial, 2 + i, i == packets.size() - 1 ? 0x04 : 0, granule, packets.get(i));
    }
    Files.write(file, out.toByteArray());
  }

  /** One RFC 3533 page holding one packet shorter than 255 × 255 bytes. */
  private static void page(ByteArrayOutputStream out, int serial, int sequence, int flags,
      long granule, byte[] packet) {
    int segments = packet.length / 255 + 1;
    ByteBuffer p = ByteBuffer.allocate(27 + segments + packet.length).order(ByteOrder.LITTLE_ENDIAN);
    p.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) flags)
        .putLong(granule).putInt(serial).putInt(sequence).putInt(0).put((byte) segments);
    for (int i = 0; i < segments - 1; i++) {
      p.put((byte) 255);
    }
    p.put((byte) (packet.length % 255));
    p.put(packet);
    byte[] bytes = p.array();
    int crc = crc(bytes);
    bytes[22] = (byte) crc;
    bytes[23] = (byte) (crc >>> 8);
    bytes[24] = (byte) (crc >>> 16);
    bytes[25] = (byte) (crc >>> 24);
    out.writeBytes(bytes);
  }

  /** RFC 3533 §6: CRC-32, polynomial 0x04C11DB7, initial 0, no reflection, no final xor. */
  private static int crc(byte[] data) {
    int crc = 0;
    for (byte b : data) {
      crc ^= (b & 0xFF) << 24;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
      }
    }
    return crc;
  }

  /** Decodes any file with ffmpeg to 48 kHz samples of {@code channels} channels, interleaved. */
  static short[] decodeWithFfmpeg(Path file, int channels) throws IOException, InterruptedException {
    Path raw = file.resolveSibling(file.getFileName() + ".raw");
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error",
        "-nostdin", "-y", "-i", file.toString(), "-f", "s16le", "-acodec", "pcm_s16le",
        "-ar", "48000", "-ac", Integer.toString(channels), raw.toString()));
    TestMedia.run(cmd);
    byte[] b = Files.readAllBytes(raw);
    short[] s = new short[b.length / 2];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
    return s;
  }

  /** Makes a 48 kHz stereo sine file with ffmpeg; the extension picks the format. */
  static Path toneFile(Path dir, String name, int hz, double seconds, double amplitude)
      throws IOException, InterruptedException {
    Path out = dir.resolve(name);
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error",
        "-nostdin", "-y", "-f", "lavfi",
        "-i", "aevalsrc=" + amplitude + "*sin(2*PI*" + hz + "*t):s=48000:d=" + seconds, "-ac", "2"));
    if (name.endsWith(".ogg") || name.endsWith(".opus")) {
      cmd.addAll(List.of("-c:a", "libopus", "-b:a", "128k", "-frame_duration", "20"));
    } else if (name.endsWith(".mp3")) {
      cmd.addAll(List.of("-c:a", "libmp3lame", "-b:a", "192k"));
    }
    cmd.add(out.toString());
    TestMedia.run(cmd);
    return out;
  }

  /**
   * Amplitude (peak, in sample units) of the {@code hz} component of channel {@code channel} over
   * {@code frames} sample frames from {@code from}: 2|X(f)|/N with a rectangular window, exact for a
   * frequency with a whole number of periods in the window (N = 48000 fits any whole Hz).
   */
  static double amplitude(short[] pcm, int channels, int channel, int from, int frames, double hz) {
    double w = 2 * Math.PI * hz / 48_000.0;
    double coefficient = 2 * Math.cos(w);
    double s1 = 0;
    double s2 = 0;
    for (int i = 0; i < frames; i++) {
      double s0 = pcm[(from + i) * channels + channel] + coefficient * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    return 2 * Math.sqrt(Math.max(power, 0)) / frames;
  }

  /** @return the whole-Hz frequency in [fromHz, toHz] with the largest amplitude (1 s windows) */
  static int dominantHz(short[] pcm, int channels, int from, int fromHz, int toHz) {
    int best = fromHz;
    double bestAmp = -1;
    for (int f = fromHz; f <= toHz; f++) {
      double a = amplitude(pcm, channels, 0, from, 48_000, f);
      if (a > bestAmp) {
        bestAmp = a;
        best = f;
      }
    }
    return best;
  }

  /** @return root mean square of all samples */
  static double rms(short[] pcm) {
    double sum = 0;
    for (short s : pcm) {
      sum += (double) s * s;
    }
    return pcm.length == 0 ? 0 : Math.sqrt(sum / pcm.length);
  }
}
