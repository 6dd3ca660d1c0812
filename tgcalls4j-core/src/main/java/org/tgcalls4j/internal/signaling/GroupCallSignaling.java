package org.tgcalls4j.internal.signaling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.json.JsonCodec;
import org.tgcalls4j.internal.json.JsonCodec.JsonArrayView;
import org.tgcalls4j.internal.json.JsonCodec.JsonObjectView;

/**
 * Encodes the group-call join payload and decodes the SFU's answer (group-call.md §2, §3),
 * requiring what tgcalls and ntgcalls require and tolerating the quirks of real answers
 * (numbers inside strings, {@code "parameters":[]}, integer parameter values, missing
 * {@code channels}/{@code rtcp-fbs}). Stateless and thread-safe.
 */
public final class GroupCallSignaling {
  private static final Set<String> CANDIDATE_TYPES = Set.of("host", "local", "srflx", "prflx", "relay");

  private GroupCallSignaling() {}

  /**
   * Builds the {@code params} JSON of {@code phone.joinGroupCall} /
   * {@code phone.joinGroupCallPresentation}, in tgcalls' shape: {@code ssrc} as a signed int32,
   * one fingerprint, and no {@code ssrc-groups} key when there are no groups (group-call.md §2.1,
   * §12 item 7).
   *
   * @param join the payload
   * @return compact JSON text
   * @throws NullPointerException if join is null
   */
  public static String encodeJoin(JoinPayload join) {
    Map<String, Object> fingerprint = new LinkedHashMap<>();
    fingerprint.put("hash", join.fingerprintHash());
    fingerprint.put("fingerprint", join.fingerprint());
    fingerprint.put("setup", join.setup());
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("ufrag", join.ufrag());
    root.put("pwd", join.pwd());
    root.put("fingerprints", List.of(fingerprint));
    root.put("ssrc", join.ssrc());
    if (!join.ssrcGroups().isEmpty()) {
      List<Object> groups = new ArrayList<>();
      for (SsrcGroup g : join.ssrcGroups()) {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("semantics", g.semantics());
        group.put("sources", g.sources());
        groups.add(group);
      }
      root.put("ssrc-groups", groups);
    }
    return JsonCodec.write(root);
  }

  /**
   * Parses the {@code params} JSON of {@code updateGroupCallConnection}. Stream mode is
   * {@code "stream":true} or {@code "rtmp":true}; otherwise {@code transport} is required with
   * ufrag, pwd, at least one fingerprint (hash, fingerprint, setup) and candidates whose ten
   * fields (generation, component, protocol, port, ip, foundation, id, priority, type, network)
   * are all present, numbers given as JSON numbers or numeric strings. {@code audio} and
   * {@code video} are optional; each payload type needs id, name and clockrate. Unknown keys are
   * ignored.
   *
   * @param json the answer text
   * @return the decoded answer
   * @throws InvalidParamsException naming the first offending field JSON-path style, e.g.
   *     {@code transport.candidates[1].port}; {@code $} if the text is not a JSON object
   */
  public static GroupCallAnswer decodeAnswer(String json) throws InvalidParamsException {
    JsonObjectView root = JsonCodec.parseObject(json);
    boolean rtmp = root.optBoolean("rtmp", false);
    boolean stream = root.optBoolean("stream", false) || rtmp;
    if (stream) {
      return new GroupCallAnswer(true, rtmp, null, null, null, null);
    }
    Transport transport = transport(root.object("transport"));
    JsonObjectView audioJson = root.optObject("audio");
    JsonObjectView videoJson = root.optObject("video");
    return new GroupCallAnswer(
        false,
        false,
        transport,
        audioJson == null ? null : media(audioJson),
        videoJson == null ? null : media(videoJson),
        videoJson == null ? null : videoJson.optString("endpoint"));
  }

  private static Transport transport(JsonObjectView t) throws InvalidParamsException {
    String ufrag = t.string("ufrag");
    String pwd = t.string("pwd");
    JsonArrayView fingerprintsJson = t.array("fingerprints");
    if (fingerprintsJson.size() == 0) {
      throw new InvalidParamsException(fingerprintsJson.path(), "empty");
    }
    List<Fingerprint> fingerprints = new ArrayList<>();
    for (JsonObjectView f : fingerprintsJson.objects()) {
      fingerprints.add(new Fingerprint(f.string("hash"), f.string("fingerprint"), f.string("setup")));
    }
    List<AnswerCandidate> candidates = new ArrayList<>();
    for (JsonObjectView c : t.optArray("candidates").objects()) {
      candidates.add(candidate(c));
    }
    return new Transport(ufrag, pwd, fingerprints, candidates, t.optBoolean("rtcp-mux", false));
  }

  private static AnswerCandidate candidate(JsonObjectView c) throws InvalidParamsException {
    String type = c.string("type");
    if (!CANDIDATE_TYPES.contains(type)) {
      throw new InvalidParamsException(c.pathOf("type"),
          "not one of host, local, srflx, prflx, relay: \"" + type + "\"");
    }
    return new AnswerCandidate(
        c.string("foundation"),
        c.intValue("component", 1, 256),
        c.string("protocol"),
        c.longValue("priority", 0, 0xFFFF_FFFFL),
        c.string("ip"),
        c.intValue("port", 1, 65535),
        type,
        c.intValue("generation", 0, Integer.MAX_VALUE),
        c.string("id"),
        c.intValue("network", 0, Integer.MAX_VALUE),
        c.optString("rel-addr"),
        c.optIntValue("rel-port", 0, 65535, 0),
        c.optString("tcptype"));
  }

  private static MediaDescription media(JsonObjectView m) throws InvalidParamsException {
    List<PayloadType> payloadTypes = new ArrayList<>();
    for (JsonObjectView p : m.optArray("payload-types").objects()) {
      payloadTypes.add(payloadType(p));
    }
    List<HeaderExtension> extensions = new ArrayList<>();
    for (JsonObjectView e : m.optArray("rtp-hdrexts").objects()) {
      extensions.add(new HeaderExtension(e.intValue("id", 1, 255), e.string("uri")));
    }
    return new MediaDescription(payloadTypes, extensions);
  }

  private static PayloadType payloadType(JsonObjectView p) throws InvalidParamsException {
    int id = p.intValue("id", 0, 127);
    String name = p.string("name");
    int clockRateHz = p.intValue("clockrate", 1, Integer.MAX_VALUE);
    int channels = p.optIntValue("channels", 1, 255, 1);
    Map<String, String> parameters = new LinkedHashMap<>();
    switch (p.kind("parameters")) {
      case MISSING, NULL -> { }
      case OBJECT -> {
        JsonObjectView params = p.object("parameters");
        for (String key : params.keys()) {
          parameters.put(key, params.scalarText(key));
        }
      }
      case ARRAY -> {
        JsonArrayView params = p.array("parameters");
        if (params.size() != 0) {
          throw new InvalidParamsException(params.path(), "an array, but not the empty []");
        }
      }
      default -> throw new InvalidParamsException(p.pathOf("parameters"), "not an object");
    }
    List<String> feedback = new ArrayList<>();
    for (JsonObjectView fb : p.optArray("rtcp-fbs").objects()) {
      String subtype = fb.optString("subtype");
      feedback.add(subtype == null || subtype.isEmpty()
          ? fb.string("type") : fb.string("type") + " " + subtype);
    }
    return new PayloadType(id, name, clockRateHz, channels, parameters, feedback);
  }
}
