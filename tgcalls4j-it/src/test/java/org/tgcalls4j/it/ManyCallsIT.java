package org.tgcalls4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;
import org.tgcalls4j.testsfu.Audio;
import org.tgcalls4j.testsfu.Recording;
import org.tgcalls4j.testsfu.TestSfu;

/**
 * Issue 8's end-to-end scale check: {@value #CALLS} group calls from one {@link TgCalls} client at
 * once, each streaming its own pre-generated Ogg/Opus tone ({@code 300 + 10·i} Hz, read directly,
 * no ffmpeg at run time), joined {@value #AT_ONCE} at a time.
 *
 * <p>Receivers are independent of tgcalls4j: the shared pion sink ({@code ../shared/peers/pion},
 * pion/webrtc v3, one process serving many calls) takes most calls, and every
 * {@value #TONE_SAMPLE_EVERY}th call goes to its own {@link TestSfu} (ice4j, Bouncy Castle,
 * jitsi-srtp, Concentus) instead, because the sink keeps no payloads and so cannot say which tone
 * it heard. Per call: packets only on the SSRC its join declared, no SRTP authentication failure,
 * no sequence gap, at least 98 % of the file's packets; and for the TestSfu calls the decoded
 * audio's dominant frequency within 2 Hz of its own tone. Then every call stops, the client
 * closes, and no thread, child process ({@link LeakCheck}) or bound socket is left.
 */
@Tag("slow")
@ExtendWith(LeakCheck.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ManyCallsIT {
  private static final int CALLS = 200;
  private static final int AT_ONCE = 16;
  /** Calls 0, 25, 50 ... go to a TestSfu, which decodes what it receives. */
  private static final int TONE_SAMPLE_EVERY = 25;
  private static final int SECONDS = 8;
  private static final int ENCODERS = 4;
  private static final double MIN_DELIVERED = 0.98;

  @TempDir Path dir;
  private TgCalls client;
  private PionSink sink;
  private final List<TestSfu> sfus = new ArrayList<>();

  /** One call's outcome; the receiver's fields are filled after the streams ended. */
  private static final class Leg {
    final int index;
    final int hz;
    final Path file;
    GroupCall call;
    int declaredSsrc;
    int sinkIndex = -1; // its number in the pion sink, or -1
    TestSfu sfu; // or its test SFU
    double connectMillis = -1;
    String error;
    CallStats stats;

    Leg(int index, Path file) {
      this.index = index;
      this.hz = frequency(index);
      this.file = file;
    }

    long chatId() {
      return index + 1;
    }

    String receiver() {
      return sfu != null ? "testsfu" : "pion #" + sinkIndex;
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      client.close();
    }
    for (TestSfu sfu : sfus) {
      sfu.close();
    }
    if (sink != null) {
      sink.close(); // a child process: LeakCheck runs after this
    }
  }

  private static int frequency(int index) {
    return 300 + 10 * index;
  }

  @Test
  void twoHundredCallsFromOneClientEachReachItsReceiverWhole() throws Exception {
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE, r -> {
      Thread t = new Thread(r, "manycalls-worker");
      t.setDaemon(true);
      return t;
    });
    try {
      // the sink's build (when needed) and the encoders run side by side
      Future<Path> sinkBinary = pool.submit(PionSink::binary);
      List<Future<?>> encoded = new ArrayList<>();
      for (int k = 0; k < ENCODERS; k++) {
        int first = k * CALLS / ENCODERS;
        int end = (k + 1) * CALLS / ENCODERS;
        encoded.add(pool.submit(() -> {
          encodeTones(first, end);
          return null;
        }));
      }
      for (Future<?> f : encoded) {
        f.get(2, TimeUnit.MINUTES);
      }
      List<Leg> legs = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        legs.add(new Leg(i, toneFile(i)));
      }
      int[] due = new int[CALLS];
      for (Leg leg : legs) {
        due[leg.index] = opusPackets(leg.file);
      }
      // in target/, not the temporary directory: kept for a look after a failure
      Path sinkLog = Path.of("target/ManyCallsIT-sink.log").toAbsolutePath();
      sink = PionSink.start(sinkBinary.get(5, TimeUnit.MINUTES), sinkLog);
      long prepared = System.nanoTime();
      System.out.printf(Locale.ROOT, "manycalls: %d tones encoded (%d..%d packets each), sink up, in %d ms%n",
          CALLS, Arrays.stream(due).min().orElse(0), Arrays.stream(due).max().orElse(0),
          TimeUnit.NANOSECONDS.toMillis(prepared - t0));

      List<String> boundBefore = Sockets.boundInet();
      Map<Long, TgCallsException> streamErrors = new ConcurrentHashMap<>();
      Map<Long, String> lost = new ConcurrentHashMap<>();
      Set<Long> connected = ConcurrentHashMap.newKeySet();
      CountDownLatch ended = new CountDownLatch(CALLS);
      client = TgCalls.builder()
          .networkOptions(NetworkOptions.loopbackOnly())
          .requireFfmpeg(false)
          .connectTimeout(Duration.ofSeconds(20))
          .connectionListener((chat, state, cause) -> {
            if (state == ConnectionState.CONNECTED) {
              connected.add(chat);
            } else if (state == ConnectionState.FAILED || state == ConnectionState.DISCONNECTED) {
              lost.merge(chat, state + (cause == null ? "" : " " + cause), (a, b) -> a + "; " + b);
            }
          })
          .streamListener((chat, error) -> {
            if (error != null) {
              streamErrors.put(chat, error);
            }
            ended.countDown();
          })
          .build();

      // join and connect, AT_ONCE at a time; the sink's joins one by one, as it numbers its calls
      // in the order it answers them
      long sinkFromMillis = JsonParser.parseString(sink.get("/mark")).getAsJsonObject()
          .get("now_ms").getAsLong();
      Object sinkJoins = new Object();
      int[] nextSinkIndex = {0};
      List<Future<?>> joins = new ArrayList<>();
      for (Leg leg : legs) {
        joins.add(pool.submit(() -> {
          join(leg, sinkJoins, nextSinkIndex);
          return null;
        }));
      }
      for (Future<?> f : joins) {
        f.get(2, TimeUnit.MINUTES);
      }
      long joined = System.nanoTime();
      double[] connects = legs.stream().filter(l -> l.error == null)
          .mapToDouble(l -> l.connectMillis).sorted().toArray();
      System.out.printf(Locale.ROOT, "manycalls: %d/%d connected in %d ms; connect ms p50 %.0f, p95 %.0f,"
              + " max %.0f%n", connects.length, CALLS, TimeUnit.NANOSECONDS.toMillis(joined - prepared),
          percentile(connects, 50), percentile(connects, 95), percentile(connects, 100));

      // each source ends after its file; the last joined ends SECONDS after its connect
      boolean allEnded = ended.await(SECONDS + 60, TimeUnit.SECONDS);
      long streamed = System.nanoTime();
      Thread.sleep(500); // the last packets in flight
      for (Leg leg : legs) {
        if (leg.call != null) {
          try {
            leg.stats = leg.call.stats();
          } catch (TgCallsException e) {
            leg.error = leg.error == null ? "stats: " + e : leg.error;
          }
        }
      }

      // what the receivers saw
      List<String> failures = new ArrayList<>();
      if (!allEnded) {
        failures.add(ended.getCount() + " sources did not end within " + (SECONDS + 60) + " s");
      }
      streamErrors.forEach((chat, e) -> failures.add("chat " + chat + ": the source ended with " + e));
      lost.forEach((chat, what) -> failures.add("chat " + chat + ": " + what));
      JsonObject sinkStats = sink.stats(sinkFromMillis);
      List<String> sinkLines = sink.logLines();
      long authFailures = sinkLines.stream().filter(l -> l.contains("failed to verify auth tag")).count();
      List<String> srtpDrops = sinkLines.stream().filter(l -> l.startsWith("srtp ")).collect(Collectors.toList());
      List<String> undeclared = sinkLines.stream().filter(l -> l.contains("Incoming unhandled RTP ssrc"))
          .collect(Collectors.toList());
      if (authFailures > 0 || !srtpDrops.isEmpty()) {
        failures.add("the sink's SRTP dropped " + srtpDrops.size() + " packets (" + authFailures
            + " failed authentication): " + first(srtpDrops, 5));
      }
      if (!undeclared.isEmpty()) {
        failures.add("the sink got RTP on undeclared SSRCs: " + first(undeclared, 5));
      }
      if (sinkStats.get("wrong_ssrc_packets").getAsLong() != 0 || sinkStats.get("join_errors").getAsLong() != 0) {
        failures.add("the sink's stats: " + sinkStats);
      }

      long received = 0;
      long sent = 0;
      double worstShare = 1;
      int toneChecked = 0;
      for (Leg leg : legs) {
        String who = String.format(Locale.ROOT, "call %d (%d Hz, ssrc %d, %s)", leg.index, leg.hz,
            leg.declaredSsrc & 0xFFFFFFFFL, leg.receiver());
        if (leg.error != null) {
          failures.add(who + ": " + leg.error);
          continue;
        }
        sent += leg.stats == null ? 0 : leg.stats.packetsSent();
        int packets;
        if (leg.sfu != null) {
          Recording rec = leg.sfu.recording();
          packets = (int) (long) rec.packetsBySsrc().getOrDefault(leg.declaredSsrc, 0L);
          double hz = Audio.dominantFrequencyHz(rec.pcm48kStereo(), 2, 48_000);
          toneChecked++;
          if (rec.audioSsrcDeclared() != leg.declaredSsrc || !Set.of(leg.declaredSsrc).containsAll(
              rec.packetsBySsrc().keySet()) || rec.packetsDroppedUndeclaredSsrc() != 0) {
            failures.add(who + ": SSRCs " + rec.packetsBySsrc() + ", " + rec.packetsDroppedUndeclaredSsrc()
                + " dropped as undeclared");
          }
          if (rec.srtpFailures() != 0) {
            failures.add(who + ": " + rec.srtpFailures() + " SRTP failures");
          }
          if (rec.lostPackets() != 0) {
            failures.add(who + ": " + rec.lostPackets() + " packets missing from the sequence");
          }
          if (Math.abs(hz - leg.hz) > 2) {
            failures.add(String.format(Locale.ROOT, "%s: heard %.1f Hz", who, hz));
          }
        } else {
          List<PionSink.Packet> dump = sink.dump(leg.sinkIndex);
          packets = dump.size();
          Set<Long> seqs = new HashSet<>();
          long min = Long.MAX_VALUE;
          long max = Long.MIN_VALUE;
          for (PionSink.Packet p : dump) {
            seqs.add(p.sequence());
            min = Math.min(min, p.sequence());
            max = Math.max(max, p.sequence());
          }
          long gaps = dump.isEmpty() ? 0 : max - min + 1 - seqs.size();
          if (gaps != 0 || seqs.size() != dump.size()) {
            failures.add(who + ": " + gaps + " sequence gaps, " + (dump.size() - seqs.size())
                + " duplicates in " + dump.size() + " packets");
          }
        }
        received += packets;
        double share = (double) packets / due[leg.index];
        worstShare = Math.min(worstShare, share);
        if (share < MIN_DELIVERED) {
          failures.add(String.format(Locale.ROOT, "%s: %d of %d packets (%.1f %%), %s sent", who, packets,
              due[leg.index], 100 * share, leg.stats == null ? "?" : leg.stats.packetsSent()));
        }
      }
      long dueTotal = Arrays.stream(due).asLongStream().sum();
      for (String noise : List.of("expected_grid", "window_s", "sink_heap_mb")) {
        sinkStats.remove(noise);
      }
      System.out.printf(Locale.ROOT, "manycalls: streams ended %d ms after the last connect; received %d of %d"
              + " due (%.2f %%, worst call %.1f %%), %d sent; tone checked on %d calls; pacing lateness"
              + " ms %s (median p50/worst p99/worst max); sink: %s%n",
          TimeUnit.NANOSECONDS.toMillis(streamed - joined), received, dueTotal, 100.0 * received / dueTotal,
          100 * worstShare, sent, toneChecked, pacing(legs), sinkStats);
      if (!failures.isEmpty()) {
        System.out.printf("manycalls: the sink's log is %s%n", sinkLog);
      }

      // all calls stop; nothing may be left
      for (Leg leg : legs) {
        if (leg.call != null) {
          leg.call.stop();
        }
      }
      await("calls the client lists").atMost(Duration.ofSeconds(10))
          .until(() -> client.calls().isEmpty());
      client.close();
      for (TestSfu sfu : sfus) {
        sfu.close();
      }
      sink.close();
      System.out.printf(Locale.ROOT, "manycalls: %d calls in %d ms%n", CALLS,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      assertThat(failures).as("what went wrong").isEmpty();
      assertThat(connected).as("calls that connected").hasSize(CALLS);
      // every socket of ours is bound from creation to close, so a leaked one is listed here
      await("bound sockets back to the start").atMost(Duration.ofSeconds(10)).untilAsserted(
          () -> assertThat(Sockets.boundInet()).as("bound sockets, %s before", boundBefore)
              .hasSizeLessThanOrEqualTo(boundBefore.size()));
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private void join(Leg leg, Object sinkJoins, int[] nextSinkIndex) {
    try {
      leg.call = client.createGroupCall(leg.chatId());
      leg.call.setSource(MediaSource.file(leg.file));
      String joinJson = leg.call.joinJson();
      leg.declaredSsrc = leg.call.audioSsrc();
      int inJoin = (int) JsonParser.parseString(joinJson).getAsJsonObject().get("ssrc").getAsLong();
      if (inJoin != leg.declaredSsrc) {
        leg.error = "the join declares ssrc " + inJoin + ", audioSsrc() says " + leg.declaredSsrc;
        return;
      }
      String answer;
      if (leg.index % TONE_SAMPLE_EVERY == 0) {
        TestSfu sfu = TestSfu.start(TestSfu.Options.defaults());
        synchronized (sfus) {
          sfus.add(sfu);
        }
        leg.sfu = sfu;
        answer = sfu.answer(joinJson);
      } else {
        synchronized (sinkJoins) {
          answer = sink.join(joinJson);
          leg.sinkIndex = nextSinkIndex[0]++;
        }
      }
      long start = System.nanoTime();
      leg.call.connect(answer);
      leg.connectMillis = (System.nanoTime() - start) / 1e6;
    } catch (Exception e) {
      leg.error = "join: " + e;
    }
  }

  private Path toneFile(int index) {
    return dir.resolve("tone-" + index + ".ogg");
  }

  /** Encodes tones [first, end) in one ffmpeg run: mono Opus, 20 ms packets, one per Ogg page. */
  private void encodeTones(int first, int end) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error",
        "-nostdin", "-y"));
    for (int i = first; i < end; i++) {
      cmd.addAll(List.of("-f", "lavfi", "-i",
          "sine=frequency=" + frequency(i) + ":sample_rate=48000:duration=" + SECONDS));
    }
    for (int i = first; i < end; i++) {
      cmd.addAll(List.of("-map", String.valueOf(i - first), "-c:a", "libopus", "-b:a", "32k",
          "-frame_duration", "20", "-page_duration", "20000", "-compression_level", "0",
          toneFile(i).toString()));
    }
    TestMedia.run(cmd);
  }

  /** @return the Opus packets of an Ogg/Opus file, its two header packets not counted */
  static int opusPackets(Path ogg) throws IOException {
    byte[] b = Files.readAllBytes(ogg);
    int packets = 0;
    int at = 0;
    while (at + 27 <= b.length) {
      if (b[at] != 'O' || b[at + 1] != 'g' || b[at + 2] != 'g' || b[at + 3] != 'S') {
        throw new IOException(ogg + ": no Ogg page at " + at);
      }
      int segments = b[at + 26] & 0xFF;
      int body = 0;
      for (int s = 0; s < segments; s++) {
        int lacing = b[at + 27 + s] & 0xFF;
        body += lacing;
        if (lacing < 255) {
          packets++;
        }
      }
      at += 27 + segments + body;
    }
    return packets - 2;
  }

  private static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.max(0, (int) Math.ceil(p / 100 * sorted.length) - 1)];
  }

  /** "p50/p99/max" in ms over the calls: the median p50, the worst p99 and the worst max. */
  private static String pacing(List<Leg> legs) {
    List<Long> p50s = new ArrayList<>();
    long p99 = 0;
    long max = 0;
    for (Leg leg : legs) {
      if (leg.stats == null || leg.stats.pacing().framesPaced() == 0) {
        continue;
      }
      p50s.add(leg.stats.pacing().latenessP50Micros());
      p99 = Math.max(p99, leg.stats.pacing().latenessP99Micros());
      max = Math.max(max, leg.stats.pacing().latenessMaxMicros());
    }
    if (p50s.isEmpty()) {
      return "n/a";
    }
    p50s.sort(null);
    return String.format(Locale.ROOT, "%.2f/%.2f/%.1f", p50s.get(p50s.size() / 2) / 1000.0, p99 / 1000.0,
        max / 1000.0);
  }

  private static String first(List<String> lines, int n) {
    return lines.stream().limit(n).collect(Collectors.joining(" | "));
  }
}
