package org.tgcalls4j.internal.signaling;

import java.util.List;
import java.util.Objects;

/**
 * A video source group of the join payload, RFC 5576 §4.2 style (group-call.md §2.1, §5.3).
 *
 * @param semantics {@code "SIM"} (simulcast layers, lowest first) or {@code "FID"} (media SSRC and
 *     its RTX partner)
 * @param sources the SSRCs as signed int32 (a uint32 SSRC cast to {@code int}); copied
 */
public record SsrcGroup(String semantics, List<Integer> sources) {
  /** @throws NullPointerException if an argument or a source is null */
  public SsrcGroup {
    Objects.requireNonNull(semantics, "semantics");
    sources = List.copyOf(sources);
  }
}
