package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.Audio;

/**
 * A group call into Chromium (libwebrtc) standing in for the SFU: our ICE, DTLS (Bouncy Castle,
 * checked here by BoringSSL), SRTP, Opus and VP8 RTP as libwebrtc receives them. Chromium must
 * connect, decode our Opus (a 440 Hz tone as 440 Hz) and our VP8 (320x240 frames), report our
 * SSRCs, and with 5 % loss NACK and receive our RTX retransmissions.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChromiumInteropIT {
  @TempDir Path dir;

  @BeforeAll
  static void requireChromium() {
    assumeThat(ChromiumSfu.available()).as("Debian chromium installed").isTrue();
  }

  @Test
  void chromiumDecodesAndPlays440HzOnTheAnnouncedSsrc() throws Exception {
    Path tone = Media.tone(dir, "tone.ogg", 440, 15);
    try (ChromiumSfu sfu = ChromiumSfu.start(dir);
        TgCalls calls = TgCalls.builder().requireFfmpeg(false)
            .networkOptions(NetworkOptions.loopbackOnly())
            .connectTimeout(Duration.ofSeconds(20)).build()) {
      String join = calls.createCall(7);
      String answer = sfu.offerAsAnswerJson();
      sfu.acceptJoin(join);
      calls.setStreamSources(7, MediaSource.file(tone));
      calls.connect(7, answer);
      Awaitility.await("chromium connected").atMost(Duration.ofSeconds(20))
          .until(() -> "connected".equals(sfu.connectionState()));

      short[] heard = sfu.record(3);
      assertThat(heard.length).as("3 s of 48 kHz samples").isGreaterThan(48_000 * 2);
      assertThat(Audio.dominantFrequencyHz(heard, 1, 48_000)).isCloseTo(440.0, Offset.offset(2.0));

      JsonObject inbound = sfu.stats("inbound-rtp");
      assertThat(inbound).as("chromium's inbound-rtp stats").isNotNull();
      assertThat(inbound.get("ssrc").getAsLong()).isEqualTo(calls.audioSsrc(7) & 0xFFFF_FFFFL);
      assertThat(inbound.get("packetsReceived").getAsLong()).isGreaterThan(100);
      assertThat(inbound.get("packetsLost").getAsLong()).isLessThanOrEqualTo(2);
      assertThat(inbound.get("totalSamplesReceived").getAsLong()).isGreaterThan(48_000 * 2);
      // every frame decodes: concealment only while the jitter buffer warms up or the shared
      // machine delays a packet (seen: 0.3 % to 2.8 %)
      assertThat(inbound.get("concealedSamples").getAsLong()).as("concealed samples")
          .isLessThan(inbound.get("totalSamplesReceived").getAsLong() / 10);
      JsonObject transport = sfu.stats("transport");
      assertThat(transport.get("dtlsState").getAsString()).isEqualTo("connected");
      assertThat(transport.get("iceRole").getAsString()).isEqualTo("controlling");
      // the join JSON's setup is ours (RFC 5763 §5): Chromium takes the other DTLS role
      String ourSetup = com.google.gson.JsonParser.parseString(join).getAsJsonObject()
          .getAsJsonArray("fingerprints").get(0).getAsJsonObject().get("setup").getAsString();
      assertThat(transport.get("dtlsRole").getAsString()).as("chromium's DTLS role")
          .isEqualTo(ourSetup.equals("active") ? "server" : "client");
      assertThat(transport.get("tlsVersion").getAsString()).as("DTLS 1.2").isEqualTo("FEFD");
      assertThat(transport.get("srtpCipher").getAsString()).isNotEmpty();

      GroupCall call = calls.groupCall(7);
      assertThat(call.stats().rtcpPacketsReceived()).as("chromium's RTCP reached us").isPositive();
      call.stop();
    }
  }

  @Test
  void weHearWhatChromiumSendsAsAParticipant() throws Exception {
    Path tone = Media.tone(dir, "tone.ogg", 440, 15);
    PrivateCallIT.PcmRecorder heard = new PrivateCallIT.PcmRecorder();
    java.util.Set<Integer> ssrcs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (ChromiumSfu sfu = ChromiumSfu.start(dir);
        TgCalls calls = TgCalls.builder().requireFfmpeg(false)
            .networkOptions(NetworkOptions.loopbackOnly())
            .incomingAudioListener((call, frame) -> {
              ssrcs.add(frame.ssrc());
              heard.add(frame);
            })
            .connectTimeout(Duration.ofSeconds(20)).build()) {
      String join = calls.createCall(8);
      String answer = sfu.offerAsAnswerJson(660);
      sfu.acceptJoin(join);
      calls.setStreamSources(8, MediaSource.file(tone));
      calls.connect(8, answer);
      Awaitility.await("chromium connected").atMost(Duration.ofSeconds(20))
          .until(() -> "connected".equals(sfu.connectionState()));
      // libwebrtc's Opus, SRTP and RTP as our receive path takes them
      assertThat(Audio.dominantFrequencyHz(heard.awaitSeconds(3, 15_000), 2, 48_000))
          .isCloseTo(660.0, Offset.offset(2.0));
      assertThat(ssrcs).containsExactly((int) sfu.sendingSsrc());
      // and our audio still reaches Chromium on the same transport
      assertThat(Audio.dominantFrequencyHz(sfu.record(2), 1, 48_000)).isCloseTo(440.0, Offset.offset(2.0));
      calls.groupCall(8).stop();
    }
  }

  @Test
  void chromiumDecodesOurVp8AtTheSizeSent() throws Exception {
    Path clip = VideoCallIT.clip(dir); // 320x240 at 30 fps with a 440 Hz tone
    try (ChromiumSfu sfu = ChromiumSfu.start(dir);
        TgCalls calls = TgCalls.builder().requireFfmpeg(true)
            .networkOptions(NetworkOptions.loopbackOnly())
            .connectTimeout(Duration.ofSeconds(20)).build()) {
      GroupCall call = calls.createGroupCall(9);
      call.setSource(MediaSource.withVideo(MediaSource.file(clip))); // before the join: it declares video
      String join = call.joinJson();
      String answer = sfu.offerAsAnswerJson(0, true);
      sfu.acceptJoin(join);
      call.connect(answer);
      Awaitility.await("chromium connected").atMost(Duration.ofSeconds(20))
          .until(() -> "connected".equals(sfu.connectionState()));
      Awaitility.await("frames decoded by libwebrtc").atMost(Duration.ofSeconds(15))
          .until(() -> {
            JsonObject v = sfu.stats("inbound-rtp", "video");
            return v != null && v.has("framesDecoded") && v.get("framesDecoded").getAsLong() >= 60;
          });
      JsonObject video = sfu.stats("inbound-rtp", "video");
      System.out.println("chromium video: " + video);
      assertThat(video.get("frameWidth").getAsInt()).isEqualTo(320);
      assertThat(video.get("frameHeight").getAsInt()).isEqualTo(240);
      assertThat(video.get("ssrc").getAsLong()).as("the join's video SSRC")
          .isEqualTo((calls.audioSsrc(9) + 1L) & 0xFFFF_FFFFL);
      assertThat(video.get("keyFramesDecoded").getAsLong()).isPositive();
      assertThat(Audio.dominantFrequencyHz(sfu.record(1), 1, 48_000)).as("audio beside it")
          .isCloseTo(440.0, Offset.offset(2.0));
      call.stop();
    }
  }

  @Test
  void withFivePercentLossChromiumGetsOurRetransmissions() throws Exception {
    Path clip = VideoCallIT.clip(dir);
    try (ChromiumSfu sfu = ChromiumSfu.start(dir);
        TgCalls calls = TgCalls.builder().requireFfmpeg(true)
            .networkOptions(NetworkOptions.loopbackOnly())
            .connectTimeout(Duration.ofSeconds(20)).build()) {
      GroupCall call = calls.createGroupCall(10);
      call.setSource(MediaSource.withVideo(MediaSource.file(clip)));
      String join = call.joinJson();
      String answer = sfu.offerAsAnswerJson(0, true);
      sfu.acceptJoin(join);
      try (ImpairedUdpRelay relay = ImpairedUdpRelay.forAnswer(answer, 20261201L, 0.05, 0, 0)) {
        call.connect(relay.rewriteAnswer(answer)); // every datagram both ways crosses 5 % loss
        Awaitility.await("frames decoded through the loss").atMost(Duration.ofSeconds(20))
            .until(() -> {
              JsonObject v = sfu.stats("inbound-rtp", "video");
              return v != null && v.has("framesDecoded") && v.get("framesDecoded").getAsLong() >= 90;
            });
        JsonObject video = sfu.stats("inbound-rtp", "video");
        System.out.println("chromium video through 5 % loss: " + video);
        assertThat(relay.mediaDroppedToSfu.get()).as("media the relay dropped").isPositive();
        assertThat(video.get("nackCount").getAsLong()).as("NACKs Chromium sent").isPositive();
        assertThat(video.get("retransmittedPacketsReceived").getAsLong())
            .as("RTX packets Chromium received").isPositive();
        // our side saw those NACKs and answered them on the RTX SSRC
        assertThat(call.videoStats().nacksReceived()).isPositive();
        assertThat(call.videoStats().rtxPacketsSent())
            .isGreaterThanOrEqualTo(video.get("retransmittedPacketsReceived").getAsLong());
        call.stop();
      }
    }
  }
}
