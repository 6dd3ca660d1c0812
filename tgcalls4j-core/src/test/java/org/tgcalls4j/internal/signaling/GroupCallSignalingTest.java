package org.tgcalls4j.internal.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.InvalidParamsException;

class GroupCallSignalingTest {
  /** Captured real transport, TWEB src/mock/webrtc/transport.ts (group-call.md §3.2). */
  private static final String TRANSPORT = """
      {"candidates":[
        {"generation":"0","component":"1","protocol":"udp","port":"32000","ip":"2001:67c:4e8:f102:6:0:285:207",
         "foundation":"1","id":"26a502bbbaff65703414015c","priority":"2130706431","type":"host","network":"0"},
        {"generation":"0","component":"1","protocol":"udp","port":"32000","ip":"91.108.9.103",
         "foundation":"2","id":"2b603f7dbaff65706a0c113e","priority":"2130706431","type":"host","network":"0"}],
       "xmlns":"urn:xmpp:jingle:transports:ice-udp:1","ufrag":"bvr6j1fkri6020","rtcp-mux":true,
       "pwd":"1k7vls8kb2tr4eu093jkalphcq",
       "fingerprints":[{"fingerprint":"9A:18:A4:DF:6A:11:EA:E5:BF:E3:8A:18:E7:69:3D:7B:42:D8:9D:32:2F:57:7B:3D:6E:09:6C:A7:45:D7:78:0D","setup":"passive","hash":"sha-256"}]}""";

  private static final String VIDEO_FEEDBACK = """
      [{"type":"goog-remb"},{"type":"transport-cc"},{"type":"ccm","subtype":"fir"},
       {"type":"nack"},{"type":"nack","subtype":"pli"}]""";

  /** Captured real audio and video sections, TWEB audioCodec.ts / videoCodec.ts (group-call.md §3.3). */
  private static final String AUDIO_VIDEO = """
      "audio":{"payload-types":[
         {"id":111,"name":"opus","clockrate":48000,"channels":2,"parameters":{"minptime":10,"useinbandfec":1},
          "rtcp-fbs":[{"type":"transport-cc"}]},
         {"id":126,"name":"telephone-event","clockrate":8000,"channels":1}],
       "rtp-hdrexts":[{"id":1,"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level"},
         {"id":2,"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"},
         {"id":3,"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"}]},
      "video":{"endpoint":"e0e7414dcff430d1",
       "payload-types":[
         {"id":100,"name":"VP8","clockrate":9000,"channels":1,"parameters":{"fmtp":"x-google-start-bitrate=800"},
          "rtcp-fbs":%1$s},
         {"id":101,"name":"rtx","clockrate":90000,"parameters":{"apt":"100"}},
         {"id":102,"name":"VP9","clockrate":9000,"parameters":[],"rtcp-fbs":%1$s},
         {"id":103,"name":"rtx","clockrate":90000,"parameters":{"apt":"102"}},
         {"id":104,"name":"H264","clockrate":9000,"channels":1,"parameters":[],"rtcp-fbs":%1$s},
         {"id":105,"name":"rtx","clockrate":90000,"parameters":{"apt":"104"}}],
       "rtp-hdrexts":[{"id":2,"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"},
         {"id":3,"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"},
         {"id":13,"uri":"urn:3gpp:video-orientation"}],
       "server_sources":[1102101285]}""".formatted(VIDEO_FEEDBACK);

  private static final String REAL_ANSWER = "{\"transport\":" + TRANSPORT + "," + AUDIO_VIDEO + "}";

  private static final List<String> FIVE_FEEDBACKS =
      List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");

  private static String answerWithCandidate(String candidate) {
    return REAL_ANSWER.replace(
        "{\"generation\":\"0\",\"component\":\"1\",\"protocol\":\"udp\",\"port\":\"32000\",\"ip\":\"91.108.9.103\",",
        candidate);
  }

  private static String fieldOfError(String json) {
    InvalidParamsException e = catchThrowableOfType(InvalidParamsException.class,
        () -> GroupCallSignaling.decodeAnswer(json));
    assertThat(e).as("decodeAnswer should reject %s", json).isNotNull();
    return e.field();
  }

  @Test
  void decodesCapturedRealTransport() throws Exception {
    Transport t = GroupCallSignaling.decodeAnswer(REAL_ANSWER).transport();

    assertThat(t.ufrag()).isEqualTo("bvr6j1fkri6020");
    assertThat(t.pwd()).isEqualTo("1k7vls8kb2tr4eu093jkalphcq");
    assertThat(t.rtcpMux()).isTrue();
    assertThat(t.fingerprints()).containsExactly(new Fingerprint("sha-256",
        "9A:18:A4:DF:6A:11:EA:E5:BF:E3:8A:18:E7:69:3D:7B:42:D8:9D:32:2F:57:7B:3D:6E:09:6C:A7:45:D7:78:0D",
        "passive"));
    assertThat(t.candidates()).containsExactly(
        new AnswerCandidate("1", 1, "udp", 2130706431L, "2001:67c:4e8:f102:6:0:285:207", 32000, "host",
            0, "26a502bbbaff65703414015c", 0, null, 0, null),
        new AnswerCandidate("2", 1, "udp", 2130706431L, "91.108.9.103", 32000, "host",
            0, "2b603f7dbaff65706a0c113e", 0, null, 0, null));
  }

  @Test
  void decodesCapturedRealAudioSectionWithIntegerParameters() throws Exception {
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer(REAL_ANSWER);

    assertThat(answer.stream()).isFalse();
    assertThat(answer.rtmp()).isFalse();
    assertThat(answer.audio().payloadTypes()).containsExactly(
        new PayloadType(111, "opus", 48000, 2, Map.of("minptime", "10", "useinbandfec", "1"),
            List.of("transport-cc")),
        new PayloadType(126, "telephone-event", 8000, 1, Map.of(), List.of()));
    assertThat(answer.audio().payloadTypes().get(0).parameters().keySet())
        .containsExactly("minptime", "useinbandfec");
    assertThat(answer.audio().headerExtensions()).containsExactly(
        new HeaderExtension(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
        new HeaderExtension(2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
        new HeaderExtension(3, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"));
  }

  @Test
  void decodesCapturedRealVideoSectionWithEmptyArrayParametersAndMissingChannels() throws Exception {
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer(REAL_ANSWER);

    assertThat(answer.videoEndpoint()).isEqualTo("e0e7414dcff430d1");
    assertThat(answer.video().payloadTypes()).containsExactly(
        new PayloadType(100, "VP8", 9000, 1, Map.of("fmtp", "x-google-start-bitrate=800"), FIVE_FEEDBACKS),
        new PayloadType(101, "rtx", 90000, 1, Map.of("apt", "100"), List.of()),
        new PayloadType(102, "VP9", 9000, 1, Map.of(), FIVE_FEEDBACKS),
        new PayloadType(103, "rtx", 90000, 1, Map.of("apt", "102"), List.of()),
        new PayloadType(104, "H264", 9000, 1, Map.of(), FIVE_FEEDBACKS),
        new PayloadType(105, "rtx", 90000, 1, Map.of("apt", "104"), List.of()));
    assertThat(answer.video().headerExtensions()).extracting(HeaderExtension::id).containsExactly(2, 3, 13);
  }

  @Test
  void decodesPresentationAnswerWithoutAudio() throws Exception {
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer("{\"transport\":" + TRANSPORT + "}");

    assertThat(answer.transport().candidates()).hasSize(2);
    assertThat(answer.audio()).isNull();
    assertThat(answer.video()).isNull();
    assertThat(answer.videoEndpoint()).isNull();
  }

  @Test
  void decodesStreamModeAnswer() throws Exception {
    assertThat(GroupCallSignaling.decodeAnswer("{\"stream\":true}"))
        .isEqualTo(new GroupCallAnswer(true, false, null, null, null, null));
  }

  @Test
  void decodesRtmpModeAnswer() throws Exception {
    assertThat(GroupCallSignaling.decodeAnswer(
        "{\"stream\":true,\"rtmp\":true,\"rtmp_stream_url\":\"rtmps://dc4-1.rtmp.t.me/s/\"}"))
        .isEqualTo(new GroupCallAnswer(true, true, null, null, null, null));
  }

  @Test
  void doesNotReadRtmpFalseAsRtmp() throws Exception {
    assertThat(GroupCallSignaling.decodeAnswer("{\"stream\":true,\"rtmp\":false}"))
        .isEqualTo(new GroupCallAnswer(true, false, null, null, null, null));
    GroupCallAnswer rtc = GroupCallSignaling.decodeAnswer(REAL_ANSWER.replaceFirst("\\{", "{\"rtmp\":false,"));
    assertThat(rtc.rtmp()).isFalse();
    assertThat(rtc.stream()).isFalse();
    assertThat(rtc.transport()).isNotNull();
  }

  @Test
  void acceptsPlainNumbersAndOptionalRelatedAddress() throws Exception {
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer(answerWithCandidate(
        "{\"generation\":0,\"component\":1,\"protocol\":\"udp\",\"port\":32000,\"ip\":\"91.108.9.103\","
            + "\"rel-addr\":\"10.0.0.1\",\"rel-port\":\"5000\",\"tcptype\":\"passive\","));

    assertThat(answer.transport().candidates().get(1)).isEqualTo(new AnswerCandidate("2", 1, "udp",
        2130706431L, "91.108.9.103", 32000, "host", 0, "2b603f7dbaff65706a0c113e", 0, "10.0.0.1", 5000,
        "passive"));
  }

  @Test
  void rejectsAnswerWithoutUfrag() {
    assertThat(fieldOfError(REAL_ANSWER.replace("\"ufrag\":\"bvr6j1fkri6020\",", "")))
        .isEqualTo("transport.ufrag");
  }

  @Test
  void rejectsCandidatePortThatIsNotANumber() {
    assertThat(fieldOfError(answerWithCandidate(
        "{\"generation\":\"0\",\"component\":\"1\",\"protocol\":\"udp\",\"port\":\"abc\",\"ip\":\"91.108.9.103\",")))
        .isEqualTo("transport.candidates[1].port");
  }

  @Test
  void rejectsCandidatePortOutOfRange() {
    assertThat(fieldOfError(answerWithCandidate(
        "{\"generation\":\"0\",\"component\":\"1\",\"protocol\":\"udp\",\"port\":\"70000\",\"ip\":\"91.108.9.103\",")))
        .isEqualTo("transport.candidates[1].port");
  }

  @Test
  void rejectsUnknownCandidateType() {
    assertThat(fieldOfError(REAL_ANSWER.replaceFirst("\"type\":\"host\"", "\"type\":\"bogus\"")))
        .isEqualTo("transport.candidates[0].type");
  }

  @Test
  void rejectsCandidateWithoutNetwork() {
    assertThat(fieldOfError(answerWithCandidate(
        "{\"generation\":\"0\",\"component\":\"1\",\"protocol\":\"udp\",\"port\":\"32000\",\"ip\":\"91.108.9.103\",")
        .replace(",\"network\":\"0\"}]", "}]")))
        .isEqualTo("transport.candidates[1].network");
  }

  @Test
  void rejectsFingerprintWithoutSetup() {
    assertThat(fieldOfError(REAL_ANSWER.replace("\"setup\":\"passive\",", "")))
        .isEqualTo("transport.fingerprints[0].setup");
  }

  @Test
  void rejectsEmptyFingerprints() {
    assertThat(fieldOfError("{\"transport\":{\"ufrag\":\"uuuu\",\"pwd\":\"pppppppppppppppppppppp\","
        + "\"fingerprints\":[]}}"))
        .isEqualTo("transport.fingerprints");
  }

  @Test
  void rejectsPayloadTypeWithoutClockrate() {
    assertThat(fieldOfError(REAL_ANSWER.replace("\"clockrate\":8000,", "")))
        .isEqualTo("audio.payload-types[1].clockrate");
  }

  @Test
  void rejectsNonEmptyArrayParameters() {
    assertThat(fieldOfError(REAL_ANSWER.replaceFirst("\"parameters\":\\[\\]", "\"parameters\":[1]")))
        .isEqualTo("video.payload-types[2].parameters");
  }

  @Test
  void rejectsBooleanParameterValue() {
    assertThat(fieldOfError(REAL_ANSWER.replace("\"useinbandfec\":1", "\"useinbandfec\":true")))
        .isEqualTo("audio.payload-types[0].parameters.useinbandfec");
  }

  @Test
  void rejectsAnswerWithoutTransport() {
    assertThat(fieldOfError("{\"audio\":{}}")).isEqualTo("transport");
  }

  @Test
  void rejectsTextThatIsNotJson() {
    assertThat(fieldOfError("<html>502 Bad Gateway</html>")).isEqualTo("$");
    assertThat(fieldOfError("{\"transport\":")).isEqualTo("$");
    assertThat(fieldOfError("")).isEqualTo("$");
  }

  @Test
  void rejectsJsonThatIsNotAnObject() {
    assertThat(fieldOfError("[1,2]")).isEqualTo("$");
    assertThat(fieldOfError("\"stream\"")).isEqualTo("$");
  }

  /** The documented answer limit, 64 KiB in characters. */
  private static final int ANSWER_LIMIT = 64 * 1024;
  private static final String PWD = "\"pwd\":\"1k7vls8kb2tr4eu093jkalphcq\"";
  private static final String UFRAG = "\"ufrag\":\"bvr6j1fkri6020\"";
  private static final String SHA256 =
      "9A:18:A4:DF:6A:11:EA:E5:BF:E3:8A:18:E7:69:3D:7B:42:D8:9D:32:2F:57:7B:3D:6E:09:6C:A7:45:D7:78:0D";

  private static String withPwd(String pwd) {
    return REAL_ANSWER.replace(PWD, "\"pwd\":\"" + pwd + "\"");
  }

  private static String withUfrag(String ufrag) {
    return REAL_ANSWER.replace(UFRAG, "\"ufrag\":\"" + ufrag + "\"");
  }

  /** The second candidate of the real answer with one field's JSON value replaced. */
  private static String withCandidateField(String key, String json) {
    String second = REAL_ANSWER.substring(REAL_ANSWER.indexOf("{\"generation\"", REAL_ANSWER.indexOf("\"network\"")));
    String changed = second.replaceFirst("\"" + java.util.regex.Pattern.quote(key) + "\":(\"[^\"]*\"|\\d+)",
        java.util.regex.Matcher.quoteReplacement("\"" + key + "\":" + json));
    assertThat(changed).as(key).isNotEqualTo(second);
    return REAL_ANSWER.replace(second, changed);
  }

  @Test
  void rejectsPwdShorterThan22IceCharsNamingIt() {
    // RFC 8445 §5.3: pwd is 22..256 ice-chars; this was an unchecked IllegalArgumentException
    assertThat(fieldOfError(withPwd(""))).isEqualTo("transport.pwd");
    assertThat(fieldOfError(withPwd("a".repeat(21)))).isEqualTo("transport.pwd");
    assertThat(fieldOfError(withPwd("a".repeat(257)))).isEqualTo("transport.pwd");
    assertThat(fieldOfError(withPwd("1k7vls8kb2tr4eu093jkalphc-")))
        .isEqualTo("transport.pwd");
  }

  @Test
  void rejectsUfragOutsideFourTo256IceCharsNamingIt() {
    assertThat(fieldOfError(withUfrag("abc"))).isEqualTo("transport.ufrag");
    assertThat(fieldOfError(withUfrag("a".repeat(257)))).isEqualTo("transport.ufrag");
    assertThat(fieldOfError(withUfrag("bvr6 j1fk"))).isEqualTo("transport.ufrag");
    assertThat(fieldOfError(withUfrag("bvr6:j1fk"))).isEqualTo("transport.ufrag");
    assertThat(fieldOfError(withUfrag("bvr6\\u00e9j1fk"))).isEqualTo("transport.ufrag");
  }

  @Test
  void acceptsUfragAndPwdAtTheirLimits() throws Exception {
    Transport shortest = GroupCallSignaling.decodeAnswer(
        withUfrag("a+/4").replace(PWD, "\"pwd\":\"" + "Z9+/".repeat(5) + "ab\"")).transport();
    assertThat(shortest.ufrag()).isEqualTo("a+/4");
    assertThat(shortest.pwd()).hasSize(22);
    Transport longest = GroupCallSignaling.decodeAnswer(
        withUfrag("u".repeat(256)).replace(PWD, "\"pwd\":\"" + "p".repeat(256) + "\"")).transport();
    assertThat(longest.ufrag()).hasSize(256);
    assertThat(longest.pwd()).hasSize(256);
  }

  @Test
  void rejectsUnknownOrWeakFingerprintHashNamingIt() {
    for (String hash : new String[] {"md5", "md2", "sha-3", "", "sha256"}) {
      assertThat(fieldOfError(REAL_ANSWER.replace("\"hash\":\"sha-256\"", "\"hash\":\"" + hash + "\"")))
          .as(hash).isEqualTo("transport.fingerprints[0].hash");
    }
  }

  @Test
  void rejectsFingerprintThatIsNotHexPairsOfTheHashLength() {
    for (String fp : new String[] {"", SHA256.substring(3), SHA256 + ":00", SHA256.replace(':', '-'),
        SHA256.replace("9A", "9G"), SHA256.replace("9A:", "9A::").substring(0, SHA256.length()),
        SHA256.replace("9A:18", "9A1:8")}) {
      assertThat(fieldOfError(REAL_ANSWER.replace(SHA256, fp)))
          .as(fp).isEqualTo("transport.fingerprints[0].fingerprint");
    }
    // a sha-256 digest labelled sha-1 has the wrong length
    assertThat(fieldOfError(REAL_ANSWER.replace("\"hash\":\"sha-256\"", "\"hash\":\"sha-1\"")))
        .isEqualTo("transport.fingerprints[0].fingerprint");
  }

  @Test
  void acceptsEveryAllowedHashWithItsLengthInAnyCase() throws Exception {
    int[] lengths = {20, 28, 32, 48, 64};
    String[] names = {"sha-1", "SHA-224", "sha-256", "Sha-384", "sha-512"};
    for (int i = 0; i < names.length; i++) {
      String fp = String.join(":", java.util.Collections.nCopies(lengths[i], "ab"));
      Fingerprint f = GroupCallSignaling.decodeAnswer(REAL_ANSWER.replace(SHA256, fp)
          .replace("\"hash\":\"sha-256\"", "\"hash\":\"" + names[i] + "\"")).transport().fingerprints().get(0);
      assertThat(f.hash()).isEqualTo(names[i]);
      assertThat(f.fingerprint()).isEqualTo(fp);
    }
  }

  @Test
  void acceptsActivePassiveAndActpassSetupAndRejectsOthersNamingIt() throws Exception {
    for (String setup : new String[] {"active", "passive", "actpass", "PASSIVE"}) {
      assertThat(GroupCallSignaling.decodeAnswer(REAL_ANSWER.replace("\"setup\":\"passive\"",
          "\"setup\":\"" + setup + "\"")).transport().fingerprints().get(0).setup()).isEqualTo(setup);
    }
    for (String setup : new String[] {"holdconn", "", "server", "passive "}) {
      assertThat(fieldOfError(REAL_ANSWER.replace("\"setup\":\"passive\"", "\"setup\":\"" + setup + "\"")))
          .as(setup).isEqualTo("transport.fingerprints[0].setup");
    }
  }

  @Test
  void rejectsCandidateFieldsOutsideTheirRangesNamingThem() {
    String[][] cases = {
        {"port", "\"65536\""}, {"port", "-1"},
        {"priority", "\"4294967296\""}, {"priority", "-1"},
        {"component", "0"}, {"component", "\"257\""},
        {"foundation", "\"\""}, {"foundation", "\"" + "f".repeat(33) + "\""}, {"foundation", "\"a-b\""},
        {"protocol", "\"\""}, {"protocol", "\"u d p\""}, {"protocol", "\"" + "u".repeat(33) + "\""},
        {"type", "\"local host\""}, {"type", "\"\""},
        {"ip", "\"example.com\""}, {"ip", "\"999.1.1.1\""}, {"ip", "\"1.2.3\""}, {"ip", "\"\""},
        {"ip", "\"1:2:3:4:5:6:7:8:9\""}, {"ip", "\"1::2::3\""}, {"ip", "\"fe80::1%eth0\""},
        {"ip", "\"12345::1\""}, {"ip", "\":1::\""},
        {"generation", "\"-1\""}, {"network", "\"2147483648\""},
        {"id", "\"" + "i".repeat(1025) + "\""},
    };
    for (String[] c : cases) {
      assertThat(fieldOfError(withCandidateField(c[0], c[1])))
          .as("%s=%s", c[0], c[1]).isEqualTo("transport.candidates[1]." + c[0]);
    }
  }

  @Test
  void acceptsCandidateFieldsAtTheirLimits() throws Exception {
    String[][] cases = {
        {"port", "0"}, {"port", "\"65535\""}, {"priority", "\"4294967295\""}, {"priority", "0"},
        {"component", "256"}, {"foundation", "\"" + "f/+9".repeat(8) + "\""}, {"protocol", "\"TCP\""},
        {"ip", "\"255.255.255.255\""}, {"ip", "\"::\""}, {"ip", "\"::1\""}, {"ip", "\"1::\""},
        {"ip", "\"::ffff:91.108.9.103\""}, {"ip", "\"1:2:3:4:5:6:7:8\""}, {"ip", "\"FE80::aB:1\""},
    };
    for (String[] c : cases) {
      GroupCallSignaling.decodeAnswer(withCandidateField(c[0], c[1]));
    }
  }

  @Test
  void rejectsPayloadTypeAndHeaderExtensionIdsOutsideTheirRanges() {
    assertThat(fieldOfError(REAL_ANSWER.replace("{\"id\":111,", "{\"id\":128,")))
        .isEqualTo("audio.payload-types[0].id");
    assertThat(fieldOfError(REAL_ANSWER.replace("{\"id\":111,", "{\"id\":-1,")))
        .isEqualTo("audio.payload-types[0].id");
    assertThat(fieldOfError(REAL_ANSWER.replace("[{\"id\":1,", "[{\"id\":0,")))
        .isEqualTo("audio.rtp-hdrexts[0].id");
    assertThat(fieldOfError(REAL_ANSWER.replace("[{\"id\":1,", "[{\"id\":256,")))
        .isEqualTo("audio.rtp-hdrexts[0].id");
  }

  @Test
  void rejectsOverlongStringsNamingTheField() {
    String k = "x".repeat(1025);
    assertThat(fieldOfError(REAL_ANSWER.replace("\"name\":\"opus\"", "\"name\":\"" + k + "\"")))
        .isEqualTo("audio.payload-types[0].name");
    assertThat(fieldOfError(REAL_ANSWER.replace("\"endpoint\":\"e0e7414dcff430d1\"", "\"endpoint\":\"" + k + "\"")))
        .isEqualTo("video.endpoint");
    assertThat(fieldOfError(REAL_ANSWER.replace("\"apt\":\"100\"", "\"apt\":\"" + k + "\"")))
        .isEqualTo("video.payload-types[1].parameters.apt");
    assertThat(fieldOfError(REAL_ANSWER.replace("\"apt\":\"100\"", "\"" + "a".repeat(65) + "\":\"100\"")))
        .isEqualTo("video.payload-types[1].parameters");
    assertThat(fieldOfError(REAL_ANSWER.replace("\"uri\":\"urn:3gpp:video-orientation\"",
        "\"uri\":\"" + k + "\""))).isEqualTo("video.rtp-hdrexts[2].uri");
    assertThat(fieldOfError(REAL_ANSWER.replace("{\"type\":\"goog-remb\"}", "{\"type\":\"" + k + "\"}")))
        .isEqualTo("video.payload-types[0].rtcp-fbs[0].type");
  }

  @Test
  void rejectsHugeNumericStringQuicklyNamingTheField() {
    // A 60,000-digit port fits the 64 KiB answer limit; only the numeric bound names it.
    String answer = withCandidateField("port", "\"" + "3".repeat(60_000) + "\"");
    assertThat(assertTimeoutPreemptively(Duration.ofSeconds(2), () -> fieldOfError(answer)))
        .isEqualTo("transport.candidates[1].port");
  }

  @Test
  void rejectsMillionDigitAnswerQuicklyAsTooLong() {
    // 11-17 s of BigDecimal parsing before the bounds
    String answer = withCandidateField("port", "\"" + "3".repeat(1_000_000) + "\"");
    InvalidParamsException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
        () -> catchThrowableOfType(InvalidParamsException.class, () -> GroupCallSignaling.decodeAnswer(answer)));
    assertThat(e).isNotNull();
    assertThat(e.field()).isEqualTo("$");
    assertThat(e.getMessage()).contains("longer than 65536 characters").hasSizeLessThan(200);
  }

  @Test
  void rejectsTenMegabyteUfragAsTooLong() {
    assertThat(assertTimeoutPreemptively(Duration.ofSeconds(2),
        () -> fieldOfError(withUfrag("u".repeat(10_000_000))))).isEqualTo("$");
  }

  @Test
  void acceptsAnswerOf64KibAndRejectsOneCharacterMore() throws Exception {
    String padded = REAL_ANSWER.replaceFirst("\\{", "{\"pad\":\"\",");
    int room = ANSWER_LIMIT - padded.length();
    // unknown keys are ignored, but count toward the limit
    StringBuilder big = new StringBuilder("{");
    for (int i = 0; big.length() < room - 1100; i++) {
      big.append("\"k").append(i).append("\":\"").append("v".repeat(1000)).append("\",");
    }
    String base = REAL_ANSWER.replaceFirst("\\{", big.toString());
    String exact = base.replaceFirst("\\{", "{\"p\":\"" + "x".repeat(ANSWER_LIMIT
        - base.length() - 7) + "\",");
    assertThat(exact).hasSize(ANSWER_LIMIT);
    GroupCallSignaling.decodeAnswer(exact);
    assertThat(fieldOfError(exact.replaceFirst("\"p\":\"", "\"p\":\"x"))).isEqualTo("$");
  }

  @Test
  void reportsDeeplyNestedAnswerInOneShortLine() {
    String deep = REAL_ANSWER.replaceFirst("\\{", "{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + ",");
    InvalidParamsException e = catchThrowableOfType(InvalidParamsException.class,
        () -> GroupCallSignaling.decodeAnswer(deep));
    assertThat(e.field()).isEqualTo("$");
    assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(200).doesNotContain("\n").contains("line 1 column");
  }

  @Test
  void encodesAudioOnlyJoinWithoutSsrcGroups() throws Exception {
    String json = GroupCallSignaling.encodeJoin(new JoinPayload("XUKA", "yGS9FiEPpp4/CvloaKimzC0q",
        "sha-256", "4F:0A:9C", "passive", 1563432110, List.of()));

    assertThat(json).isEqualTo("{\"ufrag\":\"XUKA\",\"pwd\":\"yGS9FiEPpp4/CvloaKimzC0q\","
        + "\"fingerprints\":[{\"hash\":\"sha-256\",\"fingerprint\":\"4F:0A:9C\",\"setup\":\"passive\"}],"
        + "\"ssrc\":1563432110}");
  }

  @Test
  void encodesSsrcsAsSignedInt32WithGroups() {
    int audio = (int) 0xF0000000L;
    String json = GroupCallSignaling.encodeJoin(new JoinPayload("u", "p", "sha-256", "AB", "passive", audio,
        List.of(new SsrcGroup("SIM", List.of(audio + 1, audio + 3)),
            new SsrcGroup("FID", List.of(audio + 1, audio + 2)))));

    assertThat(json).endsWith("\"ssrc\":-268435456,\"ssrc-groups\":["
        + "{\"semantics\":\"SIM\",\"sources\":[-268435455,-268435453]},"
        + "{\"semantics\":\"FID\",\"sources\":[-268435455,-268435454]}]}");
  }
}
