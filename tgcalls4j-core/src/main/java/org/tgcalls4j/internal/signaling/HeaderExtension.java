package org.tgcalls4j.internal.signaling;

import java.util.Objects;

/**
 * An RTP header extension the SFU negotiated, as SDP {@code a=extmap} (RFC 8285 §5).
 *
 * @param id local identifier, 1 to 255 (1 to 14 fit the one-byte form)
 * @param uri extension URI, e.g. {@code urn:ietf:params:rtp-hdrext:ssrc-audio-level}
 */
public record HeaderExtension(int id, String uri) {
  /** @throws NullPointerException if uri is null */
  public HeaderExtension {
    Objects.requireNonNull(uri, "uri");
  }
}
