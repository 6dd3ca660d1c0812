package org.tgcalls4j.internal.ffmpeg;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.tgcalls4j.EncodeOptions;
import org.tgcalls4j.MediaSource;

/**
 * Builds ffmpeg argument lists (for {@link ProcessBuilder}, never a shell string) for the two
 * transcodes tgcalls4j runs: Ogg/Opus for group calls and FLV H.264/AAC for RTMP. Both write to
 * standard output ({@code pipe:1}) and keep standard error to errors only. Stateless.
 *
 * <p>Inputs: a file is passed as {@code file:<absolute path>} so that a name containing a colon
 * or starting with a dash is never read as a protocol or an option. HTTP(S) URLs get ffmpeg's
 * reconnect options ({@code -reconnect}, {@code -reconnect_streamed}, up to 5 s between tries)
 * and a 15 s read/write timeout; other URLs are passed as they are. {@code -reconnect_at_eof} is
 * deliberately left out: it treats the normal end of a finite HTTP file as a drop, and against a
 * server without Range support ffmpeg 5.1 then re-reads the file forever. An HTTP(S) HLS playlist
 * ({@code .m3u8}/{@code .m3u} path) also gets {@code -http_persistent 1} and a protocol whitelist
 * without {@code file}, so its segments come over the network only.
 */
public final class FfmpegCommand {
  /** What the segments of an HTTP(S) HLS playlist may be read with: the network, not files. */
  static final String HLS_PROTOCOLS = "http,https,tcp,tls,crypto";
  /** HTTP(S) read/write timeout, in microseconds as ffmpeg's {@code -rw_timeout} wants. */
  static final String HTTP_RW_TIMEOUT_MICROS = "15000000";
  /**
   * Stream probing limit for the audio path, in bytes (ffmpeg's default is 5 MB). Enough for
   * every audio format's header; file demuxers that need more (ID3 tags, MP4 {@code moov} at the
   * end) seek past it regardless.
   */
  static final String AUDIO_PROBE_SIZE_BYTES = "65536";
  /**
   * Stream analysis limit for the audio path, in microseconds. Not 0: ffmpeg reads 0 as "use the
   * 5 s default", which delays live inputs (MPEG-TS, HLS) by seconds before the first output.
   */
  static final String AUDIO_ANALYZE_DURATION_MICROS = "500000";

  /** AAC bitrate range of the FLV transcode, kbit/s ({@link FlvEncoding}). */
  static final int MIN_AAC_BITRATE_KBPS = 32;
  static final int MAX_AAC_BITRATE_KBPS = 512;

  private FfmpegCommand() {}

  /**
   * @param source any source
   * @return the encode options of a file or URL source (or of the one a
   *     {@link MediaSource.VideoSource} wraps); {@link EncodeOptions#DEFAULT} for any other source
   */
  public static EncodeOptions options(MediaSource source) {
    if (source instanceof MediaSource.VideoSource v) {
      return v.options();
    }
    if (source instanceof MediaSource.FileSource f) {
      return f.options();
    }
    if (source instanceof MediaSource.UrlSource u) {
      return u.options();
    }
    return EncodeOptions.DEFAULT;
  }

  /**
   * Transcodes the input's audio (ffmpeg picks the stream) to Ogg/Opus: 48 kHz, 20 ms frames, one Ogg page per
   * frame (so a reader gets each frame as soon as it is encoded), {@code -application audio}
   * (music-friendly). Fast-start probing (64 KiB, 0.5 s) keeps the start delay short. The
   * source's {@link EncodeOptions} give the channel count (stereo by default) and may override
   * the bitrate.
   *
   * @param ffmpeg the ffmpeg binary; a bare name is looked up on {@code PATH}
   * @param source what to play
   * @param bitrateKbps Opus bitrate in kbit/s, 6 to 510 (RFC 7587 §3.1.1 range), used when the
   *     source's options leave it to the client
   * @param startOffsetMillis where to start in the input, in milliseconds; 0 for the beginning
   * @return the argument list, the binary first
   * @throws IllegalArgumentException if bitrateKbps or startOffsetMillis is out of range
   * @throws NullPointerException if ffmpeg or source is null
   */
  public static List<String> opusOgg(
      Path ffmpeg, MediaSource source, int bitrateKbps, long startOffsetMillis) {
    if (bitrateKbps < 6 || bitrateKbps > 510) {
      throw new IllegalArgumentException("bitrateKbps must be in [6, 510]: " + bitrateKbps);
    }
    EncodeOptions options = options(source);
    List<String> args = start(ffmpeg);
    args.addAll(List.of(
        "-analyzeduration", AUDIO_ANALYZE_DURATION_MICROS, "-probesize", AUDIO_PROBE_SIZE_BYTES));
    addInput(args, source, startOffsetMillis, false);
    args.add("-vn");
    addOpus(args, audioBitrateKbps(options, bitrateKbps), options.audioChannels());
    args.add("pipe:1");
    return args;
  }

  /** @return the options' Opus bitrate, or the client's when they leave it unset (0) */
  private static int audioBitrateKbps(EncodeOptions options, int clientBitrateKbps) {
    return options.audioBitrateKbps() != 0 ? options.audioBitrateKbps() : clientBitrateKbps;
  }

  /** Ogg/Opus output options, up to the output itself. */
  private static void addOpus(List<String> args, int bitrateKbps, int channels) {
    args.addAll(List.of(
        "-c:a", "libopus",
        "-b:a", bitrateKbps + "k",
        "-application", "audio",
        "-frame_duration", "20",
        "-page_duration", "20000",
        "-ar", "48000",
        "-ac", Integer.toString(channels),
        "-f", "ogg"));
  }

  /**
   * As {@link #opusOggAndVp8Ivf(Path, MediaSource, int, int, int, String, String)} with the
   * bitrates of the source's {@link EncodeOptions}.
   *
   * @param ffmpeg the ffmpeg binary; a bare name is looked up on {@code PATH}
   * @param source a file or URL source ({@link MediaSource.VideoSource} wrapping one is unwrapped)
   * @param clientAudioBitrateKbps Opus bitrate in kbit/s, 6 to 510, when the options leave it to
   *     the client
   * @param keyFrameIntervalMillis longest time between keyframes, 100 to 10000 ms
   * @param audioOutput where ffmpeg writes the Ogg stream (an ffmpeg URL)
   * @param videoOutput where ffmpeg writes the IVF stream (an ffmpeg URL)
   * @param startOffsetMillis where to start in the input, ms, at least 0: an input seek
   *     ({@code -ss} before {@code -i}, as {@link #opusOgg} puts it), so both outputs start there
   *     with timestamps from 0 (a seek restarts a source with video this way)
   * @return the argument list, the binary first
   * @throws IllegalArgumentException if a number is out of range or negative, or the source is
   *     not a file or URL
   * @throws NullPointerException if an argument is null
   */
  public static List<String> opusOggAndVp8Ivf(Path ffmpeg, MediaSource source,
      int clientAudioBitrateKbps, int keyFrameIntervalMillis, String audioOutput,
      String videoOutput, long startOffsetMillis) {
    EncodeOptions options = options(source);
    return opusOggAndVp8Ivf(ffmpeg, source, audioBitrateKbps(options, clientAudioBitrateKbps),
        options.videoBitrateKbps(), keyFrameIntervalMillis, audioOutput, videoOutput,
        startOffsetMillis);
  }

  /**
   * Encodes the input's first audio stream to Ogg/Opus (as {@link #opusOgg}) and its first video
   * stream to VP8 in IVF, in ONE process, to two outputs (normally {@code tcp://127.0.0.1:port}
   * addresses we listen on), so that both tracks come from one decoding of the input and cannot
   * drift apart on a live input. VP8 is encoded for real time (libvpx {@code -deadline realtime
   * -cpu-used 8}, no alt-ref or lag, error resilient, constant-ish bitrate) with a keyframe at
   * least every {@code keyFrameIntervalMillis} ({@code -force_key_frames} on time, whatever the
   * frame rate), because a keyframe cannot be requested from a running ffmpeg: that interval bounds
   * the answer to a PLI. The video keeps the input's size and frame rate up to the source's
   * {@link EncodeOptions} bound, by default 1280×720 and 30 fps (a larger picture is scaled down
   * keeping its aspect ratio, a faster one drops frames: the SFU's top layer is 720p,
   * group-call.md §5.3); the audio has the options' channel count. The input must have both an
   * audio and a video stream; ffmpeg fails otherwise.
   *
   * @param ffmpeg the ffmpeg binary; a bare name is looked up on {@code PATH}
   * @param source a file or URL source ({@link MediaSource.VideoSource} wrapping one is unwrapped)
   * @param audioBitrateKbps Opus bitrate in kbit/s, 6 to 510
   * @param videoBitrateKbps VP8 target bitrate in kbit/s, 50 to 20000
   * @param keyFrameIntervalMillis longest time between keyframes, 100 to 10000 ms
   * @param audioOutput where ffmpeg writes the Ogg stream (an ffmpeg URL)
   * @param videoOutput where ffmpeg writes the IVF stream (an ffmpeg URL)
   * @return the argument list, the binary first
   * @throws IllegalArgumentException if a number is out of range or the source is not a file or URL
   * @throws NullPointerException if an argument is null
   */
  public static List<String> opusOggAndVp8Ivf(Path ffmpeg, MediaSource source, int audioBitrateKbps,
      int videoBitrateKbps, int keyFrameIntervalMillis, String audioOutput, String videoOutput) {
    return opusOggAndVp8Ivf(ffmpeg, source, audioBitrateKbps, videoBitrateKbps,
        keyFrameIntervalMillis, audioOutput, videoOutput, 0);
  }

  private static List<String> opusOggAndVp8Ivf(Path ffmpeg, MediaSource source,
      int audioBitrateKbps, int videoBitrateKbps, int keyFrameIntervalMillis, String audioOutput,
      String videoOutput, long startOffsetMillis) {
    if (audioBitrateKbps < 6 || audioBitrateKbps > 510) {
      throw new IllegalArgumentException("audioBitrateKbps must be in [6, 510]: " + audioBitrateKbps);
    }
    if (videoBitrateKbps < 50 || videoBitrateKbps > 20_000) {
      throw new IllegalArgumentException("videoBitrateKbps must be in [50, 20000]: " + videoBitrateKbps);
    }
    if (keyFrameIntervalMillis < 100 || keyFrameIntervalMillis > 10_000) {
      throw new IllegalArgumentException("keyFrameIntervalMillis must be in [100, 10000]: "
          + keyFrameIntervalMillis);
    }
    Objects.requireNonNull(audioOutput, "audioOutput");
    Objects.requireNonNull(videoOutput, "videoOutput");
    EncodeOptions options = options(source);
    List<String> args = start(ffmpeg);
    addInput(args, source, startOffsetMillis, false); // an input seek: both outputs start there
    String interval = String.format(Locale.ROOT, "%d.%03d",
        keyFrameIntervalMillis / 1000, keyFrameIntervalMillis % 1000);
    args.addAll(List.of("-map", "0:a:0"));
    addOpus(args, audioBitrateKbps, options.audioChannels());
    args.addAll(List.of(
        audioOutput,
        "-map", "0:V:0",
        "-vf", "scale=w='min(" + options.videoWidth() + ",iw)':h='min(" + options.videoHeight()
            + ",ih)':force_original_aspect_ratio=decrease:force_divisible_by=2",
        "-fpsmax", Integer.toString(options.videoFps()),
        "-c:v", "libvpx",
        "-deadline", "realtime",
        "-cpu-used", "8",
        "-lag-in-frames", "0",
        "-auto-alt-ref", "0",
        "-error-resilient", "1",
        "-pix_fmt", "yuv420p",
        "-b:v", videoBitrateKbps + "k",
        "-maxrate", videoBitrateKbps + "k",
        "-bufsize", videoBitrateKbps + "k",
        "-force_key_frames", "expr:gte(t,n_forced*" + interval + ")",
        "-f", "ivf",
        videoOutput));
    return args;
  }

  /**
   * Decodes the input's audio to raw PCM for an in-process mixer: signed 16-bit little-endian,
   * 48 kHz, stereo interleaved ({@code -f s16le}) on standard output, with the same fast-start
   * probing as {@link #opusOgg}.
   *
   * @param ffmpeg the ffmpeg binary; a bare name is looked up on {@code PATH}
   * @param source a file or URL source
   * @return the argument list, the binary first
   * @throws IllegalArgumentException if source is neither a file nor a URL
   * @throws NullPointerException if ffmpeg or source is null
   */
  public static List<String> pcmS16le(Path ffmpeg, MediaSource source) {
    List<String> args = start(ffmpeg);
    args.addAll(List.of(
        "-analyzeduration", AUDIO_ANALYZE_DURATION_MICROS, "-probesize", AUDIO_PROBE_SIZE_BYTES));
    addInput(args, source, 0, false);
    args.addAll(List.of(
        "-vn",
        "-f", "s16le",
        "-acodec", "pcm_s16le",
        "-ar", "48000",
        "-ac", "2",
        "pipe:1"));
    return args;
  }

  /**
   * Transcodes to FLV with H.264 (libx264 veryfast/zerolatency, yuv420p, constant bitrate with a
   * 2 s buffer, a keyframe every 2 s) and AAC stereo, for an RTMP publisher reading standard
   * output. The picture is scaled to fit {@code enc}'s size keeping its aspect ratio, with black
   * bars. Video leaves at a constant {@code enc.fps()}, the rate onMetaData declares: the
   * {@code fps} filter repeats or drops frames to fill that grid. {@code -r} alone does not do
   * it for FLV, a variable-frame-rate muxer: ffmpeg then only drops frames, so a 25 fps source
   * with 30 declared arrived as 25 frames a second on a 1/30 s grid, steps of 33 and 66 ms. The
   * filter rather than {@code -fps_mode cfr}, which ffmpeg before 5.1 does not know. Streams: the first video stream that is not cover art and the first audio stream, each
   * only if the input has one; no silent audio or blank video is made up (that would need a probe
   * of the input first), so an audio-only input gives an audio-only FLV. Default probing is kept
   * here, since small probe limits can miss H.264 parameters in MPEG-TS inputs. Of the source's
   * {@link EncodeOptions} only the audio bitrate applies, when set, as the AAC bitrate (within
   * AAC's 32 to 512 kbit/s): one RTMP stream keeps its picture size, frame rate, video bitrate and
   * channel layout from start to end, across source switches and its hold stream.
   *
   * @param ffmpeg the ffmpeg binary; a bare name is looked up on {@code PATH}
   * @param source what to play
   * @param enc output settings
   * @param startOffsetMillis where to start in the input, in milliseconds; 0 for the beginning
   * @param realtime true to read the input at its native rate ({@code -re}), as a live RTMP
   *     ingest needs for files; false to transcode as fast as possible
   * @return the argument list, the binary first
   * @throws IllegalArgumentException if startOffsetMillis is negative
   * @throws NullPointerException if ffmpeg, source or enc is null
   */
  public static List<String> flvH264Aac(
      Path ffmpeg, MediaSource source, FlvEncoding enc, long startOffsetMillis, boolean realtime) {
    Objects.requireNonNull(enc, "enc");
    List<String> args = start(ffmpeg);
    addInput(args, source, startOffsetMillis, realtime);
    int w = enc.width();
    int h = enc.height();
    int sourceAudioKbps = options(source).audioBitrateKbps();
    int aacKbps = sourceAudioKbps == 0 ? enc.audioBitrateKbps()
        : Math.max(MIN_AAC_BITRATE_KBPS, Math.min(MAX_AAC_BITRATE_KBPS, sourceAudioKbps));
    String gop = Integer.toString(2 * enc.fps());
    args.addAll(List.of(
        "-map", "0:V:0?",
        "-map", "0:a:0?",
        "-vf", "scale=" + w + ":" + h + ":force_original_aspect_ratio=decrease:force_divisible_by=2,"
            + "pad=" + w + ":" + h + ":(ow-iw)/2:(oh-ih)/2,setsar=1,fps=" + enc.fps(),
        "-c:v", "libx264",
        "-preset", "veryfast",
        "-tune", "zerolatency",
        "-pix_fmt", "yuv420p",
        "-r", Integer.toString(enc.fps()),
        "-g", gop,
        "-keyint_min", gop,
        "-sc_threshold", "0",
        "-b:v", enc.videoBitrateKbps() + "k",
        "-maxrate", enc.videoBitrateKbps() + "k",
        "-bufsize", 2 * enc.videoBitrateKbps() + "k",
        "-c:a", "aac",
        "-b:a", aacKbps + "k",
        "-ar", Integer.toString(enc.audioSampleRateHz()),
        "-ac", "2",
        "-f", "flv",
        "-flvflags", "no_duration_filesize",
        "pipe:1"));
    return args;
  }

  private static List<String> start(Path ffmpeg) {
    List<String> args = new ArrayList<>();
    args.add(ffmpeg.toString());
    args.addAll(List.of("-hide_banner", "-loglevel", "error", "-nostdin"));
    return args;
  }

  /** @return whether the URL's path names an HLS playlist ({@code .m3u8}, {@code .m3u}) */
  static boolean isHlsPlaylist(URI uri) {
    String path = uri.getPath() == null ? "" : uri.getPath().toLowerCase(Locale.ROOT);
    return path.endsWith(".m3u8") || path.endsWith(".m3u");
  }

  private static void addInput(List<String> args, MediaSource source, long startOffsetMillis, boolean realtime) {
    if (startOffsetMillis < 0) {
      throw new IllegalArgumentException("startOffsetMillis must not be negative: " + startOffsetMillis);
    }
    if (source instanceof MediaSource.VideoSource v) {
      source = v.input();
    }
    if (source instanceof MediaSource.OggSource ogg) {
      source = MediaSource.file(ogg.path()); // an RTMP stream transcodes it as any file
    }
    String input;
    if (source instanceof MediaSource.FileSource f) {
      input = "file:" + f.path().toAbsolutePath();
    } else if (source instanceof MediaSource.UrlSource u) {
      URI uri = u.uri();
      input = uri.toString();
      String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      if (scheme.equals("http") || scheme.equals("https")) {
        args.addAll(List.of(
            "-reconnect", "1",
            "-reconnect_streamed", "1",
            "-reconnect_delay_max", "5",
            "-rw_timeout", HTTP_RW_TIMEOUT_MICROS));
        if (isHlsPlaylist(uri)) {
          // segments over one kept-alive connection; and a playlist from the network may name
          // network segments only, never file: (a hostile playlist would stream local files)
          args.addAll(List.of("-http_persistent", "1", "-protocol_whitelist", HLS_PROTOCOLS));
        }
      }
    } else {
      throw new IllegalArgumentException("ffmpeg reads files and URLs only, not " + source);
    }
    if (realtime) {
      args.add("-re");
    }
    if (startOffsetMillis > 0) {
      args.addAll(List.of("-ss", String.format(Locale.ROOT, "%d.%03d",
          startOffsetMillis / 1000, startOffsetMillis % 1000)));
    }
    args.addAll(List.of("-i", input));
  }
}
