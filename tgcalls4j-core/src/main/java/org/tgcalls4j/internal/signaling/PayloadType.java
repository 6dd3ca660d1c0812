package org.tgcalls4j.internal.signaling;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A codec the SFU accepts, as an SDP rtpmap/fmtp/rtcp-fb would describe it (group-call.md
 * §3.3, RFC 8866 §6.6).
 *
 * @param id RTP payload type, 0 to 127
 * @param name encoding name as sent, e.g. {@code "opus"}, {@code "VP8"}, {@code "rtx"}
 * @param clockRateHz RTP clock rate as sent (the real SFU says 9000 for video; do not rely on it)
 * @param channels audio channels, 1 when absent
 * @param parameters format parameters in answer order, integer values as decimal text; empty when
 *     absent or sent as {@code []}; copied, unmodifiable
 * @param rtcpFeedback feedback types as in {@code a=rtcp-fb}: {@code "nack"}, {@code "nack pli"},
 *     {@code "ccm fir"}, {@code "transport-cc"}, ...; copied
 */
public record PayloadType(
    int id,
    String name,
    int clockRateHz,
    int channels,
    Map<String, String> parameters,
    List<String> rtcpFeedback) {
  /** @throws NullPointerException if an argument, key or value is null */
  public PayloadType {
    Objects.requireNonNull(name, "name");
    parameters.forEach((k, v) -> {
      Objects.requireNonNull(k, "parameter name");
      Objects.requireNonNull(v, "parameter value");
    });
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    rtcpFeedback = List.copyOf(rtcpFeedback);
  }
}
