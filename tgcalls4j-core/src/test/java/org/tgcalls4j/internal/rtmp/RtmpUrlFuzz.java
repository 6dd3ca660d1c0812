package org.tgcalls4j.internal.rtmp;

import java.nio.charset.StandardCharsets;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code rtmp-url}: the input is UTF-8 text, the ingest URL and, after the first NUL
 * byte if there is one, the stream key (else the key is null), for {@link RtmpUrl#parse}, which
 * declares {@link InvalidParamsException} for a URL it does not accept; of a parsed URL the
 * derived strings ({@link RtmpUrl#publishUrl()}, the redacted {@link RtmpUrl#toString()}) are built
 * too.
 */
public final class RtmpUrlFuzz implements FuzzTarget {
  @Override
  public void fuzz(byte[] data) {
    int nul = 0;
    while (nul < data.length && data[nul] != 0) {
      nul++;
    }
    String url = new String(data, 0, nul, StandardCharsets.UTF_8);
    String key = nul < data.length ? new String(data, nul + 1, data.length - nul - 1, StandardCharsets.UTF_8) : null;
    RtmpUrl parsed;
    try {
      parsed = RtmpUrl.parse(url, key);
    } catch (InvalidParamsException expected) {
      return; // declared for a URL it does not accept
    }
    parsed.publishUrl();
    parsed.toString();
  }
}
