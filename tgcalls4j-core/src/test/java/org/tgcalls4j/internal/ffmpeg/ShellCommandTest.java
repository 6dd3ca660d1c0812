package org.tgcalls4j.internal.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.MediaSource;

class ShellCommandTest {
  @Test
  void splitsOnBlanksAndKeepsQuotedBlanks() {
    assertThat(ShellCommand.split("  ffmpeg\t-i   \"my song.mp3\"  -af loudnorm "))
        .containsExactly("ffmpeg", "-i", "my song.mp3", "-af", "loudnorm");
    assertThat(ShellCommand.split("ffmpeg -i a\"b c\"d")).containsExactly("ffmpeg", "-i", "ab cd");
    assertThat(ShellCommand.split("ffmpeg -metadata title=\"\" -i x"))
        .containsExactly("ffmpeg", "-metadata", "title=", "-i", "x");
    assertThat(ShellCommand.split("ffmpeg \"\"")).containsExactly("ffmpeg", "");
  }

  @Test
  void backslashEscapesOnlyAQuoteOrABackslash() {
    // a Telegram audio titled (From "Foo"): the quote inside the name does not end the word
    assertThat(ShellCommand.split("ffmpeg -i \"(From \\\"Foo\\\").mp3\""))
        .containsExactly("ffmpeg", "-i", "(From \"Foo\").mp3");
    assertThat(ShellCommand.split("ffmpeg -i C:\\\\music\\\\a.mp3"))
        .containsExactly("ffmpeg", "-i", "C:\\music\\a.mp3");
    assertThat(ShellCommand.split("ffmpeg -af \"pan=stereo|c0=c0\\n\" -i x"))
        .containsExactly("ffmpeg", "-af", "pan=stereo|c0=c0\\n", "-i", "x");
    assertThat(ShellCommand.split("ffmpeg -i trailing\\")).containsExactly("ffmpeg", "-i", "trailing\\");
  }

  @Test
  void shellMetacharactersAreJustCharacters() {
    assertThat(ShellCommand.split("ffmpeg -i \"$(touch x); rm -rf ~ | `id` && 'q' *.mp3\""))
        .containsExactly("ffmpeg", "-i", "$(touch x); rm -rf ~ | `id` && 'q' *.mp3");
    assertThat(ShellCommand.split("ffmpeg -i a;b|c&d")).containsExactly("ffmpeg", "-i", "a;b|c&d");
  }

  @Test
  void malformedCommandLinesAreRefusedWithTheirColumn() {
    assertThatThrownBy(() -> ShellCommand.split("ffmpeg -i \"open.mp3"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 11")
        .hasMessageContaining("never closed");
    assertThatThrownBy(() -> ShellCommand.split("   ")).hasMessageContaining("empty");
    assertThatThrownBy(() -> ShellCommand.split("ffmpeg -i a\nrm b")).hasMessageContaining("line break");
  }

  @Test
  void theMinimalAudioCommandIsCompletedToOggOpusOnStandardOutput() {
    List<String> args = ShellCommand.complete(ShellCommand.split("ffmpeg -i \"song.mp3\""),
        MediaSource.Track.AUDIO, "/usr/bin/ffmpeg", 96);
    assertThat(args).containsExactly("/usr/bin/ffmpeg", "-hide_banner", "-loglevel", "error",
        "-nostdin", "-analyzeduration", "500000", "-probesize", "65536", "-i", "song.mp3", "-vn",
        "-c:a", "libopus", "-b:a", "96k", "-application", "audio", "-frame_duration", "20",
        "-page_duration", "20000", "-ar", "48000", "-ac", "2", "-f", "ogg", "pipe:1");
  }

  @Test
  void whatTheUserGaveIsKeptAndNotDuplicated() {
    List<String> args = ShellCommand.complete(ShellCommand.split(
        "/opt/bin/ffmpeg -loglevel warning -re -analyzeduration 0 -i in.ts -map 0:a:1 "
            + "-c:a libopus -b:a 128k -ac 1 -f ogg pipe:1"),
        MediaSource.Track.AUDIO, "ffmpeg", 64);
    assertThat(args).containsExactly("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning",
        "-re", "-analyzeduration", "0", "-probesize", "65536", "-i", "in.ts", "-map", "0:a:1",
        "-c:a", "libopus", "-b:a", "128k", "-ac", "1", "-f", "ogg", "-application", "audio",
        "-frame_duration", "20", "-page_duration", "20000", "-ar", "48000", "pipe:1");
    assertThat(args.stream().filter("-f"::equals)).hasSize(1);
  }

  @Test
  void videoIsCompletedToVp8InIvf() {
    assertThat(ShellCommand.complete(ShellCommand.split("ffmpeg -i movie.mp4 -vf scale=640:360"),
        MediaSource.Track.VIDEO, "ffmpeg", 64)).endsWith(
        "-vf", "scale=640:360", "-an", "-c:v", "libvpx", "-deadline", "realtime", "-f", "ivf", "pipe:1");
  }

  @Test
  void videoGetsTheEncoderSettingsItLeavesOutRightAfterItsLastInput() {
    // two inputs: the settings go after the second one, where they are output options
    assertThat(ShellCommand.complete(ShellCommand.split(
        "ffmpeg -re -i \"my clip.mp4\" -i logo.png -filter_complex overlay"),
        MediaSource.Track.VIDEO, "ffmpeg", 64)).containsExactly("ffmpeg", "-hide_banner",
        "-loglevel", "error", "-nostdin", "-re", "-analyzeduration", "500000", "-probesize",
        "65536", "-i", "my clip.mp4", "-i", "logo.png", "-b:v", "800k", "-pix_fmt", "yuv420p",
        "-lag-in-frames", "0", "-auto-alt-ref", "0", "-force_key_frames",
        "expr:gte(t,n_forced*1)", "-filter_complex", "overlay", "-an", "-c:v", "libvpx",
        "-deadline", "realtime", "-f", "ivf", "pipe:1");
    // what the user set is kept, with a GOP of its own no forced keyframes are added
    assertThat(ShellCommand.complete(ShellCommand.split(
        "ffmpeg -i in.mp4 -b:v 2M -g 60 -pix_fmt yuv420p -f ivf -"),
        MediaSource.Track.VIDEO, "ffmpeg", 64)).containsExactly("ffmpeg", "-hide_banner",
        "-loglevel", "error", "-nostdin", "-analyzeduration", "500000", "-probesize", "65536",
        "-i", "in.mp4", "-lag-in-frames", "0", "-auto-alt-ref", "0", "-b:v", "2M", "-g", "60",
        "-pix_fmt", "yuv420p", "-f", "ivf", "-an", "-c:v", "libvpx", "-deadline", "realtime", "-");
    // an input format is not the output's: the IVF muxer is still added (a lavfi test source)
    assertThat(ShellCommand.complete(ShellCommand.split("ffmpeg -f lavfi -i testsrc=duration=1"),
        MediaSource.Track.VIDEO, "ffmpeg", 64)).endsWith("-f", "ivf", "pipe:1");
    assertThat(ShellCommand.complete(ShellCommand.split("ffmpeg -f s16le -ar 48000 -i in.raw"),
        MediaSource.Track.AUDIO, "ffmpeg", 64)).endsWith("-f", "ogg", "pipe:1");
    // a copied VP8 stream is not encoded: no encoder settings
    assertThat(ShellCommand.complete(ShellCommand.split("ffmpeg -i in.webm -c:v copy"),
        MediaSource.Track.VIDEO, "ffmpeg", 64)).endsWith("-i", "in.webm", "-c:v", "copy", "-an",
        "-deadline", "realtime", "-f", "ivf", "pipe:1");
  }

  @Test
  void outputsACallCannotSendAreRefusedUpFront() {
    assertThatThrownBy(() -> MediaSource.shell("ffmpeg -i a.mp3 -c:a pcm_s16le -f s16le pipe:1",
        MediaSource.Track.AUDIO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("raw output (-c:a pcm_s16le)");
    assertThatThrownBy(() -> MediaSource.shell("ffmpeg -i a.mp3 -f s16le -", MediaSource.Track.AUDIO))
        .hasMessageContaining("raw output (-f s16le)");
    assertThatThrownBy(() -> MediaSource.shell("ffmpeg -i a.mp4 -f rawvideo -", MediaSource.Track.VIDEO))
        .hasMessageContaining("raw output (-f rawvideo)");
    assertThatThrownBy(() -> MediaSource.shell("ffmpeg -i a.mp3 -c:a aac", MediaSource.Track.AUDIO))
        .hasMessageContaining("must be libopus");
    assertThatThrownBy(() -> MediaSource.shell("ffmpeg -i a.mp4 -c:v libx264", MediaSource.Track.VIDEO))
        .hasMessageContaining("must be libvpx");
    assertThatThrownBy(() -> MediaSource.shell("ffmpeg -i a.mp3 -f mp3 -", MediaSource.Track.AUDIO))
        .hasMessageContaining("must be ogg");
    assertThatThrownBy(() -> MediaSource.shell("sh -c \"ffmpeg -i a\"", MediaSource.Track.AUDIO))
        .hasMessageContaining("runs ffmpeg, not \"sh\"");
    assertThatThrownBy(() -> MediaSource.shell("ffmpeg -re a.mp3", MediaSource.Track.AUDIO))
        .hasMessageContaining("no input (-i)");
    // an input format before -i is not an output
    assertThat(MediaSource.shell("ffmpeg -f s16le -ar 48000 -ac 2 -i pipe.raw", MediaSource.Track.AUDIO))
        .isNotNull();
    assertThatThrownBy(() -> MediaSource.mix(MediaSource.MixInput.of(
        MediaSource.shell("ffmpeg -i a.mp3", MediaSource.Track.AUDIO), 1.0)))
        .hasMessageContaining("shell source cannot be an input of a mix");
  }
}
