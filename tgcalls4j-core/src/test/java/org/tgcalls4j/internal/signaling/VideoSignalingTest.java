package org.tgcalls4j.internal.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The video parts of the join payload and answer, against group-call.md §2.2 and §3.3. */
class VideoSignalingTest {
  private static final int AUDIO = 1563432110; // group-call.md §2.2 "Audio + camera"

  private static final String TRANSPORT = """
      {"ufrag":"bvr6j1fkri6020","pwd":"1k7vls8kb2tr4eu093jkalphcq","rtcp-mux":true,
       "fingerprints":[{"fingerprint":"9A:18:A4:DF:6A:11:EA:E5:BF:E3:8A:18:E7:69:3D:7B:42:D8:9D:32:2F:57:7B:3D:6E:09:6C:A7:45:D7:78:0D","setup":"passive","hash":"sha-256"}],
       "candidates":[]}""";

  /** The captured video section of group-call.md §3.3 (TWEB videoCodec.ts). */
  private static final String VIDEO = """
      "video":{"endpoint":"e0e7414dcff430d1",
       "payload-types":[
         {"id":100,"name":"VP8","clockrate":9000,"channels":1,"parameters":{"fmtp":"x-google-start-bitrate=800"},
          "rtcp-fbs":[{"type":"goog-remb"},{"type":"transport-cc"},{"type":"ccm","subtype":"fir"},
                      {"type":"nack"},{"type":"nack","subtype":"pli"}]},
         {"id":101,"name":"rtx","clockrate":90000,"parameters":{"apt":"100"}},
         {"id":102,"name":"VP9","clockrate":9000,"parameters":[]},
         {"id":103,"name":"rtx","clockrate":90000,"parameters":{"apt":"102"}},
         {"id":104,"name":"H264","clockrate":9000,"channels":1,"parameters":[]},
         {"id":105,"name":"rtx","clockrate":90000,"parameters":{"apt":"104"}}],
       "rtp-hdrexts":[{"id":2,"uri":"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"},
         {"id":3,"uri":"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"},
         {"id":13,"uri":"urn:3gpp:video-orientation"}],
       "server_sources":[1102101285]}""";

  private static JoinPayload join(List<SsrcGroup> groups) {
    return new JoinPayload("XUKA", "yGS9FiEPpp4/CvloaKimzC0q", "sha-256", "4F:0A", "passive", AUDIO,
        groups);
  }

  @Test
  void threeLayerLayoutMatchesTheAudioPlusCameraExample() {
    String json = GroupCallSignaling.encodeJoin(join(VideoSsrcLayout.simulcast(AUDIO, 3)));

    assertThat(json).contains("\"ssrc\":1563432110").contains("\"ssrc-groups\":["
        + "{\"semantics\":\"SIM\",\"sources\":[1563432111,1563432113,1563432115]},"
        + "{\"semantics\":\"FID\",\"sources\":[1563432111,1563432112]},"
        + "{\"semantics\":\"FID\",\"sources\":[1563432113,1563432114]},"
        + "{\"semantics\":\"FID\",\"sources\":[1563432115,1563432116]}]");
  }

  @Test
  void singleLayerLayoutIsOneFidPairAfterTheAudioSsrc() {
    String json = GroupCallSignaling.encodeJoin(join(VideoSsrcLayout.singleLayer(AUDIO)));

    assertThat(json).contains(
        "\"ssrc-groups\":[{\"semantics\":\"FID\",\"sources\":[1563432111,1563432112]}]");
    assertThat(VideoSsrcLayout.videoSsrc(AUDIO)).isEqualTo(AUDIO + 1);
    assertThat(VideoSsrcLayout.rtxSsrc(AUDIO)).isEqualTo(AUDIO + 2);
  }

  @Test
  void videoSsrcsAboveTwoToThe31AreSignedInTheJson() {
    int audio = 0x7FFF_FFFF; // the largest audio SSRC tgcalls draws
    String json = GroupCallSignaling.encodeJoin(join(VideoSsrcLayout.singleLayer(audio)));

    assertThat(json).contains("\"sources\":[-2147483648,-2147483647]");
  }

  @Test
  void screenShareLayoutHasTwoLayers() {
    assertThat(VideoSsrcLayout.simulcast(90211234, 2)).containsExactly(
        new SsrcGroup("SIM", List.of(90211235, 90211237)),
        new SsrcGroup("FID", List.of(90211235, 90211236)),
        new SsrcGroup("FID", List.of(90211237, 90211238)));
    assertThatThrownBy(() -> VideoSsrcLayout.simulcast(1, 4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sendParametersFromTheCapturedVideoSection() throws Exception {
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer("{\"transport\":" + TRANSPORT + "," + VIDEO + "}");

    assertThat(VideoSendParameters.from(answer.video()))
        .isEqualTo(new VideoSendParameters(100, 101, 2, 3, 13));
  }

  @Test
  void rtxIsTheOneWhoseAptIsVp8AndAbsentExtensionsAreZero() throws Exception {
    String reordered = VIDEO
        .replace("{\"id\":101,\"name\":\"rtx\",\"clockrate\":90000,\"parameters\":{\"apt\":\"100\"}},", "")
        .replace("\"parameters\":{\"apt\":\"104\"}", "\"parameters\":{\"apt\":100}")
        .replace("{\"id\":13,\"uri\":\"urn:3gpp:video-orientation\"}", "{\"id\":15,\"uri\":\"urn:3gpp:video-orientation\"}");
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer("{\"transport\":" + TRANSPORT + "," + reordered + "}");

    assertThat(VideoSendParameters.from(answer.video()))
        .isEqualTo(new VideoSendParameters(100, 105, 2, 3, 0));
  }

  @Test
  void noVideoSectionOrNoVp8MeansNoVideo() throws Exception {
    assertThat(VideoSendParameters.from(null)).isNull();
    GroupCallAnswer answer = GroupCallSignaling.decodeAnswer(
        "{\"transport\":" + TRANSPORT + "," + VIDEO.replace("\"VP8\"", "\"AV1\"") + "}");
    assertThat(VideoSendParameters.from(answer.video())).isNull();
  }
}
