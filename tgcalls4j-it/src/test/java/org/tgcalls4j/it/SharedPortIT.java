package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * Issue 8, item 5: the client's single UDP port. Calls to different SFUs share it (each SFU sees the
 * same client port and hears its own call's tone); a call whose SFU address the port already
 * serves binds a socket of its own (DTLS 1.2 cannot share a 5-tuple) and is heard too; a port that
 * is taken fails the connect with a clear error.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SharedPortIT {
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

  private static long received(TestSfu sfu, GroupCall call) {
    return sfu.recording().packetsBySsrc().getOrDefault(call.audioSsrc(), 0L);
  }

  private static int freePort() throws Exception {
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  @Test
  void callsToDifferentSfusShareThePortAndEachSfuHearsItsOwnCall() throws Exception {
    int port = freePort();
    calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .sharedUdpPort(port).build();
    TestSfu first = sfu();
    TestSfu second = sfu();
    int[] tonesHz = {440, 660};
    List<GroupCall> group = new ArrayList<>();
    for (int i = 0; i < tonesHz.length; i++) {
      GroupCall call = calls.createGroupCall(100 + i);
      call.setSource(MediaSource.file(Media.tone(dir, "tone" + i + ".ogg", tonesHz[i], SECONDS)));
      group.add(call);
    }
    group.get(0).connect(first.answer(group.get(0).joinJson()));
    group.get(1).connect(second.answer(group.get(1).joinJson()));
    assertThat(first.awaitConnected(5_000)).isTrue();
    assertThat(second.awaitConnected(5_000)).isTrue();

    InetSocketAddress seenByFirst = first.clientAddress();
    InetSocketAddress seenBySecond = second.clientAddress();
    assertThat(seenByFirst.getPort()).as("the first call's client port").isEqualTo(port);
    assertThat(seenBySecond.getPort()).as("the second call's client port").isEqualTo(port);

    // the tones last SECONDS; on a loaded machine the last packets may take a while longer
    for (int w = 0; w < 150 && (received(first, group.get(0)) < SECONDS * 50L
        || received(second, group.get(1)) < SECONDS * 50L); w++) {
      Thread.sleep(100);
    }
    for (int i = 0; i < 2; i++) {
      Recording rec = (i == 0 ? first : second).recording();
      assertThat(rec.packetsBySsrc().get(group.get(i).audioSsrc())).as("call %d packets", i)
          .isGreaterThanOrEqualTo(SECONDS * 50L - 5);
      assertThat(rec.srtpFailures()).isZero();
      assertThat(Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000)).as("call %d tone", i)
          .isCloseTo(tonesHz[i], Offset.offset(2.0));
      assertThat(group.get(i).state()).isEqualTo(ConnectionState.CONNECTED);
    }
  }

  @Test
  void aCallWhoseSfuAddressTheSharedPortAlreadyServesBindsItsOwnSocketAndIsHeard()
      throws Exception {
    int port = freePort();
    calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
        .sharedUdpPort(port).build();
    TestSfu first = sfu();
    TestSfu second = sfu();
    GroupCall a = calls.createGroupCall(200);
    GroupCall b = calls.createGroupCall(201);
    a.setSource(MediaSource.file(Media.tone(dir, "a.ogg", 440, SECONDS)));
    b.setSource(MediaSource.file(Media.tone(dir, "b.ogg", 660, SECONDS)));
    String answerA = first.answer(a.joinJson());
    String answerB = second.answer(b.joinJson());
    // b's answer also lists a's SFU address as a candidate: that 5-tuple is a's, so b must not
    // lease the port, and connects to its own SFU from a socket of its own
    String candidateOfA = firstCandidate(answerA);
    String answerBWithA = answerB.replace("\"candidates\":[", "\"candidates\":[" + candidateOfA + ",");
    assertThat(answerBWithA).isNotEqualTo(answerB);
    a.connect(answerA);
    b.connect(answerBWithA);
    assertThat(first.awaitConnected(5_000)).isTrue();
    assertThat(second.awaitConnected(5_000)).isTrue();

    assertThat(first.clientAddress().getPort()).isEqualTo(port);
    assertThat(second.clientAddress().getPort()).as("b's own socket").isNotEqualTo(port);

    for (int w = 0; w < 150 && (received(first, a) < SECONDS * 50L
        || received(second, b) < SECONDS * 50L); w++) {
      Thread.sleep(100);
    }
    assertThat(Audio.dominantFrequencyHz(first.recording().pcm48kStereo(), 2, 48_000))
        .isCloseTo(440.0, Offset.offset(2.0));
    assertThat(Audio.dominantFrequencyHz(second.recording().pcm48kStereo(), 2, 48_000))
        .isCloseTo(660.0, Offset.offset(2.0));
  }

  @Test
  void aPortThatCannotBeBoundFailsTheConnectWithTheSocketStage() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      calls = TgCalls.builder().requireFfmpeg(false).networkOptions(NetworkOptions.loopbackOnly())
          .sharedUdpPort(taken.getLocalPort()).build();
      TestSfu sfu = sfu();
      GroupCall call = calls.createGroupCall(300);
      String answer = sfu.answer(call.joinJson());
      try {
        call.connect(answer);
        throw new AssertionError("connect succeeded on a port that is taken");
      } catch (TgCallsException e) {
        assertThat(e).isInstanceOfSatisfying(TransportException.class, t -> {
          assertThat(t.stage()).isEqualTo(TransportException.Stage.SOCKET);
          assertThat(t.getMessage()).contains("cannot bind");
        });
      }
    }
  }

  /** The first candidate object of an answer JSON, as text. */
  private static String firstCandidate(String answerJson) {
    int list = answerJson.indexOf("\"candidates\":[");
    int start = answerJson.indexOf('{', list);
    int end = answerJson.indexOf('}', start);
    return answerJson.substring(start, end + 1);
  }
}
