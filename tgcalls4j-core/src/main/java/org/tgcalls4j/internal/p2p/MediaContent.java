package org.tgcalls4j.internal.p2p;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One media content of a {@link NegotiateChannels} (p2p-call.md §4.2; tgcalls
 * {@code v2/Signaling.h} MediaContent).
 *
 * @param type {@code "audio"} or {@code "video"}
 * @param ssrc the content's (first) SSRC, unsigned 32-bit
 * @param ssrcGroups the SSRC groups, e.g. FID (ssrc, rtx ssrc) for video; empty for audio
 * @param payloadTypes the codecs, in preference order
 * @param rtpExtensions the RTP header extensions
 */
public record MediaContent(String type, long ssrc, List<SsrcGroup> ssrcGroups,
    List<PayloadType> payloadTypes, List<RtpExtension> rtpExtensions) {
  /** The {@code type} of an audio content. */
  public static final String AUDIO = "audio";
  /** The {@code type} of a video content. */
  public static final String VIDEO = "video";

  /**
   * @throws NullPointerException if a reference or a list element is null
   * @throws IllegalArgumentException if type is not audio or video, or ssrc not unsigned 32-bit
   */
  public MediaContent {
    Objects.requireNonNull(type, "type");
    if (!AUDIO.equals(type) && !VIDEO.equals(type)) {
      throw new IllegalArgumentException("type must be audio or video: " + type);
    }
    checkUint32("ssrc", ssrc);
    ssrcGroups = List.copyOf(ssrcGroups);
    payloadTypes = List.copyOf(payloadTypes);
    rtpExtensions = List.copyOf(rtpExtensions);
  }

  static void checkUint32(String what, long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(what + " must be unsigned 32-bit: " + value);
    }
  }

  /**
   * An SSRC group ({@code ssrcGroups[]}).
   *
   * @param semantics the group semantics, e.g. {@code "FID"} or {@code "SIM"} (RFC 5576 §4.2)
   * @param ssrcs the SSRCs, each unsigned 32-bit
   */
  public record SsrcGroup(String semantics, List<Long> ssrcs) {
    /**
     * @throws NullPointerException if a reference or an element is null
     * @throws IllegalArgumentException if an SSRC is not unsigned 32-bit
     */
    public SsrcGroup {
      Objects.requireNonNull(semantics, "semantics");
      ssrcs = List.copyOf(ssrcs);
      for (long s : ssrcs) {
        checkUint32("ssrcs[]", s);
      }
    }
  }

  /**
   * An RTCP feedback type ({@code payloadTypes[].feedbackTypes[]}, RFC 4585 §4.2).
   *
   * @param type e.g. {@code "transport-cc"}, {@code "nack"}
   * @param subtype e.g. {@code "pli"}, or {@code ""} for none
   */
  public record FeedbackType(String type, String subtype) {
    /** @throws NullPointerException if a component is null */
    public FeedbackType {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(subtype, "subtype");
    }
  }

  /**
   * A codec ({@code payloadTypes[]}).
   *
   * @param id the RTP payload type, 0..127
   * @param name the codec name, e.g. {@code "opus"}
   * @param clockrate the RTP clock rate in Hz
   * @param channels the audio channel count; 0 for video
   * @param feedbackTypes the RTCP feedback types
   * @param parameters the fmtp parameters, string-valued; never an empty name (WK rejects one)
   */
  public record PayloadType(int id, String name, int clockrate, int channels,
      List<FeedbackType> feedbackTypes, Map<String, String> parameters) {
    /**
     * @throws NullPointerException if a reference, element, key or value is null
     * @throws IllegalArgumentException if id is outside 0..127, clockrate or channels negative,
     *     or a parameter name is empty
     */
    public PayloadType {
      Objects.requireNonNull(name, "name");
      if (id < 0 || id > 127) {
        throw new IllegalArgumentException("payload type id must be 0..127: " + id);
      }
      if (clockrate < 0 || channels < 0) {
        throw new IllegalArgumentException("clockrate and channels must not be negative");
      }
      feedbackTypes = List.copyOf(feedbackTypes);
      Map<String, String> copy = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : parameters.entrySet()) {
        if (e.getKey().isEmpty()) {
          throw new IllegalArgumentException("payload type parameter with an empty name");
        }
        copy.put(e.getKey(), Objects.requireNonNull(e.getValue(), "parameter value"));
      }
      parameters = Collections.unmodifiableMap(copy);
    }
  }

  /**
   * An RTP header extension ({@code rtpExtensions[]}, RFC 8285).
   *
   * @param id the local identifier, 1..255
   * @param uri the extension URI
   */
  public record RtpExtension(int id, String uri) {
    /**
     * @throws NullPointerException if uri is null
     * @throws IllegalArgumentException if id is outside 1..255
     */
    public RtpExtension {
      Objects.requireNonNull(uri, "uri");
      if (id < 1 || id > 255) {
        throw new IllegalArgumentException("extension id must be 1..255: " + id);
      }
    }
  }
}
