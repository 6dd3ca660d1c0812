package org.tgcalls4j.testsfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class TestSfuTest {
  private static final int AUDIO_SSRC = 0x5D2F_A1AE;
  private static final int VIDEO_SSRC = AUDIO_SSRC + 1;
  private static final int UNDECLARED_SSRC = 0x1234_5678;

  @AfterEach
  void noLingeringThreads() throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    Set<String> mine;
    do {
      mine = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && t.getName().startsWith("testsfu"))
          .map(Thread::getName).collect(Collectors.toSet());
      if (mine.isEmpty()) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertThat(mine).as("threads left running").isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM,
      SRTPProtectionProfile.SRTP_AEAD_AES_256_GCM, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80})
  void recordsA440HzToneSentByAnIndependentClient(int srtpProfile) throws Exception {
    try (TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
        ReferenceClient client = new ReferenceClient(srtpProfile)) {
      String answer = sfu.answer(client.joinJson(AUDIO_SSRC, client.fingerprint(), VIDEO_SSRC));
      client.connect(answer);
      assertThat(sfu.awaitConnected(10_000)).isTrue();

      byte[][] frames = tone440Opus(100);
      for (int i = 0; i < frames.length; i++) {
        if (i == 50) {
          continue; // one lost packet
        }
        client.sendRtp(AUDIO_SSRC, 111, 65_500 + i, i * 960, frames[i], true);
      }
      for (int i = 0; i < 3; i++) {
        client.sendRtp(UNDECLARED_SSRC, 111, i, i * 960, frames[i], true);
        client.sendRtp(VIDEO_SSRC, 100, i, i * 3000, new byte[] {1, 2, 3}, false);
      }
      client.sendRtcp(AUDIO_SSRC, "reference-client");

      Recording recording = awaitRecording(sfu, r -> r.packetsBySsrc().getOrDefault(AUDIO_SSRC, 0L) == 99
          && r.rtcpPacketsReceived() == 1 && r.packetsBySsrc().getOrDefault(VIDEO_SSRC, 0L) == 3
          && r.packetsDroppedUndeclaredSsrc() == 3);
      assertThat(recording.audioSsrcDeclared()).isEqualTo(AUDIO_SSRC);
      assertThat(recording.packetsBySsrc()).isEqualTo(Map.of(AUDIO_SSRC, 99L, VIDEO_SSRC, 3L));
      assertThat(recording.packetsDroppedUndeclaredSsrc()).isEqualTo(3);
      assertThat(recording.srtpFailures()).isZero();
      assertThat(recording.lostPackets()).isEqualTo(1);
      assertThat(recording.payloadTypeSeen()).isEqualTo(111);
      assertThat(recording.audioLevelExtensionSeen()).isTrue();
      assertThat(recording.lastCname()).isEqualTo("reference-client");
      assertThat(recording.firstPacketNanos()).isPositive();
      assertThat(recording.jitterMillis()).isGreaterThanOrEqualTo(0);
      assertThat(recording.pcm48kStereo()).hasSize(99 * 960 * 2);
      assertThat(Audio.dominantFrequencyHz(recording.pcm48kStereo(), 2, 48000))
          .isCloseTo(440.0, org.assertj.core.data.Offset.offset(2.0));
    }
  }

  @Test
  void noOtherSocketCanShareTheSfusPort() throws Exception {
    // ice4j's default socket pool sets SO_REUSEADDR on the port: Linux may then give that port to
    // another SFU's bind(0) as well, and the SFU bound last takes every datagram sent to it
    try (TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
        ReferenceClient client = new ReferenceClient(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM)) {
      JsonObject candidate = JsonParser.parseString(
          sfu.answer(client.joinJson(AUDIO_SSRC, client.fingerprint()))).getAsJsonObject()
          .getAsJsonObject("transport").getAsJsonArray("candidates").get(0).getAsJsonObject();
      int port = candidate.get("port").getAsInt();
      java.net.DatagramSocket other = new java.net.DatagramSocket(null);
      try {
        other.setReuseAddress(true);
        assertThatThrownBy(() -> other.bind(new java.net.InetSocketAddress("127.0.0.1", port)))
            .as("binding the SFU's port %d with SO_REUSEADDR", port)
            .isInstanceOf(java.net.BindException.class);
      } finally {
        other.close();
      }
    }
  }

  @Test
  void refusesAParticipantWhoseCertificateDoesNotMatchItsJoinFingerprint() throws Exception {
    try (TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
        ReferenceClient client = new ReferenceClient(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM)) {
      String wrong = "AB:" + client.fingerprint().substring(3);
      if (wrong.equals(client.fingerprint())) {
        wrong = "CD:" + client.fingerprint().substring(3);
      }
      String answer = sfu.answer(client.joinJson(AUDIO_SSRC, wrong));
      assertThatThrownBy(() -> client.connect(answer)).isInstanceOf(java.io.IOException.class);
      assertThat(sfu.awaitConnected(5_000)).isFalse();
      Recording recording = sfu.recording();
      assertThat(recording.packetsBySsrc()).isEmpty();
      assertThat(recording.pcm48kStereo()).isEmpty();
    }
  }

  @Test
  void advertisesAWrongFingerprintWhenAskedSoAVerifyingClientRefuses() throws Exception {
    try (TestSfu sfu = TestSfu.start(new TestSfu.Options(0, true));
        ReferenceClient client = new ReferenceClient(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM)) {
      String answer = sfu.answer(client.joinJson(AUDIO_SSRC, client.fingerprint()));
      assertThatThrownBy(() -> client.connect(answer)).isInstanceOf(java.io.IOException.class);
      assertThat(sfu.awaitConnected(5_000)).isFalse();
    }
  }

  @Test
  void answersChecksWith401DuringTheRejectWindowThenConnects() throws Exception {
    try (TestSfu sfu = TestSfu.start(new TestSfu.Options(400, false));
        ReferenceClient client = new ReferenceClient(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
        java.net.DatagramSocket raw = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      JsonObject transport = JsonParser.parseString(
          sfu.answer(client.joinJson(AUDIO_SSRC, client.fingerprint()))).getAsJsonObject()
          .getAsJsonObject("transport");
      long answeredNanos = System.nanoTime();
      JsonObject candidate = transport.getAsJsonArray("candidates").get(0).getAsJsonObject();
      byte[] request = bindingRequest(transport.get("ufrag").getAsString() + ":raw1");
      raw.setSoTimeout(2_000);
      raw.send(new java.net.DatagramPacket(request, request.length,
          InetAddress.getByName("127.0.0.1"), Integer.parseInt(candidate.get("port").getAsString())));
      java.net.DatagramPacket response = new java.net.DatagramPacket(new byte[1500], 1500);
      raw.receive(response);
      byte[] r = Arrays.copyOf(response.getData(), response.getLength());
      assertThat((r[0] & 0xFF) << 8 | (r[1] & 0xFF)).as("Binding Error Response").isEqualTo(0x0111);
      assertThat(Arrays.copyOfRange(r, 8, 20)).isEqualTo(Arrays.copyOfRange(request, 8, 20));
      assertThat(errorCode(r)).isEqualTo(401);

      Thread.sleep(Math.max(0, 450 - (System.nanoTime() - answeredNanos) / 1_000_000));
      client.connect(transport.getAsJsonObject().isJsonNull() ? null : answerOf(transport));
      assertThat(sfu.awaitConnected(10_000)).isTrue();
    }
  }

  private static String answerOf(JsonObject transport) {
    JsonObject answer = new JsonObject();
    answer.add("transport", transport);
    return answer.toString();
  }

  /** A Binding Request with only a USERNAME (RFC 5389 §6, §15.3); no integrity needed to be rejected. */
  private static byte[] bindingRequest(String username) {
    byte[] name = username.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int padded = (name.length + 3) & ~3;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(20 + 4 + padded);
    b.putShort((short) 0x0001).putShort((short) (4 + padded)).putInt(0x2112A442);
    byte[] tid = new byte[12];
    new java.util.Random(7).nextBytes(tid);
    b.put(tid).putShort((short) 0x0006).putShort((short) name.length).put(name);
    return b.array();
  }

  /** ERROR-CODE attribute value (RFC 5389 §15.6), -1 if absent. */
  private static int errorCode(byte[] message) {
    int position = 20;
    while (position + 4 <= message.length) {
      int type = (message[position] & 0xFF) << 8 | (message[position + 1] & 0xFF);
      int length = (message[position + 2] & 0xFF) << 8 | (message[position + 3] & 0xFF);
      if (type == 0x0009) {
        return (message[position + 6] & 0x07) * 100 + (message[position + 7] & 0xFF);
      }
      position += 4 + ((length + 3) & ~3);
    }
    return -1;
  }

  @Test
  void answersWithStringCandidateFieldsAndActiveSetupForAPassiveJoin() throws Exception {
    try (TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
        ReferenceClient client = new ReferenceClient(SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM)) {
      JsonObject answer = JsonParser.parseString(
          sfu.answer(client.joinJson(AUDIO_SSRC, client.fingerprint()))).getAsJsonObject();
      JsonObject transport = answer.getAsJsonObject("transport");
      JsonObject candidate = transport.getAsJsonArray("candidates").get(0).getAsJsonObject();
      assertThat(candidate.keySet()).containsExactlyInAnyOrder("generation", "component",
          "protocol", "port", "ip", "foundation", "id", "priority", "type", "network");
      for (Map.Entry<String, JsonElement> field : candidate.entrySet()) {
        assertThat(field.getValue().isJsonPrimitive() && field.getValue().getAsJsonPrimitive().isString())
            .as(field.getKey()).isTrue();
      }
      assertThat(candidate.get("ip").getAsString()).isEqualTo("127.0.0.1");
      assertThat(candidate.get("type").getAsString()).isEqualTo("host");
      assertThat(transport.get("rtcp-mux").getAsBoolean()).isTrue();
      assertThat(transport.get("xmlns").getAsString()).isEqualTo("urn:xmpp:jingle:transports:ice-udp:1");
      JsonObject fingerprint = transport.getAsJsonArray("fingerprints").get(0).getAsJsonObject();
      assertThat(fingerprint.get("setup").getAsString()).isEqualTo("active");
      assertThat(fingerprint.get("hash").getAsString()).isEqualTo("sha-256");
      JsonObject opus = answer.getAsJsonObject("audio").getAsJsonArray("payload-types").get(0)
          .getAsJsonObject();
      assertThat(opus.get("id").getAsInt()).isEqualTo(111);
      assertThat(opus.getAsJsonObject("parameters").get("minptime").getAsJsonPrimitive().isNumber())
          .isTrue();
      JsonObject video = answer.getAsJsonObject("video");
      assertThat(video.get("endpoint").getAsString()).matches("[0-9a-f]{16}");
      assertThat(video.getAsJsonArray("server_sources")).hasSize(1);
      assertThat(video.toString()).contains("\"parameters\":[]");
    }
  }

  @Test
  void rejectsAJoinWithoutPwdNamingTheField() throws Exception {
    try (TestSfu sfu = TestSfu.start(TestSfu.Options.defaults())) {
      assertThatThrownBy(() -> sfu.answer("{\"ufrag\":\"abcd\",\"ssrc\":1,\"fingerprints\":[]}"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pwd");
      assertThatThrownBy(() -> sfu.answer("{\"ufrag\":\"abcd\",\"pwd\":\"x\",\"fingerprints\":"
          + "[{\"hash\":\"sha-256\",\"setup\":\"passive\",\"fingerprint\":\""
          + String.join(":", java.util.Collections.nCopies(32, "AB")) + "\"}]}"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssrc");
    }
  }

  private static Recording awaitRecording(TestSfu sfu, java.util.function.Predicate<Recording> done)
      throws InterruptedException {
    Recording recording = sfu.recording();
    for (int i = 0; i < 100 && !done.test(recording); i++) {
      Thread.sleep(50);
      recording = sfu.recording();
    }
    return recording;
  }

  /** 20 ms Opus frames of a 440 Hz stereo sine, encoded with Concentus. */
  private static byte[][] tone440Opus(int count) throws Exception {
    OpusEncoder encoder = new OpusEncoder(48000, 2, OpusApplication.OPUS_APPLICATION_AUDIO);
    encoder.setBitrate(64_000);
    byte[][] frames = new byte[count][];
    short[] pcm = new short[960 * 2];
    byte[] out = new byte[1500];
    for (int f = 0; f < count; f++) {
      for (int i = 0; i < 960; i++) {
        long n = (long) f * 960 + i;
        short s = (short) (8000 * Math.sin(2 * Math.PI * 440 * n / 48000.0));
        pcm[2 * i] = s;
        pcm[2 * i + 1] = s;
      }
      int length = encoder.encode(pcm, 0, 960, out, 0, out.length);
      frames[f] = Arrays.copyOf(out, length);
    }
    return frames;
  }
}
