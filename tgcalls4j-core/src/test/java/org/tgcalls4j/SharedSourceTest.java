package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link TgCalls#share} without a network: what it refuses, and who closes a station. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SharedSourceTest {
  @TempDir Path dir;
  private TgCalls calls;

  @AfterEach
  void tearDown() {
    if (calls != null) {
      calls.close();
    }
  }

  private TgCalls client() throws Exception {
    calls = TgCalls.builder().requireFfmpeg(false).build();
    return calls;
  }

  private static long sharedThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("tgcalls4j-shared-")).count();
  }

  private static void awaitThreads(long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (sharedThreads() != expected && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(sharedThreads()).isEqualTo(expected);
  }

  @Test
  void aStationPlaysInRealTimeFromShareOnAndCloseStopsItsThread() throws Exception {
    long before = sharedThreads();
    client();
    long start = System.nanoTime();
    SharedSource station = calls.share(MediaSource.pcm(
        PcmPushSource.create(2, 1000, PcmPushSource.WhenEmpty.SILENCE)));
    assertThat(sharedThreads()).isEqualTo(before + 1);
    Thread.sleep(300);
    long position = station.positionMillis();
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000L;
    // paced in real time: not ahead of the clock (one frame of slack), not stopped
    assertThat(position).as("live without any call").isBetween(100L, elapsedMillis + 20);
    assertThat(station.callCount()).isZero();
    assertThat(station.isClosed()).isFalse();

    station.close();
    station.close();
    assertThat(station.isClosed()).isTrue();
    awaitThreads(before);
    assertThatThrownBy(() -> calls.createGroupCall(1).setSource(station))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source"));
  }

  @Test
  void closingTheClientClosesItsStations() throws Exception {
    long before = sharedThreads();
    SharedSource station = client().share(MediaSource.pcm(
        PcmPushSource.create(1, 1000, PcmPushSource.WhenEmpty.NOTHING)));
    calls.close();
    assertThat(station.isClosed()).isTrue();
    awaitThreads(before);
    assertThatThrownBy(() -> calls.share(MediaSource.file(dir.resolve("x.ogg"))))
        .isInstanceOf(ClientClosedException.class);
  }

  @Test
  void refusesWhatCannotBeShared() throws Exception {
    client();
    assertThatThrownBy(() -> calls.share(MediaSource.file(dir.resolve("missing.ogg"))))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source.path"));
    PcmPushSource pcm = PcmPushSource.create(1, 1000, PcmPushSource.WhenEmpty.SILENCE);
    SharedSource station = calls.share(MediaSource.pcm(pcm));
    assertThatThrownBy(() -> calls.share(station))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source"));
    assertThatThrownBy(() -> calls.share(MediaSource.pcm(pcm)))
        .as("a push source plays in one place").isInstanceOf(InvalidParamsException.class);
    assertThatThrownBy(() -> MediaSource.MixInput.of(station, 1.0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> calls.share(null)).isInstanceOf(NullPointerException.class);
  }
}
