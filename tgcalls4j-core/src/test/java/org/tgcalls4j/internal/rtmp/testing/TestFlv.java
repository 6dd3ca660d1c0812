package org.tgcalls4j.internal.rtmp.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an FLV file into tags with a minimal reading loop (FLV specification v10.1 Annex E); not
 * the production FLV reader. Test media comes from {@link TestMedia}.
 */
public final class TestFlv {
  public static final int AUDIO = 8;
  public static final int VIDEO = 9;
  public static final int SCRIPT = 18;

  /** One FLV tag: type, timestamp in ms and the tag body. */
  public record Tag(int type, int timestampMillis, byte[] body) {}

  private TestFlv() {}

  /** Reads every tag of an FLV file (header, then PreviousTagSize + tag, ...). */
  public static List<Tag> readTags(Path flv) throws IOException {
    byte[] b = Files.readAllBytes(flv);
    if (b.length < 13 || b[0] != 'F' || b[1] != 'L' || b[2] != 'V') {
      throw new IOException("not an FLV file: " + flv);
    }
    int headerSize = ((b[5] & 0xFF) << 24) | ((b[6] & 0xFF) << 16) | ((b[7] & 0xFF) << 8) | (b[8] & 0xFF);
    List<Tag> tags = new ArrayList<>();
    int p = headerSize + 4; // skip PreviousTagSize0
    while (p + 11 <= b.length) {
      int type = b[p] & 0x1F;
      int size = ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
      int timestamp = ((b[p + 7] & 0xFF) << 24) | ((b[p + 4] & 0xFF) << 16) | ((b[p + 5] & 0xFF) << 8) | (b[p + 6] & 0xFF);
      if (p + 11 + size > b.length) {
        break; // truncated last tag
      }
      byte[] body = new byte[size];
      System.arraycopy(b, p + 11, body, 0, size);
      tags.add(new Tag(type, timestamp, body));
      p += 11 + size + 4;
    }
    return tags;
  }
}
