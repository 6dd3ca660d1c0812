package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.PrivateCall;
import org.tgcalls4j.PrivateCallParams;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.Audio;

/**
 * tgcalls4j in a private call against the shared tgcalls-compatible peer
 * ({@code ../shared/peers/p2p}: aiortc media, signaling checked against tgcalls' own crypto):
 * each side must hear the other's tone for 10 s.
 */
@ExtendWith(LeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PrivateCallIT {
  private static final double PEER_TONE_HZ = 523.25;
  private static final int OUR_TONE_HZ = 440;
  private static final int SECONDS = 10;

  @TempDir Path dir;

  @BeforeAll
  static void requirePeer() {
    assumeThat(AiortcSfu.available()).as("Debian python3-aiortc installed").isTrue();
    assumeThat(P2pPeer.script()).as("../shared/peers/p2p/p2p_peer.py beside the checkout").isNotNull();
  }

  static Stream<Arguments> plainCalls() {
    List<Arguments> cases = new ArrayList<>();
    for (String version : List.of("8.0.0", "9.0.0")) {
      cases.add(Arguments.of("caller", version, false));
      cases.add(Arguments.of("callee", version, false));
      cases.add(Arguments.of("callee", version, true)); // the peer calls, offering as older apps did
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "tgcalls4j as {0}, {1}, peer offers after setup: {2}")
  @MethodSource("plainCalls")
  void bothSidesHearEachOther(String ourRole, String version, boolean offerAfterSetup)
      throws Exception {
    call(ourRole, version, offerAfterSetup, 0.0, 11);
  }

  @ParameterizedTest(name = "tgcalls4j as {0}, 20 % of blobs lost, the rest reordered")
  @MethodSource("roles")
  @Tag("slow")
  void signalingSurvivesLossAndReordering(String ourRole) throws Exception {
    call(ourRole, "8.0.0", false, 0.2, 12);
  }

  static Stream<String> roles() {
    return Stream.of("caller", "callee");
  }

  private void call(String ourRole, String version, boolean offerAfterSetup, double loss, long seed)
      throws Exception {
    byte[] key = new byte[256];
    new SecureRandom().nextBytes(key);
    Path keyFile = dir.resolve("key.hex");
    Files.writeString(keyFile, HexFormat.of().formatHex(key));
    Path tone = Media.tone(dir, "tone.ogg", OUR_TONE_HZ, SECONDS + 8);
    String peerRole = ourRole.equals("caller") ? "callee" : "caller";
    List<String> peerArgs = new ArrayList<>(List.of("--version", version, "--seconds",
        String.valueOf(SECONDS), "--timeout", "40", "--linger", "1"));
    if (offerAfterSetup) {
      peerArgs.add("--offer-after-setup");
    }
    PcmRecorder heard = new PcmRecorder();
    ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor();
    Random random = new Random(seed);
    try (TgCalls calls = TgCalls.builder().requireFfmpeg(false)
            .networkOptions(NetworkOptions.loopbackOnly())
            .privateCallTimeout(Duration.ofSeconds(40))
            .incomingAudioListener((c, frame) -> heard.add(frame))
            .build()) {
      // the peer may send before our call exists (a callee's InitialSetup): hold blobs until then
      Inbox ours = new Inbox();
      Impairment inbound = new Impairment(loss, random, delays);
      Impairment outbound = new Impairment(loss, random, delays);
      Consumer<byte[]> toUs = blob -> inbound.apply(() -> ours.deliver(blob));
      try (P2pPeer peer = P2pPeer.start(dir.resolve("peer"), peerRole, keyFile, peerArgs, toUs)) {
        PrivateCall call = calls.createPrivateCall(77,
            (c, blob) -> outbound.apply(() -> peer.send(blob)));
        ours.open(call);
        call.setSource(MediaSource.file(tone));
        call.connect(PrivateCallParams.of(key, ourRole.equals("caller"), List.of(version)));
        assertThat(call.state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(call.libraryVersion()).isEqualTo(version);

        JsonObject report = peer.awaitReport(60_000);
        assertThat(report.get("connected").getAsBoolean()).as("peer connected: %s", report).isTrue();
        assertThat(report.get("dominant_hz").getAsDouble()).as("what the peer heard")
            .isCloseTo(OUR_TONE_HZ, Offset.offset(2.0));
        assertThat(report.get("seconds").getAsDouble()).as("seconds the peer heard")
            .isGreaterThanOrEqualTo(SECONDS - 0.5);
        assertThat(report.get("remote_ssrc").getAsLong()).as("the SSRC the peer heard us on")
            .isEqualTo(call.audioSsrc() & 0xffffffffL);

        short[] pcm = heard.awaitSeconds(SECONDS, 20_000);
        assertThat(Audio.dominantFrequencyHz(pcm, 2, 48_000)).as("what tgcalls4j heard")
            .isCloseTo(PEER_TONE_HZ, Offset.offset(2.0));
        assertThat(heard.ssrcs()).as("the peer's SSRC")
            .containsExactly((int) report.get("local_ssrc").getAsLong());
        assertThat(call.stats().incoming()).singleElement()
            .satisfies(s -> assertThat(s.packets()).isGreaterThan(SECONDS * 15L));
        if (loss > 0) { // the impairment really happened, both ways
          for (Impairment way : List.of(inbound, outbound)) {
            assertThat(way.dropped()).as("blobs dropped").isPositive();
            assertThat(way.reordered()).as("blobs delivered out of order").isPositive();
          }
        }
        call.stop();
      }
    } finally {
      delays.shutdownNow();
      delays.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * One direction of the signaling path: delivers each blob at once, or with a loss rate drops
   * that share of them and swaps neighbours, both on a fixed pattern (a call has a handful of blobs
   * per direction, so a random draw may hit none): of every {@code 1 / loss} blobs the second is
   * dropped and the third is held back until the next one has gone out (or 6 s passed); the
   * rest are delayed 0..50 ms. Counts what it dropped and what it delivered out of order.
   */
  static final class Impairment {
    private final double loss;
    private final Random random;
    private final ScheduledExecutorService delays;
    private int sent;
    private int maxDelivered = -1;
    private int dropped;
    private int reordered;
    private Runnable held;

    Impairment(double loss, Random random, ScheduledExecutorService delays) {
      this.loss = loss;
      this.random = random;
      this.delays = delays;
    }

    void apply(Runnable deliver) {
      if (loss == 0) {
        deliver.run();
        return;
      }
      int period = (int) Math.round(1 / loss);
      synchronized (this) {
        int index = sent++;
        Runnable counted = () -> {
          synchronized (this) {
            if (index < maxDelivered) {
              reordered++;
            }
            maxDelivered = Math.max(maxDelivered, index);
          }
          deliver.run();
        };
        if (index % period == 1) {
          dropped++;
          return;
        }
        if (index % period == 2) {
          held = counted;
          delays.schedule(this::releaseHeld, 6, TimeUnit.SECONDS); // past a V2 resend (3–5 s)
          return;
        }
        Runnable before = held;
        held = null;
        long delayMillis;
        synchronized (random) {
          delayMillis = random.nextInt(50);
        }
        delays.schedule(() -> {
          counted.run();
          if (before != null) {
            before.run(); // the held blob arrives after this later one
          }
        }, delayMillis, TimeUnit.MILLISECONDS);
      }
    }

    private void releaseHeld() {
      Runnable late;
      synchronized (this) {
        late = held;
        held = null;
      }
      if (late != null) {
        late.run();
      }
    }

    synchronized int dropped() {
      return dropped;
    }

    synchronized int reordered() {
      return reordered;
    }
  }

  /** Collects the PCM tgcalls4j delivers, stereo-normalised. */
  static final class PcmRecorder {
    private final List<short[]> frames = new ArrayList<>();
    private final java.util.Set<Integer> ssrcs = new java.util.LinkedHashSet<>();

    synchronized void add(org.tgcalls4j.AudioFrame frame) {
      ssrcs.add(frame.ssrc());
      if (frame.concealed()) {
        return; // only what arrived: the peer's tone stops when it ends
      }
      short[] s = frame.samples();
      if (frame.channels() == 1) {
        short[] stereo = new short[s.length * 2];
        for (int i = 0; i < s.length; i++) {
          stereo[2 * i] = s[i];
          stereo[2 * i + 1] = s[i];
        }
        s = stereo;
      }
      frames.add(s);
      notifyAll();
    }

    synchronized java.util.Set<Integer> ssrcs() {
      return new java.util.LinkedHashSet<>(ssrcs);
    }

    /** Waits for 'seconds' of received audio and returns the first 'seconds' of it, stereo. */
    synchronized short[] awaitSeconds(int seconds, long timeoutMillis) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMillis;
      int needed = seconds * 50;
      while (frames.size() < needed && System.currentTimeMillis() < deadline) {
        wait(100);
      }
      assertThat(frames.size()).as("20 ms frames heard").isGreaterThanOrEqualTo(needed);
      List<short[]> last = frames.subList(0, needed);
      short[] all = new short[last.stream().mapToInt(f -> f.length).sum()];
      int at = 0;
      for (short[] f : last) {
        System.arraycopy(f, 0, all, at, f.length);
        at += f.length;
      }
      return all;
    }
  }

  /** Blobs for our call, held in order until the call exists. */
  static final class Inbox {
    private final List<byte[]> held = new ArrayList<>();
    private PrivateCall call;

    synchronized void deliver(byte[] blob) {
      if (call == null) {
        held.add(blob);
      } else {
        call.receiveSignalingData(blob);
      }
    }

    synchronized void open(PrivateCall call) {
      this.call = call;
      held.forEach(call::receiveSignalingData);
      held.clear();
    }
  }
}
