package org.tgcalls4j.internal.signaling;

import java.util.ArrayList;
import java.util.List;

/**
 * The video SSRCs a participant declares in its join payload, derived from its audio SSRC as
 * tgcalls and ntgcalls do (group-call.md §5.3): the base {@code V = audio + 1}; layer {@code i}
 * (0 = lowest) sends media on {@code V + 2i} and retransmissions (RFC 4588 RTX) on
 * {@code V + 2i + 1}, its FID partner. SSRCs are 32-bit values held in an int: {@code audio + 1}
 * wraps modulo 2^32 and may be negative as a signed int, which is how the JSON carries it (§5.3
 * "Signedness"). Stateless.
 */
public final class VideoSsrcLayout {
  private VideoSsrcLayout() {}

  /** @return the media SSRC of layer 0 ({@code V = audio + 1}) */
  public static int videoSsrc(int audioSsrc) {
    return audioSsrc + 1;
  }

  /** @return the RTX SSRC paired with layer 0's media SSRC ({@code V + 1}) */
  public static int rtxSsrc(int audioSsrc) {
    return audioSsrc + 2;
  }

  /**
   * The single-layer layout: one {@code FID} group {@code [V, V+1]} and no {@code SIM} group. This
   * is what gotgcall sends in production for one VP8 stream (group-call.md §2.2 "Minimal
   * single-layer video").
   *
   * @param audioSsrc the join's {@code ssrc}
   * @return one FID group
   */
  public static List<SsrcGroup> singleLayer(int audioSsrc) {
    return List.of(new SsrcGroup("FID", List.of(videoSsrc(audioSsrc), rtxSsrc(audioSsrc))));
  }

  /**
   * The simulcast layout of tgcalls/ntgcalls: one {@code SIM} group of the layers' media SSRCs
   * (lowest first), then one {@code FID} group per layer (group-call.md §2.2, §5.3). Camera video
   * uses 3 layers, screen share 2.
   *
   * @param audioSsrc the join's {@code ssrc}
   * @param layers 2 or 3
   * @return the SIM group followed by {@code layers} FID groups
   * @throws IllegalArgumentException if layers is not 2 or 3
   */
  public static List<SsrcGroup> simulcast(int audioSsrc, int layers) {
    if (layers < 2 || layers > 3) {
      throw new IllegalArgumentException("layers must be 2 or 3: " + layers);
    }
    int base = videoSsrc(audioSsrc);
    List<Integer> sim = new ArrayList<>();
    List<SsrcGroup> groups = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      sim.add(base + 2 * i);
    }
    groups.add(new SsrcGroup("SIM", sim));
    for (int i = 0; i < layers; i++) {
      groups.add(new SsrcGroup("FID", List.of(base + 2 * i, base + 2 * i + 1)));
    }
    return List.copyOf(groups);
  }
}
