package org.tgcalls4j.cli;

import org.tgcalls4j.EncodeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@link EncodeOptions} flags shared by {@code play} and {@code demo}: {@code --video} and the
 * encoder settings. Values are checked in {@link #toOptions}, and a bad one is a usage error
 * (exit code 2) that names the flag, the value and the accepted range.
 */
final class EncodeFlags {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--video", description = "Send the source's video too (VP8, with its audio "
      + "from the same ffmpeg); the source must have a video and an audio stream.")
  boolean video;

  @Option(names = "--video-bitrate", paramLabel = "KBPS", description = "VP8 target bitrate, "
      + "kbit/s, " + EncodeOptions.MIN_VIDEO_BITRATE_KBPS + " to "
      + EncodeOptions.MAX_VIDEO_BITRATE_KBPS + " (default: 800). Needs --video.")
  Integer videoBitrateKbps;

  @Option(names = "--width", paramLabel = "PIXELS", description = "Widest picture sent; a wider "
      + "source is scaled down keeping its aspect ratio, " + EncodeOptions.MIN_VIDEO_SIZE_PIXELS + " to "
      + EncodeOptions.MAX_VIDEO_SIZE_PIXELS + " (default: 1280). Needs --video.")
  Integer width;

  @Option(names = "--height", paramLabel = "PIXELS", description = "Tallest picture sent, as "
      + "--width (default: 720). Needs --video.")
  Integer height;

  @Option(names = "--fps", paramLabel = "FPS", description = "Highest frame rate sent; a "
      + "faster source drops frames, 1 to " + EncodeOptions.MAX_VIDEO_FPS
      + " (default: 30). Needs --video.")
  Integer fps;

  @Option(names = "--audio-bitrate", paramLabel = "KBPS", description = "Opus bitrate, kbit/s, "
      + EncodeOptions.MIN_AUDIO_BITRATE_KBPS + " to " + EncodeOptions.MAX_AUDIO_BITRATE_KBPS
      + " (default: 128).")
  Integer audioBitrateKbps;

  @Option(names = "--channels", paramLabel = "1|2", description = "Opus channels: 1 (mono) or 2 "
      + "(stereo, the default).")
  Integer channels;

  /** @return whether any flag differs from its default */
  boolean any() {
    return video || videoBitrateKbps != null || width != null || height != null || fps != null
        || audioBitrateKbps != null || channels != null;
  }

  /**
   * @return the options the flags describe
   * @throws CommandLine.ParameterException if a value is out of range, or a video flag is given
   *     without {@code --video}
   */
  EncodeOptions toOptions() {
    if (!video && (videoBitrateKbps != null || width != null || height != null || fps != null)) {
      throw usage("--video-bitrate, --width, --height and --fps set the video: add --video");
    }
    EncodeOptions o = video ? EncodeOptions.DEFAULT.withVideo() : EncodeOptions.DEFAULT;
    if (audioBitrateKbps != null) {
      o = o.withAudioBitrateKbps(check("--audio-bitrate", audioBitrateKbps,
          EncodeOptions.MIN_AUDIO_BITRATE_KBPS, EncodeOptions.MAX_AUDIO_BITRATE_KBPS, "kbit/s"));
    }
    if (channels != null) {
      if (channels != 1 && channels != 2) {
        throw usage("--channels must be 1 (mono) or 2 (stereo), not " + channels);
      }
      o = o.withAudioChannels(channels);
    }
    if (videoBitrateKbps != null) {
      o = o.withVideoBitrateKbps(check("--video-bitrate", videoBitrateKbps,
          EncodeOptions.MIN_VIDEO_BITRATE_KBPS, EncodeOptions.MAX_VIDEO_BITRATE_KBPS, "kbit/s"));
    }
    int w = width == null ? o.videoWidth() : check("--width", width, EncodeOptions.MIN_VIDEO_SIZE_PIXELS,
        EncodeOptions.MAX_VIDEO_SIZE_PIXELS, "pixels");
    int h = height == null ? o.videoHeight() : check("--height", height,
        EncodeOptions.MIN_VIDEO_SIZE_PIXELS, EncodeOptions.MAX_VIDEO_SIZE_PIXELS, "pixels");
    o = o.withVideoSize(w, h);
    if (fps != null) {
      o = o.withVideoFps(check("--fps", fps, 1, EncodeOptions.MAX_VIDEO_FPS, "frames per second"));
    }
    return o;
  }

  private int check(String flag, int value, int min, int max, String unit) {
    if (value < min || value > max) {
      throw usage(flag + " must be " + min + " to " + max + " " + unit + ", not " + value);
    }
    return value;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }
}
