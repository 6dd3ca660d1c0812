package org.tgcalls4j.internal.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.InvalidParamsException;

/** The JSON of p2p-call.md §4.1–4.4, written as json11 writes it (sorted keys, no whitespace). */
class SignalingMessagesTest {
  private static final String ABS = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  private static final String TCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

  /** §4.1 sample. */
  private static final String INITIAL_SETUP = "{\"@type\":\"InitialSetup\",\"fingerprints\":[{\"fingerprint\":"
      + "\"4A:1F:9C\",\"hash\":\"sha-256\",\"setup\":\"actpass\"}],\"pwd\":\"p2Qw1Xn9cR3vJ0aZkLmNbY7t\","
      + "\"renomination\":true,\"ufrag\":\"Ab3d\"}";

  /** §4.2 sample with the extension URIs written out. */
  private static final String NEGOTIATE = "{\"@type\":\"NegotiateChannels\",\"contents\":["
      + "{\"payloadTypes\":[{\"channels\":2,\"clockrate\":48000,\"feedbackTypes\":[{\"subtype\":\"\",\"type\":\"transport-cc\"}],"
      + "\"id\":111,\"name\":\"opus\",\"parameters\":{\"minptime\":\"10\",\"useinbandfec\":\"1\"}}],"
      + "\"rtpExtensions\":[{\"id\":2,\"uri\":\"" + ABS + "\"},{\"id\":3,\"uri\":\"" + TCC + "\"}],"
      + "\"ssrc\":\"2739488152\",\"type\":\"audio\"},"
      + "{\"payloadTypes\":[{\"channels\":0,\"clockrate\":90000,\"feedbackTypes\":[{\"subtype\":\"\",\"type\":\"goog-remb\"},"
      + "{\"subtype\":\"\",\"type\":\"transport-cc\"},{\"subtype\":\"fir\",\"type\":\"ccm\"},{\"subtype\":\"\",\"type\":\"nack\"},"
      + "{\"subtype\":\"pli\",\"type\":\"nack\"}],\"id\":96,\"name\":\"VP8\",\"parameters\":{}},"
      + "{\"channels\":0,\"clockrate\":90000,\"feedbackTypes\":[],\"id\":97,\"name\":\"rtx\",\"parameters\":{\"apt\":\"96\"}}],"
      + "\"rtpExtensions\":[{\"id\":2,\"uri\":\"" + ABS + "\"},{\"id\":3,\"uri\":\"" + TCC + "\"},"
      + "{\"id\":13,\"uri\":\"urn:3gpp:video-orientation\"}],"
      + "\"ssrc\":\"1804289383\",\"ssrcGroups\":[{\"semantics\":\"FID\",\"ssrcs\":[\"1804289383\",\"846930886\"]}],"
      + "\"type\":\"video\"}],\"exchangeId\":\"3505430217\"}";

  /** §4.3 sample. */
  private static final String CANDIDATES = "{\"@type\":\"Candidates\",\"candidates\":[{\"sdpString\":"
      + "\"candidate:2999745851 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 ufrag Ab3d network-id 1\"}]}";

  /** §4.4 sample. */
  private static final String MEDIA_STATE = "{\"@type\":\"MediaState\",\"lowBattery\":false,\"muted\":false,"
      + "\"screencastState\":\"inactive\",\"videoRotation\":0,\"videoState\":\"inactive\"}";

  @Test
  void initialSetupDecodesAndEncodesAsTheSample() throws Exception {
    InitialSetup s = (InitialSetup) SignalingMessages.decode(INITIAL_SETUP);
    assertThat(s.ufrag()).isEqualTo("Ab3d");
    assertThat(s.pwd()).isEqualTo("p2Qw1Xn9cR3vJ0aZkLmNbY7t");
    assertThat(s.renomination()).isTrue();
    assertThat(s.fingerprints()).containsExactly(new DtlsFingerprint("sha-256", "actpass", "4A:1F:9C"));
    assertThat(SignalingMessages.encode(s)).isEqualTo(INITIAL_SETUP);
    assertThat(s.toString()).doesNotContain(s.pwd());
  }

  @Test
  void negotiateChannelsDecodesAndEncodesAsTheSample() throws Exception {
    NegotiateChannels n = (NegotiateChannels) SignalingMessages.decode(NEGOTIATE);
    assertThat(n.exchangeId()).isEqualTo(3505430217L);
    assertThat(n.contents()).hasSize(2);
    MediaContent audio = n.contents().get(0);
    assertThat(audio.type()).isEqualTo("audio");
    assertThat(audio.ssrc()).isEqualTo(2739488152L);
    assertThat(audio.ssrcGroups()).isEmpty();
    assertThat(audio.payloadTypes()).containsExactly(new MediaContent.PayloadType(111, "opus", 48000, 2,
        List.of(new MediaContent.FeedbackType("transport-cc", "")), Map.of("minptime", "10", "useinbandfec", "1")));
    assertThat(audio.rtpExtensions()).containsExactly(new MediaContent.RtpExtension(2, ABS),
        new MediaContent.RtpExtension(3, TCC));
    MediaContent video = n.contents().get(1);
    assertThat(video.ssrcGroups()).containsExactly(new MediaContent.SsrcGroup("FID", List.of(1804289383L, 846930886L)));
    assertThat(video.payloadTypes().get(1).parameters()).isEqualTo(Map.of("apt", "96"));
    assertThat(video.payloadTypes().get(0).feedbackTypes()).hasSize(5);
    assertThat(SignalingMessages.encode(n)).isEqualTo(NEGOTIATE);
  }

  @Test
  void candidatesAndMediaStateDecodeAndEncodeAsTheSamples() throws Exception {
    Candidates c = (Candidates) SignalingMessages.decode(CANDIDATES);
    assertThat(c.sdpStrings()).containsExactly(
        "candidate:2999745851 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 ufrag Ab3d network-id 1");
    assertThat(SignalingMessages.encode(c)).isEqualTo(CANDIDATES);
    MediaState m = (MediaState) SignalingMessages.decode(MEDIA_STATE);
    assertThat(m).isEqualTo(new MediaState(false, false, "inactive", "inactive", 0));
    assertThat(SignalingMessages.encode(m)).isEqualTo(MEDIA_STATE);
    assertThat(SignalingMessages.encode(new MediaState(true, true, "active", "suspended", 90))).isEqualTo(
        "{\"@type\":\"MediaState\",\"lowBattery\":true,\"muted\":true,\"screencastState\":\"suspended\","
            + "\"videoRotation\":90,\"videoState\":\"active\"}");
  }

  @Test
  void readsNumbersWhereStringsAreUsualAndIgnoresUnknownKeys() throws Exception {
    NegotiateChannels n = (NegotiateChannels) SignalingMessages.decode(
        "{\"@type\":\"NegotiateChannels\",\"exchangeId\":4294967295,\"sdpMid\":\"0\",\"contents\":[{\"type\":\"video\","
            + "\"ssrc\":1,\"ssrcGroups\":[{\"semantics\":\"FID\",\"ssrcs\":[1,\"2\"]}]}]}");
    assertThat(n.exchangeId()).isEqualTo(0xFFFF_FFFFL);
    assertThat(n.contents().get(0).ssrcGroups().get(0).ssrcs()).containsExactly(1L, 2L);
    assertThat(n.contents().get(0).payloadTypes()).isEmpty();
    // an empty-named parameter (RED's {"":"111/111"}) is dropped so it is never echoed
    NegotiateChannels red = (NegotiateChannels) SignalingMessages.decode(
        "{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"1\",\"contents\":[{\"type\":\"audio\",\"ssrc\":\"1\","
            + "\"payloadTypes\":[{\"id\":63,\"name\":\"red\",\"clockrate\":48000,\"parameters\":{\"\":\"111/111\"}}]}]}");
    assertThat(red.contents().get(0).payloadTypes().get(0).parameters()).isEmpty();
    assertThat(red.contents().get(0).payloadTypes().get(0).channels()).isZero();
    assertThat(SignalingMessages.encode(red)).doesNotContain("\"\":");
    MediaState m = (MediaState) SignalingMessages.decode("{\"@type\":\"MediaState\"}");
    assertThat(m).isEqualTo(new MediaState(false, false, "inactive", "inactive", 0));
    InitialSetup s = (InitialSetup) SignalingMessages.decode(
        "{\"@type\":\"InitialSetup\",\"ufrag\":\"a\",\"pwd\":\"b\",\"fingerprints\":[]}");
    assertThat(s.renomination()).isFalse();
  }

  @Test
  void rejectsNamingTheField() {
    String pt = "{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"1\",\"contents\":[{\"type\":\"audio\",\"ssrc\":\"1\","
        + "\"payloadTypes\":[{\"id\":111,\"name\":\"opus\",\"clockrate\":48000,%s}]}]}";
    assertRejected(String.format(pt, "\"parameters\":{\"useinbandfec\":\"1\",\"minptime\":10}"),
        "contents[0].payloadTypes[0].parameters.minptime");
    assertRejected(String.format(pt, "\"parameters\":{\"x\":true}"), "contents[0].payloadTypes[0].parameters.x");
    assertRejected(String.format(pt, "\"feedbackTypes\":[{\"type\":\"nack\"}]"),
        "contents[0].payloadTypes[0].feedbackTypes[0].subtype");
    assertRejected(String.format(pt, "\"channels\":\"2\""), "contents[0].payloadTypes[0].channels");
    assertRejected(pt.replace("\"id\":111", "\"id\":\"111\"").formatted("\"channels\":2"),
        "contents[0].payloadTypes[0].id");
    assertRejected("{\"@type\":\"InitialSetup\",\"ufrag\":\"a\",\"pwd\":\"b\"}", "fingerprints");
    assertRejected("{\"@type\":\"InitialSetup\",\"ufrag\":\"a\",\"pwd\":\"b\",\"fingerprints\":[{\"hash\":\"sha-256\","
        + "\"setup\":\"actpass\"}]}", "fingerprints[0].fingerprint");
    assertRejected("{\"@type\":\"InitialSetup\",\"ufrag\":1,\"pwd\":\"b\",\"fingerprints\":[]}", "ufrag");
    assertRejected("{\"@type\":\"InitialSetup\",\"ufrag\":\"a\",\"pwd\":\"b\",\"renomination\":\"yes\","
        + "\"fingerprints\":[]}", "renomination");
    assertRejected("{\"@type\":\"NegotiateChannels\",\"contents\":[]}", "exchangeId");
    assertRejected("{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"abc\"}", "exchangeId");
    assertRejected("{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"4294967296\"}", "exchangeId");
    assertRejected("{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"1\",\"contents\":[{\"type\":\"data\",\"ssrc\":\"1\"}]}",
        "contents[0].type");
    assertRejected("{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"1\",\"contents\":[{\"type\":\"audio\",\"ssrc\":true}]}",
        "contents[0].ssrc");
    assertRejected("{\"@type\":\"NegotiateChannels\",\"exchangeId\":\"1\",\"contents\":[{\"type\":\"audio\",\"ssrc\":\"1\","
        + "\"rtpExtensions\":[{\"id\":\"2\",\"uri\":\"x\"}]}]}", "contents[0].rtpExtensions[0].id");
    assertRejected("{\"@type\":\"Candidates\",\"candidates\":[{\"sdpString\":5}]}", "candidates[0].sdpString");
    assertRejected("{\"@type\":\"Candidates\"}", "candidates");
    assertRejected("{\"@type\":\"MediaState\",\"videoState\":\"on\"}", "videoState");
    assertRejected("{\"@type\":\"MediaState\",\"videoRotation\":45}", "videoRotation");
    assertRejected("{\"@type\":\"MediaState\",\"muted\":1}", "muted");
    assertRejected("{\"@type\":\"Hello\"}", "@type");
    assertRejected("{\"type\":\"Candidates\"}", "@type");
    assertRejected("{\"@type\":7}", "@type");
    assertRejected("[1]", "$");
    assertRejected("{\"@type\":", "$");
  }

  private static void assertRejected(String json, String field) {
    InvalidParamsException e = catchThrowableOfType(InvalidParamsException.class,
        () -> SignalingMessages.decode(json));
    assertThat(e).as(json).isNotNull();
    assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
  }
}
