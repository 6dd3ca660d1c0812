package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-track stream end stays compatible with listeners written for one end per source. */
class StreamListenerTest {
  @Test
  void anOldListenerHearsTheAudioTrackOnceAndNeverTheVideo() throws Exception {
    try (TgCalls calls = TgCalls.builder().requireFfmpeg(false)
        .networkOptions(NetworkOptions.loopbackOnly()).build()) {
      GroupCall call = calls.createGroupCall(5);
      List<String> heard = new ArrayList<>();
      StreamListener old = (chatId, error) -> heard.add(chatId + " " + error);
      TgCallsException crash = new FfmpegCrashedException(137, "Killed");

      old.onStreamEnd(call, StreamType.VIDEO, StreamDevice.CAMERA, crash);
      old.onStreamEnd(call, StreamType.AUDIO, StreamDevice.MICROPHONE, crash);
      old.onUpgrade(call, new MediaState(false, false, true)); // a no-op by default

      assertThat(heard).containsExactly("5 " + crash);
    }
  }

  @Test
  void aPresentationsVideoIsTheScreenAndAGroupCallsTheCamera() {
    assertThat(StreamDevice.of(CallKind.PRESENTATION, StreamType.VIDEO)).isEqualTo(StreamDevice.SCREEN);
    assertThat(StreamDevice.of(CallKind.GROUP_CALL, StreamType.VIDEO)).isEqualTo(StreamDevice.CAMERA);
    assertThat(StreamDevice.of(CallKind.PRESENTATION, StreamType.AUDIO))
        .isEqualTo(StreamDevice.MICROPHONE);
    assertThat(StreamDevice.of(CallKind.PRIVATE_CALL, StreamType.AUDIO))
        .isEqualTo(StreamDevice.MICROPHONE);
  }

  @Test
  void timeoutIsTerminalLikeFailedAndClosed() {
    assertThat(ConnectionState.TIMEOUT.isTerminal()).isTrue();
    assertThat(ConnectionState.FAILED.isTerminal()).isTrue();
    assertThat(ConnectionState.CLOSED.isTerminal()).isTrue();
    assertThat(ConnectionState.CONNECTING.isTerminal()).isFalse();
    assertThat(ConnectionState.CONNECTED.isTerminal()).isFalse();
    assertThat(ConnectionState.DISCONNECTED.isTerminal()).isFalse();
  }
}
