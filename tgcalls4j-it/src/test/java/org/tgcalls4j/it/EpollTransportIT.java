package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * Issue 8, item 1: with {@code netty-transport-native-epoll} on the class path (this module has
 * it; the other ITs switch it off), the client's loops run on epoll and calls work as on NIO:
 * tones arrive intact at the test SFU, alone and sharing the single UDP port.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EpollTransportIT {
  private static final int SECONDS = 4;

  @TempDir Path dir;
  private final List<TestSfu> sfus = new ArrayList<>();
  private TgCalls calls;

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
    sfus.forEach(TestSfu::close);
  }

  private TestSfu sfu() throws Exception {
    TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
    sfus.add(sfu);
    return sfu;
  }

  private static List<String> epollLoops() {
    return ProcessResources.threadNames().stream()
        .filter(n -> n.startsWith("tgcalls4j-loop-epoll-")).toList();
  }

  private static long received(TestSfu sfu, GroupCall call) {
    return sfu.recording().packetsBySsrc().getOrDefault(call.audioSsrc(), 0L);
  }

  private void assertHeard(TestSfu sfu, GroupCall call, int toneHz) {
    Recording rec = sfu.recording();
    assertThat(rec.packetsBySsrc().get(call.audioSsrc())).as("packets of %d Hz", toneHz)
        .isGreaterThanOrEqualTo(SECONDS * 50L - 5);
    assertThat(rec.srtpFailures()).isZero();
    assertThat(rec.lostPackets()).isZero();
    assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000))
        .isCloseTo(toneHz, Offset.offset(2.0));
  }

  @Test
  void callsRunOnEpollLoopsAndAreHeardAloneAndOnTheSharedPort() throws Exception {
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .nativeTransport(true).eventLoopThreads(2).sharedUdpPort(port).build();

    TestSfu first = sfu();
    TestSfu second = sfu();
    GroupCall a = calls.createGroupCall(1);
    GroupCall b = calls.createGroupCall(2);
    a.setSource(MediaSource.file(Media.tone(dir, "a.ogg", 440, SECONDS)));
    b.setSource(MediaSource.file(Media.tone(dir, "b.ogg", 660, SECONDS)));
    a.connect(first.answer(a.joinJson()));
    b.connect(second.answer(b.joinJson()));
    assertThat(first.awaitConnected(5_000)).isTrue();
    assertThat(second.awaitConnected(5_000)).isTrue();
    assertThat(first.clientAddress().getPort()).isEqualTo(port);
    assertThat(second.clientAddress().getPort()).isEqualTo(port);
    // netty starts a loop's thread with its first task: the shared port's loop at least
    assertThat(epollLoops()).as("epoll loop threads").isNotEmpty();

    // the tones last SECONDS; on a loaded machine the last packets may take a while longer
    for (int i = 0; i < 150
        && (received(first, a) < SECONDS * 50L || received(second, b) < SECONDS * 50L); i++) {
      Thread.sleep(100);
    }
    assertHeard(first, a, 440);
    assertHeard(second, b, 660);
  }

  @Test
  void withoutTheSwitchTheSameClassPathStaysOnNio() throws Exception {
    calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .nativeTransport(false).build();
    TestSfu sfu = sfu();
    GroupCall call = calls.createGroupCall(3);
    call.setSource(MediaSource.file(Media.tone(dir, "c.ogg", 880, SECONDS)));
    call.connect(sfu.answer(call.joinJson()));
    assertThat(epollLoops()).isEmpty();
    assertThat(ProcessResources.threadNames()).anyMatch(n -> n.matches("tgcalls4j-loop-\\d+"));
    for (int i = 0; i < 150 && received(sfu, call) < SECONDS * 50L; i++) {
      Thread.sleep(100);
    }
    assertHeard(sfu, call, 880);
  }
}
