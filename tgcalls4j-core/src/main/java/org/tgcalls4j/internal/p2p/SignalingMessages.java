package org.tgcalls4j.internal.p2p;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.json.JsonCodec;
import org.tgcalls4j.internal.json.JsonCodec.JsonArrayView;
import org.tgcalls4j.internal.json.JsonCodec.JsonObjectView;
import org.tgcalls4j.internal.json.JsonCodec.Kind;

/**
 * The JSON form of private-call signaling messages (p2p-call.md §4; tgcalls {@code v2/Signaling.cpp}).
 * Writes like json11: keys sorted, no whitespace, uint32 values (ssrc, exchangeId, group ssrcs) as
 * decimal strings. Reads like tgcalls: unknown keys ignored, uint32 values as strings or numbers,
 * payload-type parameter values strings only (one non-string value rejects the whole message).
 * Stateless and thread-safe.
 */
public final class SignalingMessages {
  /**
   * Longest message text accepted, in characters: the data channel's maximum message size
   * (p2p-call.md §4.5, 262144 bytes).
   */
  public static final int MAX_MESSAGE_CHARS = 262_144;
  private static final long UINT32_MAX = 0xFFFF_FFFFL;

  private SignalingMessages() {}

  /**
   * Writes a message as json11 would (p2p-call.md §4): sorted keys, compact; {@code ssrcGroups} is
   * left out when empty; {@code MediaState} always carries every field (p2p-call.md "Verification
   * status": tgcalls misreads a rotation without a video state).
   *
   * @param m the message
   * @return the JSON text
   * @throws NullPointerException if m is null
   */
  public static String encode(SignalingMessage m) {
    Map<String, Object> root = new TreeMap<>();
    if (m instanceof InitialSetup s) {
      root.put("@type", "InitialSetup");
      root.put("ufrag", s.ufrag());
      root.put("pwd", s.pwd());
      root.put("renomination", s.renomination());
      List<Object> fps = new ArrayList<>();
      for (DtlsFingerprint f : s.fingerprints()) {
        Map<String, Object> fp = new TreeMap<>();
        fp.put("hash", f.hash());
        fp.put("setup", f.setup());
        fp.put("fingerprint", f.fingerprint());
        fps.add(fp);
      }
      root.put("fingerprints", fps);
    } else if (m instanceof NegotiateChannels n) {
      root.put("@type", "NegotiateChannels");
      root.put("exchangeId", Long.toString(n.exchangeId()));
      List<Object> contents = new ArrayList<>();
      for (MediaContent c : n.contents()) {
        contents.add(content(c));
      }
      root.put("contents", contents);
    } else if (m instanceof Candidates c) {
      root.put("@type", "Candidates");
      List<Object> list = new ArrayList<>();
      for (String s : c.sdpStrings()) {
        list.add(Map.of("sdpString", s));
      }
      root.put("candidates", list);
    } else if (m instanceof MediaState s) {
      root.put("@type", "MediaState");
      root.put("muted", s.muted());
      root.put("lowBattery", s.lowBattery());
      root.put("videoState", s.videoState());
      root.put("screencastState", s.screencastState());
      root.put("videoRotation", s.videoRotation());
    } else {
      throw new NullPointerException("message");
    }
    return JsonCodec.write(root);
  }

  private static Map<String, Object> content(MediaContent c) {
    Map<String, Object> out = new TreeMap<>();
    out.put("type", c.type());
    out.put("ssrc", Long.toString(c.ssrc()));
    if (!c.ssrcGroups().isEmpty()) {
      List<Object> groups = new ArrayList<>();
      for (MediaContent.SsrcGroup g : c.ssrcGroups()) {
        Map<String, Object> group = new TreeMap<>();
        group.put("semantics", g.semantics());
        group.put("ssrcs", g.ssrcs().stream().map(String::valueOf).toList());
        groups.add(group);
      }
      out.put("ssrcGroups", groups);
    }
    List<Object> pts = new ArrayList<>();
    for (MediaContent.PayloadType p : c.payloadTypes()) {
      Map<String, Object> pt = new TreeMap<>();
      pt.put("id", p.id());
      pt.put("name", p.name());
      pt.put("clockrate", p.clockrate());
      pt.put("channels", p.channels());
      List<Object> fbs = new ArrayList<>();
      for (MediaContent.FeedbackType f : p.feedbackTypes()) {
        Map<String, Object> fb = new TreeMap<>();
        fb.put("type", f.type());
        fb.put("subtype", f.subtype());
        fbs.add(fb);
      }
      pt.put("feedbackTypes", fbs);
      pt.put("parameters", new TreeMap<>(p.parameters()));
      pts.add(pt);
    }
    out.put("payloadTypes", pts);
    List<Object> exts = new ArrayList<>();
    for (MediaContent.RtpExtension e : c.rtpExtensions()) {
      Map<String, Object> ext = new TreeMap<>();
      ext.put("id", e.id());
      ext.put("uri", e.uri());
      exts.add(ext);
    }
    out.put("rtpExtensions", exts);
    return out;
  }

  /**
   * Parses one message. Field rules (p2p-call.md §4.1–4.4, tgcalls {@code v2/Signaling.cpp}):
   * InitialSetup needs string {@code ufrag}, {@code pwd} and a {@code fingerprints} array of
   * objects with string {@code hash}, {@code setup}, {@code fingerprint}; {@code renomination} is an
   * optional boolean. NegotiateChannels needs {@code exchangeId}; each content a {@code type} of
   * audio or video and an {@code ssrc}; each payload type numeric {@code id}, {@code clockrate},
   * optional {@code channels}, a string {@code name}, string-valued {@code parameters} (an empty
   * parameter name is dropped), feedback types with string {@code type} and {@code subtype}; each
   * extension a numeric {@code id} and a string {@code uri}. Candidates needs a {@code candidates}
   * array of objects with a string {@code sdpString}. MediaState fields are optional (false,
   * inactive, 0). Unknown keys are ignored.
   *
   * @param json the message text, at most {@link #MAX_MESSAGE_CHARS} characters
   * @return the message
   * @throws InvalidParamsException naming the offending field in JSON-path form
   *     ({@code contents[0].payloadTypes[0].parameters.minptime}; {@code @type} for an unknown or
   *     missing type; {@code $} for text that is not a JSON object)
   */
  public static SignalingMessage decode(String json) throws InvalidParamsException {
    JsonObjectView root = JsonCodec.parseObject(json, MAX_MESSAGE_CHARS);
    if (root.kind("@type") != Kind.STRING) {
      throw new InvalidParamsException("@type", root.kind("@type") == Kind.MISSING ? "missing"
          : "not a string");
    }
    String type = root.string("@type", 64);
    return switch (type) {
      case "InitialSetup" -> initialSetup(root);
      case "NegotiateChannels" -> negotiateChannels(root);
      case "Candidates" -> candidates(root);
      case "MediaState" -> mediaState(root);
      default -> throw new InvalidParamsException("@type", "unknown message type: "
          + JsonCodec.shortQuote(type));
    };
  }

  private static InitialSetup initialSetup(JsonObjectView o) throws InvalidParamsException {
    String ufrag = o.string("ufrag", 256);
    String pwd = o.string("pwd", 256);
    boolean renomination = o.optBoolean("renomination", false);
    JsonArrayView fps = o.array("fingerprints");
    List<DtlsFingerprint> fingerprints = new ArrayList<>(fps.size());
    for (JsonObjectView f : fps.objects()) {
      fingerprints.add(new DtlsFingerprint(f.string("hash", 32), f.string("setup", 32),
          f.string("fingerprint", 256)));
    }
    return new InitialSetup(ufrag, pwd, renomination, fingerprints);
  }

  private static NegotiateChannels negotiateChannels(JsonObjectView o) throws InvalidParamsException {
    long exchangeId = o.longValue("exchangeId", 0, UINT32_MAX);
    List<MediaContent> contents = new ArrayList<>();
    for (JsonObjectView c : o.optArray("contents").objects()) {
      contents.add(content(c));
    }
    return new NegotiateChannels(exchangeId, contents);
  }

  private static MediaContent content(JsonObjectView c) throws InvalidParamsException {
    String type = c.string("type", 16);
    if (!MediaContent.AUDIO.equals(type) && !MediaContent.VIDEO.equals(type)) {
      throw new InvalidParamsException(c.pathOf("type"), "not audio or video: "
          + JsonCodec.write(type));
    }
    long ssrc = c.longValue("ssrc", 0, UINT32_MAX);
    List<MediaContent.SsrcGroup> groups = new ArrayList<>();
    for (JsonObjectView g : c.optArray("ssrcGroups").objects()) {
      String semantics = g.string("semantics", 32);
      JsonArrayView ssrcs = g.array("ssrcs");
      List<Long> list = new ArrayList<>(ssrcs.size());
      for (int i = 0; i < ssrcs.size(); i++) {
        list.add(ssrcs.longValue(i, 0, UINT32_MAX));
      }
      groups.add(new MediaContent.SsrcGroup(semantics, list));
    }
    List<MediaContent.PayloadType> pts = new ArrayList<>();
    for (JsonObjectView p : c.optArray("payloadTypes").objects()) {
      pts.add(payloadType(p));
    }
    List<MediaContent.RtpExtension> exts = new ArrayList<>();
    for (JsonObjectView e : c.optArray("rtpExtensions").objects()) {
      int id = number(e, "id", 1, 255);
      exts.add(new MediaContent.RtpExtension(id, e.string("uri")));
    }
    return new MediaContent(type, ssrc, groups, pts, exts);
  }

  private static MediaContent.PayloadType payloadType(JsonObjectView p) throws InvalidParamsException {
    int id = number(p, "id", 0, 127);
    String name = p.string("name", 64);
    int clockrate = number(p, "clockrate", 0, Integer.MAX_VALUE);
    int channels = p.kind("channels") == Kind.MISSING || p.kind("channels") == Kind.NULL ? 0
        : number(p, "channels", 0, 255);
    List<MediaContent.FeedbackType> fbs = new ArrayList<>();
    for (JsonObjectView f : p.optArray("feedbackTypes").objects()) {
      fbs.add(new MediaContent.FeedbackType(f.string("type", 64), f.string("subtype", 64)));
    }
    Map<String, String> parameters = new TreeMap<>();
    JsonObjectView params = p.optObject("parameters");
    if (params != null) {
      for (String key : params.keys()) {
        if (params.kind(key) != Kind.STRING) {
          throw new InvalidParamsException(params.pathOf(key),
              "not a string (tgcalls rejects the whole message)");
        }
        String value = params.string(key);
        if (!key.isEmpty()) {
          parameters.put(key, value); // an empty name would be echoed, and WK rejects it
        }
      }
    }
    return new MediaContent.PayloadType(id, name, clockrate, channels, fbs, parameters);
  }

  /** A JSON number (not a numeric string: tgcalls checks {@code is_number()}) in [min, max]. */
  private static int number(JsonObjectView o, String key, int min, int max)
      throws InvalidParamsException {
    Kind kind = o.kind(key);
    if (kind != Kind.NUMBER && kind != Kind.MISSING && kind != Kind.NULL) {
      throw new InvalidParamsException(o.pathOf(key), "not a number: " + kind.name().toLowerCase(java.util.Locale.ROOT));
    }
    return o.intValue(key, min, max);
  }

  private static Candidates candidates(JsonObjectView o) throws InvalidParamsException {
    List<String> list = new ArrayList<>();
    for (JsonObjectView c : o.array("candidates").objects()) {
      list.add(c.string("sdpString"));
    }
    return new Candidates(list);
  }

  private static MediaState mediaState(JsonObjectView o) throws InvalidParamsException {
    String video = state(o, "videoState");
    String screencast = state(o, "screencastState");
    int rotation = o.kind("videoRotation") == Kind.MISSING || o.kind("videoRotation") == Kind.NULL
        ? 0 : number(o, "videoRotation", 0, 270);
    if (rotation % 90 != 0) {
      throw new InvalidParamsException(o.pathOf("videoRotation"), "not 0, 90, 180 or 270: " + rotation);
    }
    return new MediaState(o.optBoolean("muted", false), o.optBoolean("lowBattery", false), video,
        screencast, rotation);
  }

  private static String state(JsonObjectView o, String key) throws InvalidParamsException {
    String s = o.optString(key);
    if (s == null) {
      return "inactive";
    }
    if (!MediaState.VIDEO_STATES.contains(s)) {
      throw new InvalidParamsException(o.pathOf(key), "not inactive, suspended or active: "
          + JsonCodec.shortQuote(s));
    }
    return s;
  }
}
