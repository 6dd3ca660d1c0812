package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tgcalls4j private calls against each other on 127.0.0.1, signaling passed straight across:
 * the cases the shared peer does not cover (timeouts, refused parameters, glare of two new-style
 * offers is covered by the signaling tests).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrivateCallLoopbackTest {
  @TempDir Path dir;

  private static TgCalls client(Duration timeout) throws TgCallsException {
    return TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .privateCallTimeout(timeout).build();
  }

  @Test
  void callerAndCalleeConnectAndCarryMediaBothWays() throws Exception {
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    Path tone = toneOgg(dir);
    try (TgCalls a = client(Duration.ofSeconds(20)); TgCalls b = client(Duration.ofSeconds(20))) {
      PrivateCall[] callee = new PrivateCall[1];
      PrivateCall caller = a.createPrivateCall(2, (c, blob) -> callee[0].receiveSignalingData(blob));
      callee[0] = b.createPrivateCall(1, (c, blob) -> caller.receiveSignalingData(blob));
      caller.setSource(MediaSource.file(tone));
      callee[0].setSource(MediaSource.file(tone));
      CompletableFuture<Void> x = caller.connectAsync(PrivateCallParams.of(key, true, List.of("9.0.0", "8.0.0")));
      CompletableFuture<Void> y = callee[0].connectAsync(PrivateCallParams.of(key, false, List.of("9.0.0", "8.0.0")));
      CompletableFuture.allOf(x, y).get(20, TimeUnit.SECONDS);
      assertThat(caller.state()).isEqualTo(ConnectionState.CONNECTED);
      assertThat(caller.libraryVersion()).isEqualTo("9.0.0");
      Thread.sleep(1500);
      assertThat(caller.stats().packetsReceived()).as("caller received").isGreaterThan(40);
      assertThat(callee[0].stats().packetsReceived()).as("callee received").isGreaterThan(40);
      assertThat(caller.stats().droppedIncoming()).isZero();
      caller.stop();
      assertThat(caller.state()).isEqualTo(ConnectionState.CLOSED);
    }
  }

  @Test
  void aCallWhosePeerNeverAnswersFailsAfterTheTimeoutNamingWhy() throws Exception {
    byte[] key = new byte[256];
    try (TgCalls a = client(Duration.ofSeconds(1))) {
      PrivateCall call = a.createPrivateCall(5, (c, blob) -> { });
      long start = System.nanoTime();
      assertThatThrownBy(() -> call.connect(PrivateCallParams.of(key, true, List.of("8.0.0"))))
          .isInstanceOf(NotConnectedException.class)
          .hasMessageContaining("within 1000 ms")
          .hasMessageContaining("InitialSetup never arrived");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(900L, 4000L);
      assertThat(call.state()).isEqualTo(ConnectionState.FAILED);
    }
  }

  @Test
  void unsupportedParametersAreRefusedUpFrontAndTheCallStaysUsable() throws Exception {
    byte[] key = new byte[256];
    try (TgCalls a = client(Duration.ofSeconds(5))) {
      PrivateCall call = a.createPrivateCall(5, (c, blob) -> { });
      assertThatThrownBy(() -> call.connectAsync(PrivateCallParams.of(key, true, List.of("13.0.0"))))
          .isInstanceOf(InvalidParamsException.class)
          .hasMessageContaining("13.0.0");
      assertThatThrownBy(() -> call.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0"))
          .withP2pAllowed(false)))
          .isInstanceOf(InvalidParamsException.class).hasMessageContaining("relay");
      // a TCP reflector is skipped, so it does not make a relay-only call possible
      assertThatThrownBy(() -> call.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0"))
          .withP2pAllowed(false).withServers(List.of(
              RtcServer.reflector(1, "127.0.0.1", "", 599, new byte[16], true)))))
          .isInstanceOf(InvalidParamsException.class).hasMessageContaining("no usable relay");
      assertThatThrownBy(() -> call.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0"))
          .withServers(List.of(RtcServer.reflector(7, "127.0.0.1", "", 599, new byte[15], false)))))
          .isInstanceOf(InvalidParamsException.class)
          .hasFieldOrPropertyWithValue("field", "connections[id=7].peer_tag")
          .hasMessageContaining("16 bytes");
      assertThatThrownBy(() -> call.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0"))
          .withCustomParameters("{\"network_use_mtproto\":true}")))
          .isInstanceOf(InvalidParamsException.class);
      assertThatThrownBy(() -> call.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0"))
          .withCustomParameters("{\"network_kcp_experiment\":true}")))
          .isInstanceOf(InvalidParamsException.class)
          .hasFieldOrPropertyWithValue("field", "custom_parameters.network_kcp_experiment");
      assertThatThrownBy(() -> call.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0"))
          .withCustomParameters("[1,2")))
          .isInstanceOf(InvalidParamsException.class)
          .hasFieldOrPropertyWithValue("field", "custom_parameters");
      assertThat(call.state()).isEqualTo(ConnectionState.CONNECTING);
      assertThatThrownBy(() -> a.createPrivateCall(5, (c, blob) -> { }))
          .isInstanceOf(ConnectionExistsException.class);
    }
  }

  @Test
  void connectFromAListenerIsRefusedBecauseItWouldStarveTheSignaling() throws Exception {
    byte[] key = new byte[256];
    java.util.concurrent.CompletableFuture<Throwable> refused = new java.util.concurrent.CompletableFuture<>();
    PrivateCall[] second = new PrivateCall[1];
    try (TgCalls a = TgCalls.builder().requireFfmpeg(false)
        .networkOptions(NetworkOptions.loopbackOnly()).privateCallTimeout(Duration.ofSeconds(2))
        .connectionListener((long chatId, ConnectionState state, TgCallsException cause) -> {
          if (chatId == 1 && state == ConnectionState.CONNECTING) {
            try {
              second[0].connect(PrivateCallParams.of(key, true, List.of("8.0.0")));
              refused.complete(null);
            } catch (Throwable e) {
              refused.complete(e);
            }
          }
        }).build()) {
      PrivateCall first = a.createPrivateCall(1, (c, blob) -> { });
      second[0] = a.createPrivateCall(2, (c, blob) -> { });
      first.connectAsync(PrivateCallParams.of(key, true, List.of("8.0.0")));
      assertThat(refused.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("connectAsync");
      assertThat(second[0].state()).isEqualTo(ConnectionState.CONNECTING); // still usable
    }
  }

  /** A 3 s 440 Hz Ogg/Opus file made by ffmpeg (the test is skipped without it). */
  static Path toneOgg(Path dir) throws Exception {
    Path out = dir.resolve("tone.ogg");
    Process p;
    try {
      p = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
          "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=3", "-ac", "2",
          "-c:a", "libopus", "-frame_duration", "20", out.toString())
          .redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "ffmpeg not installed");
      throw e;
    }
    assertThat(p.waitFor()).isZero();
    return out;
  }

  @Test
  void aVideoSourcePlaysItsAudioInAPrivateCallAndSeeksLikeAnyFile() throws Exception {
    Path clip = org.tgcalls4j.internal.rtmp.testing.TestMedia.makeSource(dir.resolve("clip.mp4"),
        "testsrc", 440, 4);
    try (TgCalls a = client(Duration.ofSeconds(5))) {
      PrivateCall call = a.createPrivateCall(6, (c, blob) -> { });
      call.setSource(MediaSource.withVideo(MediaSource.file(clip))); // private calls send its audio
      call.seek(2_000); // was refused as "a source with video", though no video plays here
      assertThat(call.positionMillis()).isEqualTo(2_000);
    }
  }
}
