package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.cli.Main;
import org.tgcalls4j.testsfu.Audio;

/** aiortc (an independent Python WebRTC stack) plays the SFU. */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AiortcInteropIT {
  @TempDir Path dir;

  @BeforeAll
  static void requireAiortc() {
    assumeThat(AiortcSfu.available()).as("Debian python3-aiortc installed").isTrue();
  }

  @Test
  void aiortcReceives440HzOnTheAnnouncedSsrc() throws Exception {
    Path tone = Media.tone(dir, "tone.ogg", 440, 3);
    BlockingQueue<Object> ends = new ArrayBlockingQueue<>(4);
    try (AiortcSfu sfu = AiortcSfu.start(dir, 4);
        TgCalls calls = TgCalls.builder().requireFfmpeg(false)
            .networkOptions(NetworkOptions.loopbackOnly())
            .connectTimeout(Duration.ofSeconds(20))
            .streamListener((chat, error) -> ends.add(error == null ? "ok" : error))
            .build()) {
      String join = calls.createCall(7);
      Files.writeString(sfu.joinFile(), join);
      calls.setStreamSources(7, MediaSource.file(tone));
      calls.connect(7, sfu.awaitAnswer(20_000));
      assertThat(ends.poll(20, TimeUnit.SECONDS)).isEqualTo("ok");
      long sent = calls.stats(7).packetsSent();
      int ssrc = calls.audioSsrc(7);
      // aiortc's receiver reports come back as SRTCP; after stop the call keeps its final counters
      org.tgcalls4j.GroupCall call = calls.groupCall(7);
      org.tgcalls4j.CallStats beforeStop = call.stats();
      assertThat(beforeStop.rtcpPacketsReceived()).as("aiortc RTCP received").isPositive();
      call.stop();
      assertThat(call.stats().rtcpPacketsReceived()).as("RTCP received, after stop")
          .isBetween(beforeStop.rtcpPacketsReceived(), beforeStop.rtcpPacketsReceived() + 1);

      JsonObject stats = sfu.awaitStats(30);
      assertThat(stats.get("connected").getAsBoolean()).isTrue();
      assertThat(stats.getAsJsonArray("ssrcs").get(0).getAsLong()).isEqualTo(ssrc & 0xffffffffL);
      assertThat(stats.get("packetsReceived").getAsLong()).isGreaterThanOrEqualTo(sent * 95 / 100);
      Wav wav = sfu.recording();
      assertThat(Audio.dominantFrequencyHz(wav.samples(), wav.channels(), wav.sampleRateHz()))
          .isCloseTo(440.0, Offset.offset(2.0));
    }
  }

  @Test
  void playCommandDrivenThroughTwoFilesDelivers440Hz() throws Exception {
    Path tone = Media.tone(dir, "tone.wav", 440, 3);
    try (AiortcSfu sfu = AiortcSfu.start(dir, 4)) {
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> Main.runCommand(
          new org.tgcalls4j.cli.PlayCommand(java.io.InputStream.nullInputStream(), System.out),
          tone.toString(), "--join-out", sfu.joinFile().toString(),
          "--answer-in", sfu.answerFile().toString(), "--loopback", "--seconds", "10"));
      JsonObject stats = sfu.awaitStats(60);
      assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();

      int announced = JsonParser.parseString(Files.readString(sfu.joinFile()))
          .getAsJsonObject().get("ssrc").getAsInt();
      assertThat(stats.get("connected").getAsBoolean()).isTrue();
      assertThat(stats.getAsJsonArray("ssrcs").get(0).getAsLong()).isEqualTo(announced & 0xffffffffL);
      Wav wav = sfu.recording();
      assertThat(Audio.dominantFrequencyHz(wav.samples(), wav.channels(), wav.sampleRateHz()))
          .isCloseTo(440.0, Offset.offset(2.0));
    }
  }
}
