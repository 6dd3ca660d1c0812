package org.tgcalls4j;

import java.util.Objects;

/**
 * How ffmpeg encodes a {@link MediaSource#file(java.nio.file.Path, EncodeOptions) file} or
 * {@link MediaSource#url(String, EncodeOptions) URL} source: which tracks, and the Opus and VP8
 * settings. Immutable and thread-safe; start from {@link #DEFAULT} and derive variants with the
 * {@code with...} methods, each of which validates its value at once:
 *
 * <pre>{@code
 * EncodeOptions small = EncodeOptions.DEFAULT.withVideo()
 *     .withVideoSize(320, 180).withVideoFps(15).withVideoBitrateKbps(300);
 * call.setSource(MediaSource.file(Path.of("film.mp4"), small));
 * }</pre>
 *
 * <p>The defaults are what a source without options gets: audio only; Opus at the client's
 * {@link TgCalls.Builder#audioBitrateKbps bitrate} (128 kbit/s unless set), 2 channels; with video,
 * VP8 at 800 kbit/s (the SFU's start bitrate), the input's picture scaled down to fit 1280×720 and
 * its frame rate capped at 30 fps, a keyframe at least every second.
 *
 * <p>Where they apply: group calls and presentations honour every option (a source with video
 * plays its video only in a call whose join declared it, see {@link MediaSource#withVideo}).
 * Private calls, and a call joined without video, play the audio with its options. An Ogg/Opus
 * file is sent as it is, without ffmpeg, unless {@link #audioBitrateKbps()} or
 * {@link #audioChannels()} differs from the default: then ffmpeg transcodes it with them. An
 * RTMP stream keeps one picture size, frame rate, channel layout and video bitrate for its whole
 * life (its metadata, hold stream and decoder configuration are set when it starts), so it honours
 * only {@link #audioBitrateKbps()} (as its AAC bitrate, raised to AAC's 32 kbit/s floor) and
 * sends the input's video whenever there is one, whatever {@link #tracks()} says. A
 * {@link MediaSource#mix mix} decodes its inputs and encodes the sum with the client's settings,
 * so it ignores its inputs' options.
 */
public final class EncodeOptions {
  /** Lowest and highest Opus bitrate, kbit/s (RFC 7587 §3.1.1; Telegram accepts up to 510). */
  public static final int MIN_AUDIO_BITRATE_KBPS = 6;
  /** @see #MIN_AUDIO_BITRATE_KBPS */
  public static final int MAX_AUDIO_BITRATE_KBPS = 510;
  /** Lowest and highest VP8 target bitrate, kbit/s. */
  public static final int MIN_VIDEO_BITRATE_KBPS = 50;
  /** @see #MIN_VIDEO_BITRATE_KBPS */
  public static final int MAX_VIDEO_BITRATE_KBPS = 20_000;
  /** Smallest and largest picture bound, pixels, for width and height alike. */
  public static final int MIN_VIDEO_SIZE_PIXELS = 16;
  /** @see #MIN_VIDEO_SIZE_PIXELS */
  public static final int MAX_VIDEO_SIZE_PIXELS = 4096;
  /** Highest frame rate bound, frames per second (the lowest is 1). */
  public static final int MAX_VIDEO_FPS = 60;

  /** Audio only, the client's Opus bitrate, stereo; with video 800 kbit/s, ≤ 1280×720, ≤ 30 fps. */
  public static final EncodeOptions DEFAULT =
      new EncodeOptions(Tracks.AUDIO, 0, 2, 800, 1280, 720, 30);

  /** Which tracks of the input are sent. */
  public enum Tracks {
    /** The input's first audio stream only (its video, if any, is left out). */
    AUDIO,
    /**
     * The first audio and the first video stream, from one ffmpeg process so they stay in sync.
     * The input must have both.
     */
    AUDIO_AND_VIDEO
  }

  private final Tracks tracks;
  private final int audioBitrateKbps;
  private final int audioChannels;
  private final int videoBitrateKbps;
  private final int videoWidth;
  private final int videoHeight;
  private final int videoFps;

  private EncodeOptions(Tracks tracks, int audioBitrateKbps, int audioChannels,
      int videoBitrateKbps, int videoWidth, int videoHeight, int videoFps) {
    this.tracks = tracks;
    this.audioBitrateKbps = audioBitrateKbps;
    this.audioChannels = audioChannels;
    this.videoBitrateKbps = videoBitrateKbps;
    this.videoWidth = videoWidth;
    this.videoHeight = videoHeight;
    this.videoFps = videoFps;
  }

  /** @return the tracks sent; {@link Tracks#AUDIO} by default */
  public Tracks tracks() {
    return tracks;
  }

  /** @return whether the video is sent (with the audio) */
  public boolean hasVideo() {
    return tracks == Tracks.AUDIO_AND_VIDEO;
  }

  /**
   * @return the Opus bitrate in kbit/s, 6 to 510; 0 (the default) means the client's
   *     {@link TgCalls.Builder#audioBitrateKbps bitrate}
   */
  public int audioBitrateKbps() {
    return audioBitrateKbps;
  }

  /** @return the Opus channel count, 1 (mono) or 2 (stereo, the default) */
  public int audioChannels() {
    return audioChannels;
  }

  /** @return the VP8 target bitrate in kbit/s, 50 to 20000; 800 by default */
  public int videoBitrateKbps() {
    return videoBitrateKbps;
  }

  /**
   * @return the widest picture sent, pixels; a wider input is scaled down keeping its aspect ratio
   *     (and an even size), a narrower one is sent at its own size. 1280 by default
   */
  public int videoWidth() {
    return videoWidth;
  }

  /** @return the tallest picture sent, pixels, as {@link #videoWidth()}; 720 by default */
  public int videoHeight() {
    return videoHeight;
  }

  /**
   * @return the highest frame rate sent, frames per second; a faster input has frames dropped to
   *     this rate, a slower one is sent at its own rate. 30 by default
   */
  public int videoFps() {
    return videoFps;
  }

  /**
   * @param tracks the tracks to send
   * @return a copy with these tracks
   * @throws NullPointerException if tracks is null
   */
  public EncodeOptions withTracks(Tracks tracks) {
    Objects.requireNonNull(tracks, "tracks");
    return new EncodeOptions(tracks, audioBitrateKbps, audioChannels, videoBitrateKbps,
        videoWidth, videoHeight, videoFps);
  }

  /** @return a copy that sends the video too ({@link Tracks#AUDIO_AND_VIDEO}) */
  public EncodeOptions withVideo() {
    return withTracks(Tracks.AUDIO_AND_VIDEO);
  }

  /**
   * @param kbps Opus bitrate in kbit/s, 6 to 510; or 0 for the client's bitrate
   * @return a copy with this bitrate
   * @throws IllegalArgumentException if kbps is neither 0 nor in [6, 510]
   */
  public EncodeOptions withAudioBitrateKbps(int kbps) {
    if (kbps != 0) {
      requireRange("audioBitrateKbps", kbps, MIN_AUDIO_BITRATE_KBPS, MAX_AUDIO_BITRATE_KBPS);
    }
    return new EncodeOptions(tracks, kbps, audioChannels, videoBitrateKbps, videoWidth,
        videoHeight, videoFps);
  }

  /**
   * @param channels 1 for mono, 2 for stereo
   * @return a copy with this channel count
   * @throws IllegalArgumentException if channels is neither 1 nor 2
   */
  public EncodeOptions withAudioChannels(int channels) {
    requireRange("audioChannels", channels, 1, 2);
    return new EncodeOptions(tracks, audioBitrateKbps, channels, videoBitrateKbps, videoWidth,
        videoHeight, videoFps);
  }

  /**
   * @param kbps VP8 target bitrate in kbit/s, 50 to 20000 (also its maximum rate and buffer)
   * @return a copy with this bitrate
   * @throws IllegalArgumentException if kbps is out of range
   */
  public EncodeOptions withVideoBitrateKbps(int kbps) {
    requireRange("videoBitrateKbps", kbps, MIN_VIDEO_BITRATE_KBPS, MAX_VIDEO_BITRATE_KBPS);
    return new EncodeOptions(tracks, audioBitrateKbps, audioChannels, kbps, videoWidth,
        videoHeight, videoFps);
  }

  /**
   * @param width the widest picture sent, pixels, 16 to 4096 (see {@link #videoWidth()})
   * @param height the tallest picture sent, pixels, 16 to 4096
   * @return a copy with this bound
   * @throws IllegalArgumentException if width or height is out of range (the message names which)
   */
  public EncodeOptions withVideoSize(int width, int height) {
    requireRange("videoWidth", width, MIN_VIDEO_SIZE_PIXELS, MAX_VIDEO_SIZE_PIXELS);
    requireRange("videoHeight", height, MIN_VIDEO_SIZE_PIXELS, MAX_VIDEO_SIZE_PIXELS);
    return new EncodeOptions(tracks, audioBitrateKbps, audioChannels, videoBitrateKbps, width,
        height, videoFps);
  }

  /**
   * @param fps the highest frame rate sent, 1 to 60 frames per second (see {@link #videoFps()})
   * @return a copy with this rate
   * @throws IllegalArgumentException if fps is out of range
   */
  public EncodeOptions withVideoFps(int fps) {
    requireRange("videoFps", fps, 1, MAX_VIDEO_FPS);
    return new EncodeOptions(tracks, audioBitrateKbps, audioChannels, videoBitrateKbps, videoWidth,
        videoHeight, fps);
  }

  /**
   * @return whether the audio settings are the defaults (the client's bitrate, stereo), so that an
   *     Ogg/Opus file can be sent as it is
   */
  public boolean hasDefaultAudio() {
    return audioBitrateKbps == DEFAULT.audioBitrateKbps && audioChannels == DEFAULT.audioChannels;
  }

  private static void requireRange(String name, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "]: " + value);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodeOptions e && tracks == e.tracks
        && audioBitrateKbps == e.audioBitrateKbps && audioChannels == e.audioChannels
        && videoBitrateKbps == e.videoBitrateKbps && videoWidth == e.videoWidth
        && videoHeight == e.videoHeight && videoFps == e.videoFps;
  }

  @Override
  public int hashCode() {
    return Objects.hash(tracks, audioBitrateKbps, audioChannels, videoBitrateKbps, videoWidth,
        videoHeight, videoFps);
  }

  @Override
  public String toString() {
    return "EncodeOptions[tracks=" + tracks
        + ", audioBitrateKbps=" + (audioBitrateKbps == 0 ? "client" : audioBitrateKbps)
        + ", audioChannels=" + audioChannels + ", videoBitrateKbps=" + videoBitrateKbps
        + ", videoWidth=" + videoWidth + ", videoHeight=" + videoHeight
        + ", videoFps=" + videoFps + "]";
  }
}
