package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.MediaSource.MixInput;
import org.tgcalls4j.PcmPushSource;
import org.tgcalls4j.PcmPushSource.WhenEmpty;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ogg.OpusPacket;

/**
 * {@link MediaSource#mix}: a 1000 Hz "music" file (Ogg/Opus decoded in-process, mp3 through
 * ffmpeg) under 440 Hz pushed "speech"; the mixed Opus is decoded by ffmpeg's libopus and each
 * tone's amplitude is compared with its input level × gain (the file's level measured by ffmpeg).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MixFrameSourceTest {
  private static final Path FFMPEG = Path.of("ffmpeg");
  private static final ThreadFactory THREADS = Thread::new;
  private static final double SPEECH_AMPLITUDE = 8000;
  private static final double MUSIC_GAIN = 0.2;
  private static final double SPEECH_GAIN = 1.0;

  @TempDir Path dir;

  private static OpusFrameSource open(MediaSource source) throws TgCallsException {
    return OpusFrameSources.open(source, FFMPEG, 128, 0, THREADS);
  }

  private static PcmPushSource speech(double seconds) throws InterruptedException {
    PcmPushSource speech = PcmPushSource.create(1, 10_000, WhenEmpty.NOTHING);
    short[] tone = PcmTestAudio.sine(440, SPEECH_AMPLITUDE, 0, (int) (seconds * 48_000), 1);
    speech.put(tone, 0, tone.length);
    speech.close();
    return speech;
  }

  /** Pulls the mix to its end, pausing {@code pauseMillis} between frames (ffmpeg pumps meanwhile). */
  private static List<byte[]> drain(OpusFrameSource mix, long pauseMillis) throws Exception {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      byte[] f = mix.nextFrame();
      if (f == null) {
        return out;
      }
      assertThat(f).isNotEmpty();
      assertThat(OpusPacket.samplesAt48kHz(f)).isEqualTo(960);
      out.add(f);
      if (pauseMillis > 0) {
        Thread.sleep(pauseMillis);
      }
    }
    throw new AssertionError("the mix did not end");
  }

  private void assertBothTonesAtTheirGains(Path music, long pauseMillis) throws Exception {
    short[] reference = PcmTestAudio.decodeWithFfmpeg(music, 2);
    double musicLevel = PcmTestAudio.amplitude(reference, 2, 0, 48_000, 48_000, 1000);
    assertThat(musicLevel).isGreaterThan(5000);

    OpusFrameSource mix = open(MediaSource.mix(MixInput.of(MediaSource.file(music), MUSIC_GAIN),
        MixInput.of(MediaSource.pcm(speech(3)), SPEECH_GAIN)));
    List<byte[]> packets;
    try {
      packets = drain(mix, pauseMillis);
      assertThat(mix.endError()).isNull();
    } finally {
      mix.close();
    }
    // 3 s of each input: the longer one decides; music that ffmpeg delivers late (it contributes
    // silence until its first samples) ends later by as much
    assertThat(packets.size()).isBetween(150, 220);

    Path out = dir.resolve("mix.ogg");
    PcmTestAudio.writeOggOpus(out, packets, 2);
    short[] pcm = PcmTestAudio.decodeWithFfmpeg(out, 2);
    for (int channel = 0; channel < 2; channel++) {
      // the last second of speech: music is there unless ffmpeg started over 2 s of media late
      double music1000 = PcmTestAudio.amplitude(pcm, 2, channel, 96_000, 48_000, 1000);
      double speech440 = PcmTestAudio.amplitude(pcm, 2, channel, 96_000, 48_000, 440);
      double expectedMusic = musicLevel * MUSIC_GAIN;
      double expectedSpeech = SPEECH_AMPLITUDE * SPEECH_GAIN;
      assertThat(music1000).as("1000 Hz music at gain 0.2").isCloseTo(expectedMusic,
          within(0.15 * expectedMusic));
      assertThat(speech440).as("440 Hz speech at gain 1.0").isCloseTo(expectedSpeech,
          within(0.15 * expectedSpeech));
      double ratio = (music1000 / speech440) / (expectedMusic / expectedSpeech);
      assertThat(ratio).as("amplitude ratio, measured / expected").isCloseTo(1.0, within(0.15));
    }
  }

  @Test
  void oggOpusMusicDecodedInProcessPlaysUnderPushedSpeech() throws Exception {
    assertBothTonesAtTheirGains(PcmTestAudio.toneFile(dir, "music.ogg", 1000, 3, 0.5), 0);
  }

  @Test
  void mp3MusicDecodedByFfmpegPlaysUnderPushedSpeech() throws Exception {
    // 10 ms per 20 ms frame: ffmpeg may take up to ~1 s of wall time to start under load
    assertBothTonesAtTheirGains(PcmTestAudio.toneFile(dir, "music.mp3", 1000, 3, 0.5), 10);
  }

  @Test
  void loudInputsClipInsteadOfWrapping() throws Exception {
    PcmPushSource a = PcmPushSource.create(1, 2000, WhenEmpty.NOTHING);
    short[] tone = PcmTestAudio.sine(440, 30_000, 0, 48_000, 1);
    a.put(tone, 0, tone.length);
    a.close();
    OpusFrameSource mix = open(MediaSource.mix(MixInput.of(MediaSource.pcm(a), 2.0)));
    List<byte[]> packets = drain(mix, 0);
    mix.close();
    Path out = dir.resolve("clip.ogg");
    PcmTestAudio.writeOggOpus(out, packets, 2);
    short[] pcm = PcmTestAudio.decodeWithFfmpeg(out, 2);
    // 60000 clipped to ±32767 is nearly a square wave: fundamental 4/π × 32767 ≈ 41700 is capped by
    // the 16-bit decode; a wrapped sum would instead put most energy elsewhere
    assertThat(PcmTestAudio.dominantHz(pcm, 2, 0, 300, 1500)).isEqualTo(440);
    assertThat(PcmTestAudio.amplitude(pcm, 2, 0, 0, 48_000, 440)).isGreaterThan(30_000);
  }

  @Test
  void emptyPushedInputsSkipTheSlotOrSendSilenceAndTheMixEndsWhenAllInputsEnd() throws Exception {
    PcmPushSource quiet = PcmPushSource.create(1, 1000, WhenEmpty.NOTHING);
    OpusFrameSource mix = open(MediaSource.mix(MixInput.of(MediaSource.pcm(quiet), 1.0)));
    assertThat(mix.nextFrame()).isEmpty();

    PcmPushSource talkative = PcmPushSource.create(2, 1000, WhenEmpty.SILENCE);
    OpusFrameSource both = open(MediaSource.mix(MixInput.of(MediaSource.pcm(talkative), 1.0)));
    byte[] silence = both.nextFrame();
    assertThat(silence).isNotEmpty();
    assertThat(OpusPacket.samplesAt48kHz(silence)).isEqualTo(960);

    quiet.close();
    assertThat(mix.nextFrame()).isNull();
    talkative.close();
    assertThat(both.nextFrame()).isNull();
    mix.close();
    both.close();
  }

  @Test
  void aPushSourceCanPlayInOnlyOnePlaceAndAFailedOpenReleasesTheOtherInputs() throws Exception {
    PcmPushSource speech = PcmPushSource.create(1, 1000, WhenEmpty.NOTHING);
    Path mp3 = PcmTestAudio.toneFile(dir, "music.mp3", 1000, 1, 0.5);
    PcmPushSource other = PcmPushSource.create(1, 1000, WhenEmpty.NOTHING);
    assertThatThrownBy(() -> open(MediaSource.mix(MixInput.of(MediaSource.pcm(other), 1),
        MixInput.of(MediaSource.file(mp3), 0.5),
        MixInput.of(MediaSource.pcm(speech), 1), MixInput.of(MediaSource.pcm(speech), 1))))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source"));
    open(MediaSource.pcm(other)).close(); // released by the failed open
    open(MediaSource.pcm(speech)).close();

    assertThatThrownBy(() -> MediaSource.mix()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MixInput.of(MediaSource.pcm(speech), -0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MixInput.of(MediaSource.pcm(speech), Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MixInput.of(MediaSource.mix(MixInput.of(MediaSource.pcm(speech), 1)), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> open(MediaSource.mix(MixInput.of(MediaSource.file(dir.resolve("none.mp3")), 1))))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("source.path"));
  }
}
