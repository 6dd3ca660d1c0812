package org.tgcalls4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.IncomingStreamStats;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.PcmPushSource;
import org.tgcalls4j.PhoneCallProtocol;
import org.tgcalls4j.PrivateCall;
import org.tgcalls4j.PrivateCallParams;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.testsfu.Audio;

/**
 * {@code tgcalls4j demo --private}: a private call between two tgcalls4j clients on 127.0.0.1,
 * signaling blobs passed straight across. The caller plays a file (the built-in 440 Hz tone by
 * default); the callee pushes a 660 Hz tone as PCM, as a voice bot pushes speech.
 */
final class PrivateDemo {
  private static final int CALLEE_TONE_HZ = 660;

  private final Path ffmpeg;
  private final int seconds;

  PrivateDemo(Path ffmpeg, int seconds) {
    this.ffmpeg = ffmpeg;
    this.seconds = seconds;
  }

  int run(String source) throws Exception {
    Path builtIn = null;
    MediaSource media;
    if (source == null) {
      builtIn = DemoCommand.extractSample();
      media = MediaSource.file(builtIn);
    } else {
      media = Main.parseSource(source);
    }
    byte[] key = new byte[256]; // in a real call: from KeyExchange, over MTProto
    new SecureRandom().nextBytes(key);
    CallCommand.Heard callerHeard = new CallCommand.Heard();
    CallCommand.Heard calleeHeard = new CallCommand.Heard();
    PcmPushSource speech = PcmPushSource.create(1, 1_000, PcmPushSource.WhenEmpty.SILENCE);
    Thread speaker = new Thread(() -> pushTone(speech, seconds), "demo-speaker");
    speaker.setDaemon(true);
    try (TgCalls a = client(source != null, (c, f) -> callerHeard.add(f));
        TgCalls b = client(false, (c, f) -> calleeHeard.add(f))) {
      PrivateCall[] callee = new PrivateCall[1];
      PrivateCall caller = a.createPrivateCall(2, (c, blob) -> callee[0].receiveSignalingData(blob));
      callee[0] = b.createPrivateCall(1, (c, blob) -> caller.receiveSignalingData(blob));
      caller.setSource(media);
      callee[0].setSource(MediaSource.pcm(speech));
      speaker.start();
      long startNanos = System.nanoTime();
      CompletableFuture.allOf(
          caller.connectAsync(PrivateCallParams.of(key, true, PhoneCallProtocol.supported().libraryVersions())),
          callee[0].connectAsync(PrivateCallParams.of(key, false, PhoneCallProtocol.supported().libraryVersions())))
          .get(30, TimeUnit.SECONDS);
      System.out.printf(Locale.ROOT, "connected in %d ms (version %s)%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), caller.libraryVersion());
      Thread.sleep(seconds * 1000L);
      CallStats callerStats = caller.stats();
      CallStats calleeStats = callee[0].stats();
      caller.stop();
      callee[0].stop();
      speech.close();
      int failures = report("caller -> callee", callerStats, calleeStats, calleeHeard, 440);
      failures += report("callee -> caller", calleeStats, callerStats, callerHeard, CALLEE_TONE_HZ);
      return failures == 0 ? 0 : 1;
    } finally {
      speaker.interrupt();
      if (builtIn != null) {
        Files.deleteIfExists(builtIn);
      }
    }
  }

  private TgCalls client(boolean needsFfmpeg, org.tgcalls4j.IncomingAudioListener listener)
      throws Exception {
    return TgCalls.builder().ffmpegPath(ffmpeg).requireFfmpeg(needsFfmpeg)
        .networkOptions(NetworkOptions.loopbackOnly()).incomingAudioListener(listener).build();
  }

  /** Pushes a tone in 20 ms pieces at real time (a TTS engine would push faster, in bursts). */
  private static void pushTone(PcmPushSource out, int seconds) {
    short[] frame = new short[960];
    long n = 0;
    try {
      for (int i = 0; i < (seconds + 10) * 50 && !out.isClosed(); i++) {
        for (int j = 0; j < frame.length; j++, n++) {
          frame[j] = (short) (8000 * Math.sin(2 * Math.PI * CALLEE_TONE_HZ * n / 48_000.0));
        }
        out.put(frame, 0, frame.length);
      }
    } catch (InterruptedException | IllegalStateException e) {
      // the demo ended
    }
  }

  private static int report(String direction, CallStats sender, CallStats receiver,
      CallCommand.Heard heard, int expectedHz) {
    long received = receiver.incoming().stream().mapToLong(IncomingStreamStats::packets).sum();
    long lost = receiver.incoming().stream().mapToLong(IncomingStreamStats::lost).sum();
    short[] pcm = heard.pcm();
    double hz = pcm.length < 48_000 ? 0 : Audio.dominantFrequencyHz(pcm, 2, 48_000);
    System.out.printf(Locale.ROOT, "%s: %d packets sent, %d received, %d lost, %.2f s heard, "
        + "dominant frequency %.1f Hz (sent %d Hz)%n", direction, sender.packetsSent(), received,
        lost, pcm.length / 2 / 48_000.0, hz, expectedHz);
    return Math.abs(hz - expectedHz) <= 2 && received > 0 ? 0 : 1;
  }
}
