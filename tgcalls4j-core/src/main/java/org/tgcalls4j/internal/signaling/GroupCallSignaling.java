package org.tgcalls4j.internal.signaling;

import org.tgcalls4j.internal.ice.IpLiterals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
  /** Longest answer text accepted, in characters (UTF-16 code units). */
  public static final int MAX_ANSWER_CHARS = 64 * 1024;
  /** Longest payload-type parameter name accepted, in characters. */
  public static final int MAX_PARAMETER_NAME_CHARS = 64;
  /** Longest ufrag and pwd, in characters (RFC 8445 §5.3). */
  private static final int MAX_ICE_CHARS = 256;
  /** Longest candidate foundation, in characters (RFC 8839 §5.1). */
  private static final int MAX_FOUNDATION_CHARS = 32;
  /** Longest hash name, setup role, candidate type or transport protocol, in characters. */
  private static final int MAX_TOKEN_CHARS = 32;
  /** Longest IPv6 text form (eight groups or six and a dotted quad), in characters. */
  private static final Set<String> CANDIDATE_TYPES = Set.of("host", "local", "srflx", "prflx", "relay");
  /** RFC 8122 §5 hash function names we accept, with their digest lengths in bytes. */
  private static final Map<String, Integer> HASH_BYTES =
      Map.of("sha-1", 20, "sha-224", 28, "sha-256", 32, "sha-384", 48, "sha-512", 64);
  /** RFC 4145 §4 roles an answer may carry here (see {@link #decodeAnswer}). */
  private static final Set<String> SETUPS = Set.of("active", "passive", "actpass");

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
   * <p>Every field is checked here, so that nothing built from the answer later can fail with an
   * unchecked exception:
   *
   * <ul>
   *   <li>the text: at most {@value #MAX_ANSWER_CHARS} characters (Telegram's are about 2,000),
   *       nested at most {@value JsonCodec#MAX_DEPTH} levels;
   *   <li>every number: at most {@value JsonCodec#MAX_NUMBER_CHARS} characters, whole, in the
   *       range given below;
   *   <li>every string: at most {@value JsonCodec#MAX_STRING_CHARS} characters unless a tighter
   *       limit is given below;
   *   <li>{@code transport.ufrag}: 4 to 256 ice-chars, {@code transport.pwd}: 22 to 256
   *       ice-chars, where ice-char is ALPHA / DIGIT / "+" / "/" (RFC 8445 §5.3, RFC 8839 §5.4);
   *   <li>{@code fingerprints[i].hash}: sha-1, sha-224, sha-256, sha-384 or sha-512, in any
   *       letter case (RFC 8122 §5; RFC 5234 §2.3 makes ABNF literals case-insensitive; md2 and
   *       md5 are refused as RFC 8122 §5 requires); {@code fingerprints[i].fingerprint}: exactly
   *       as many colon-separated two-digit hex bytes as that hash yields (20, 28, 32, 48, 64);
   *   <li>{@code fingerprints[i].setup}: {@code active}, {@code passive} or {@code actpass}, any
   *       letter case. RFC 4145 §4 defines these and {@code holdconn}; RFC 8842 §5 says an answer
   *       carries {@code active} or {@code passive}. {@code actpass} is tolerated because our DTLS
   *       role is the one we announced in the join payload and the answer's value is not used
   *       to choose it; {@code holdconn} ("do not connect for now") and anything else are refused,
   *       as no DTLS connection could follow;
   *   <li>candidates (RFC 8839 §5.1, RFC 8445 §5.1.2): {@code foundation} 1 to 32 ice-chars,
   *       {@code component} 1 to 256, {@code protocol} an RFC 8866 §9 token of 1 to 32
   *       characters, {@code priority} 0 to 2^32-1, {@code ip} an IPv4 dotted-quad or IPv6
   *       literal (no host names: they would need a DNS lookup), {@code port} and
   *       {@code rel-port} 0 to 65535, {@code type} host, srflx, prflx, relay (or Jingle's
   *       {@code local}), {@code generation} and {@code network} 0 to 2^31-1; {@code id},
   *       {@code rel-addr} and {@code tcptype} are carried along unused, only bounded in length;
   *   <li>payload types: {@code id} 0 to 127 (RFC 3551 §6), {@code clockrate} 1 to 2^31-1,
   *       {@code channels} 1 to 255, parameter names at most {@value #MAX_PARAMETER_NAME_CHARS}
   *       characters; header extensions: {@code id} 1 to 255 (RFC 8285 §5).
   * </ul>
   *
   * @param json the answer text
   * @return the decoded answer
   * @throws InvalidParamsException naming the first offending field JSON-path style, e.g.
   *     {@code transport.candidates[1].port}; {@code $} if the text is too long or not a JSON
   *     object
   */
  public static GroupCallAnswer decodeAnswer(String json) throws InvalidParamsException {
    JsonObjectView root = JsonCodec.parseObject(json, MAX_ANSWER_CHARS);
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
    String ufrag = iceChars(t, "ufrag", 4, MAX_ICE_CHARS);
    String pwd = iceChars(t, "pwd", 22, MAX_ICE_CHARS);
    JsonArrayView fingerprintsJson = t.array("fingerprints");
    if (fingerprintsJson.size() == 0) {
      throw new InvalidParamsException(fingerprintsJson.path(), "empty");
    }
    List<Fingerprint> fingerprints = new ArrayList<>();
    for (JsonObjectView f : fingerprintsJson.objects()) {
      fingerprints.add(fingerprint(f));
    }
    List<AnswerCandidate> candidates = new ArrayList<>();
    for (JsonObjectView c : t.optArray("candidates").objects()) {
      candidates.add(candidate(c));
    }
    return new Transport(ufrag, pwd, fingerprints, candidates, t.optBoolean("rtcp-mux", false));
  }

  /** A string of ice-chars (RFC 8445 §5.3) whose length is in [min, max]. */
  private static String iceChars(JsonObjectView o, String key, int min, int max)
      throws InvalidParamsException {
    String value = o.string(key, max);
    if (value.length() < min) {
      throw new InvalidParamsException(o.pathOf(key), "shorter than " + min + " characters: "
          + value.length() + " (RFC 8445 §5.3)");
    }
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (!isIceChar(ch)) {
        throw new InvalidParamsException(o.pathOf(key), "character " + (i + 1)
            + " is not an ice-char (ALPHA / DIGIT / \"+\" / \"/\", RFC 8445 §5.3): U+"
            + String.format("%04X", (int) ch));
      }
    }
    return value;
  }

  private static boolean isIceChar(char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
        || ch == '+' || ch == '/';
  }

  private static Fingerprint fingerprint(JsonObjectView f) throws InvalidParamsException {
    String hash = f.string("hash", MAX_TOKEN_CHARS);
    Integer bytes = HASH_BYTES.get(hash.toLowerCase(Locale.ROOT));
    if (bytes == null) {
      throw new InvalidParamsException(f.pathOf("hash"), "not one of sha-1, sha-224, sha-256,"
          + " sha-384, sha-512 (RFC 8122 §5): " + JsonCodec.shortQuote(hash));
    }
    String fingerprint = f.string("fingerprint", 3 * 64 - 1);
    if (!isHexPairs(fingerprint, bytes)) {
      throw new InvalidParamsException(f.pathOf("fingerprint"), "not " + bytes
          + " colon-separated hex bytes, as " + hash + " needs (RFC 8122 §5)");
    }
    String setup = f.string("setup", MAX_TOKEN_CHARS);
    if (!SETUPS.contains(setup.toLowerCase(Locale.ROOT))) {
      throw new InvalidParamsException(f.pathOf("setup"),
          "not one of active, passive, actpass (RFC 4145 §4, RFC 8842 §5): " + JsonCodec.shortQuote(setup));
    }
    return new Fingerprint(hash, fingerprint, setup);
  }

  /** @return whether s is exactly {@code bytes} two-digit hex numbers joined by colons */
  private static boolean isHexPairs(String s, int bytes) {
    if (s.length() != 3 * bytes - 1) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      boolean ok = i % 3 == 2 ? ch == ':' : Character.digit(ch, 16) >= 0 && ch < 0x80;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static AnswerCandidate candidate(JsonObjectView c) throws InvalidParamsException {
    String type = c.string("type", MAX_TOKEN_CHARS);
    if (!CANDIDATE_TYPES.contains(type)) {
      throw new InvalidParamsException(c.pathOf("type"),
          "not one of host, local, srflx, prflx, relay: " + JsonCodec.shortQuote(type));
    }
    String protocol = c.string("protocol", MAX_TOKEN_CHARS);
    if (protocol.isEmpty() || !protocol.chars().allMatch(GroupCallSignaling::isTokenChar)) {
      throw new InvalidParamsException(c.pathOf("protocol"),
          "not a token (RFC 8866 §9, RFC 8839 §5.1): " + JsonCodec.shortQuote(protocol));
    }
    String ip = c.string("ip", IpLiterals.MAX_IPV6_CHARS);
    if (!IpLiterals.isIp(ip)) {
      throw new InvalidParamsException(c.pathOf("ip"),
          "not an IPv4 or IPv6 address literal: " + JsonCodec.shortQuote(ip));
    }
    return new AnswerCandidate(
        iceChars(c, "foundation", 1, MAX_FOUNDATION_CHARS),
        c.intValue("component", 1, 256),
        protocol,
        c.longValue("priority", 0, 0xFFFF_FFFFL),
        ip,
        c.intValue("port", 0, 65535),
        type,
        c.intValue("generation", 0, Integer.MAX_VALUE),
        c.string("id"),
        c.intValue("network", 0, Integer.MAX_VALUE),
        c.optString("rel-addr"),
        c.optIntValue("rel-port", 0, 65535, 0),
        c.optString("tcptype"));
  }

  /** RFC 8866 §9 token-char. */
  private static boolean isTokenChar(int ch) {
    return ch == 0x21 || (ch >= 0x23 && ch <= 0x27) || ch == 0x2A || ch == 0x2B || ch == 0x2D
        || ch == 0x2E || (ch >= 0x30 && ch <= 0x39) || (ch >= 0x41 && ch <= 0x5A)
        || (ch >= 0x5E && ch <= 0x7E);
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
          if (key.length() > MAX_PARAMETER_NAME_CHARS) {
            throw new InvalidParamsException(params.path(), "a parameter name is longer than "
                + MAX_PARAMETER_NAME_CHARS + " characters: " + key.length());
          }
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
