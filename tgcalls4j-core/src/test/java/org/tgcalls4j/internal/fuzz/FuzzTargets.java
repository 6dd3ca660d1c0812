package org.tgcalls4j.internal.fuzz;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.tgcalls4j.internal.audio.OpusReceiveFuzz;
import org.tgcalls4j.internal.flv.FlvFuzz;
import org.tgcalls4j.internal.ivf.IvfFuzz;
import org.tgcalls4j.internal.ogg.OggOpusFuzz;
import org.tgcalls4j.internal.p2p.SignalingChannelFuzz;
import org.tgcalls4j.internal.reflector.ReflectorClientFuzz;
import org.tgcalls4j.internal.rtcp.RtcpCompoundFuzz;
import org.tgcalls4j.internal.rtmp.Amf0Fuzz;
import org.tgcalls4j.internal.rtmp.ChunkStreamFuzz;
import org.tgcalls4j.internal.rtmp.RtmpUrlFuzz;
import org.tgcalls4j.internal.rtp.RtpHeaderFuzz;
import org.tgcalls4j.internal.signaling.GroupCallAnswerFuzz;
import org.tgcalls4j.internal.srtp.SrtpFuzz;
import org.tgcalls4j.internal.stun.StunMessageFuzz;
import org.tgcalls4j.internal.turn.TurnClientFuzz;

/**
 * The fuzz targets by name. A target's corpus is the directory {@code fuzz/<name>/} of the test
 * resources; its {@code known/} subfolder holds crashers of bugs not fixed yet, which only
 * {@code ./fuzz} replays.
 */
public final class FuzzTargets {
  private static final Map<String, Supplier<FuzzTarget>> TARGETS = new LinkedHashMap<>();

  static {
    TARGETS.put("stun", StunMessageFuzz::new);
    TARGETS.put("rtp", RtpHeaderFuzz::new);
    TARGETS.put("rtcp", RtcpCompoundFuzz::new);
    TARGETS.put("srtp", SrtpFuzz::new);
    TARGETS.put("ogg-opus", OggOpusFuzz::new);
    TARGETS.put("flv", FlvFuzz::new);
    TARGETS.put("amf0", Amf0Fuzz::new);
    TARGETS.put("rtmp-chunk", ChunkStreamFuzz::new);
    TARGETS.put("answer-json", GroupCallAnswerFuzz::new);
    TARGETS.put("rtmp-url", RtmpUrlFuzz::new);
    TARGETS.put("p2p-signaling", SignalingChannelFuzz::new);
    TARGETS.put("turn", TurnClientFuzz::new);
    TARGETS.put("reflector", ReflectorClientFuzz::new);
    TARGETS.put("ivf", IvfFuzz::new);
    TARGETS.put("opus-receive", OpusReceiveFuzz::new);
  }

  private FuzzTargets() {}

  /** @return the target names, in the order {@code ./fuzz} lists them */
  public static Iterable<String> names() {
    return TARGETS.keySet();
  }

  /**
   * @param name one of {@link #names()}
   * @return a new instance of that target
   * @throws IllegalArgumentException for an unknown name
   */
  public static FuzzTarget create(String name) {
    Supplier<FuzzTarget> supplier = TARGETS.get(name);
    if (supplier == null) {
      throw new IllegalArgumentException("unknown fuzz target " + name + "; known: " + TARGETS.keySet());
    }
    return supplier.get();
  }
}
