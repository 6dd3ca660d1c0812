package org.tgcalls4j;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a call streams. Instances are immutable values; create them with the static factories,
 * from any thread. A factory checks its arguments only (a command line is split and checked at
 * once); files are opened and ffmpeg started by the call's {@code setSource}, on its caller's
 * thread, which reports a missing or malformed file with {@link InvalidParamsException}.
 *
 * <p>Group calls send Opus at 48 kHz in 20 ms frames; RTMP streams send H.264 + AAC. A source
 * is transcoded by an ffmpeg child process (started with an argument list, never through a
 * shell), except an Ogg/Opus file streamed into a group call ({@link #ogg}, or a {@link #file}
 * that is one, unless its {@link EncodeOptions} change the audio) and a VP8 IVF file
 * ({@link #ivf}), which are read and sent as they are. {@link #file(Path, EncodeOptions)} and
 * {@link #url(String, EncodeOptions)} choose the tracks (audio, or video with audio) and the
 * encoder settings.
 *
 * <p>To play one source into many calls with one ffmpeg process, open it once with
 * {@link TgCalls#share(MediaSource)}: the {@link SharedSource} it returns is itself a source that
 * each call is given (see there for what pause, seek and stop mean then).
 *
 * <p>{@link #pcm} and {@link #mix} are encoded in-process (Opus by Concentus) and play in calls
 * only; an RTMP stream refuses them with {@link InvalidParamsException} (field {@code source}).
 */
public sealed interface MediaSource permits MediaSource.FileSource, MediaSource.UrlSource,
    MediaSource.PcmSource, MediaSource.MixSource, MediaSource.ShellSource, SharedSource,
    MediaSource.VideoSource, MediaSource.ShellsSource, MediaSource.IvfSource,
    MediaSource.OggSource {

  /**
   * A local file of any format ffmpeg reads, its audio only, with {@link EncodeOptions#DEFAULT}.
   * An Ogg/Opus file ({@code .ogg}/{@code .opus} starting with an {@code OpusHead} page) sent to a
   * group call is read directly, without ffmpeg.
   *
   * @param path the file; it is checked when the source is set, not here: a group call's
   *     {@code setSource} throws {@link InvalidParamsException} (field {@code source.path}) for a
   *     path that does not exist, is a directory, or cannot be read
   * @return the source
   * @throws NullPointerException if path is null
   */
  static MediaSource file(Path path) {
    return new FileSource(path);
  }

  /**
   * A local file encoded with {@code options} (see {@link EncodeOptions} for what each option
   * does and where it applies). With {@link EncodeOptions.Tracks#AUDIO_AND_VIDEO} the source is
   * a {@link VideoSource} and plays as {@link #withVideo} describes; otherwise it is a
   * {@link FileSource} and plays as {@link #file(Path)} does, with the options' audio settings.
   *
   * @param path the file; checked when the source is set, as for {@link #file(Path)}
   * @param options how to encode it; {@link EncodeOptions#DEFAULT} gives {@link #file(Path)}
   * @return the source
   * @throws NullPointerException if an argument is null
   */
  static MediaSource file(Path path, EncodeOptions options) {
    FileSource file = new FileSource(path, options);
    return options.hasVideo() ? new VideoSource(file) : file;
  }

  /**
   * A network stream ({@code http}, {@code https}, {@code rtmp}, HLS {@code .m3u8}, ...), always
   * read through ffmpeg; HTTP(S) inputs get ffmpeg's reconnect options.
   *
   * @param url an absolute URL
   * @return the source
   * @throws IllegalArgumentException if the URL is not absolute or its scheme is not one of
   *     http, https, rtmp, rtmps, rtsp, srt, udp
   */
  static MediaSource url(String url) {
    return new UrlSource(URI.create(url));
  }

  /**
   * A network stream encoded with {@code options}, as {@link #file(Path, EncodeOptions)} is for
   * a file: a {@link VideoSource} with {@link EncodeOptions.Tracks#AUDIO_AND_VIDEO}, otherwise
   * a {@link UrlSource}.
   *
   * @param url an absolute URL, as for {@link #url(String)}
   * @param options how to encode it
   * @return the source
   * @throws IllegalArgumentException as {@link #url(String)}
   * @throws NullPointerException if an argument is null
   */
  static MediaSource url(String url, EncodeOptions options) {
    UrlSource source = new UrlSource(URI.create(url), options);
    return options.hasVideo() ? new VideoSource(source) : source;
  }

  /**
   * Your own ffmpeg command, for one track: for example
   * {@code shell("ffmpeg -i \"song.mp3\" -af loudnorm", Track.AUDIO)}. The command line is split
   * into words as a shell would split them, but no shell runs it: double quotes group words, and
   * {@code \"} and {@code \\} stand for a literal quote and backslash (a file named
   * {@code A "B".mp3} is {@code "A \"B\".mp3"}); every other character, {@code $ ; | & `}
   * included, is passed to ffmpeg as it is, so a file name cannot inject a command. The program
   * must be {@code ffmpeg} (the client's ffmpeg runs). What the command leaves out is added:
   * quiet logging and {@code -nostdin}, fast-start probing before the input, and for audio Opus
   * in Ogg on standard output ({@code -vn -c:a libopus -b:a <client bitrate>k -application audio
   * -frame_duration 20 -page_duration 20000 -ar 48000 -ac 2 -f ogg pipe:1}); for video VP8 in
   * IVF ({@code -an -c:v libvpx -deadline realtime -f ivf pipe:1}, and unless the command encodes
   * otherwise or copies, {@code -b:v 800k -pix_fmt yuv420p -lag-in-frames 0 -auto-alt-ref 0} and a
   * keyframe at least every second, which bounds the answer to a receiver's PLI). You control
   * ffmpeg, so a shell source cannot {@code seek} (put {@code -ss} in the command) and cannot be
   * mixed or streamed over RTMP.
   *
   * <p>A {@link Track#VIDEO} command is a video-only source for a group call whose join declares
   * video (set it before {@link GroupCall#joinJson()}, as for {@link #withVideo}): its frames are
   * paced by their timestamps, and the audio track sends Opus silence (20 ms frames) meanwhile, so
   * the audio SSRC and its sender reports stay alive. At the command's end (or crash) the call
   * reports the {@code VIDEO} track's end and then the {@code AUDIO} track's, both with the same
   * error. A call that cannot send video (a private call, a group call joined without video)
   * refuses it with {@link InvalidParamsException}. For audio and video from two commands at once
   * see {@link #shells}.
   *
   * @param commandLine the ffmpeg command
   * @param track the track its output is
   * @return the source
   * @throws IllegalArgumentException at once, naming the problem, if the command line is empty,
   *     has an unclosed double quote or a line break, does not run ffmpeg, has no {@code -i}, or
   *     asks for an output a call cannot send (raw PCM such as {@code -c:a pcm_s16le} or
   *     {@code -f s16le}, raw video, another codec than libopus/libvpx, another container than
   *     ogg/ivf)
   * @throws NullPointerException if an argument is null
   */
  static MediaSource shell(String commandLine, Track track) {
    return new ShellSource(commandLine, track);
  }

  /**
   * Two ffmpeg commands as one source with audio and video: {@code audioCommandLine} as
   * {@link #shell shell(audioCommandLine, Track.AUDIO)} and {@code videoCommandLine} as
   * {@link #shell shell(videoCommandLine, Track.VIDEO)}, each split and completed the same way and
   * run as its own ffmpeg child (never through a shell). For example
   * {@code shells("ffmpeg -i \"talk.mp3\"", "ffmpeg -loop 1 -i \"cover.png\" -t 60")}.
   *
   * <p>Both tracks are paced on one baseline: audio position 0 and video timestamp 0 are the same
   * instant, so their outputs must start together (for a file, both start at the file's start).
   * The two processes are not tied to each other: for live inputs they may drift apart, which one
   * process ({@link #withVideo}) avoids. When one track ends before the other, the video stops
   * sending frames (it ends alone: its {@code VIDEO} stream end, then an {@code onUpgrade} with
   * {@code videoStopped}), or the audio sends Opus silence until the video ends. The source ends
   * when both have: {@code onStreamEnd} fires once per track, {@code VIDEO} then {@code AUDIO}
   * (unless the video ended alone earlier), each with its own ffmpeg's
   * {@link FfmpegCrashedException} if that one crashed or was killed, else null.
   *
   * <p>Video needs a group call whose join declares it (set the source before
   * {@link GroupCall#joinJson()}); elsewhere (a private call, a join without video, a shared
   * source) only the audio command runs. A shells source cannot seek, be mixed or go over RTMP.
   *
   * @param audioCommandLine the audio's ffmpeg command; null or blank for none
   * @param videoCommandLine the video's ffmpeg command; null or blank for none
   * @return {@code shell(audio, Track.AUDIO)} when there is no video command,
   *     {@code shell(video, Track.VIDEO)} when there is no audio command, else a
   *     {@link ShellsSource}
   * @throws IllegalArgumentException if both commands are null or blank, or a command is refused
   *     as {@link #shell} describes (the message says which one)
   */
  static MediaSource shells(String audioCommandLine, String videoCommandLine) {
    boolean audio = audioCommandLine != null && !audioCommandLine.isBlank();
    boolean video = videoCommandLine != null && !videoCommandLine.isBlank();
    if (!audio && !video) {
      throw new IllegalArgumentException("shells needs an audio or a video command; both are empty");
    }
    if (!video) {
      return new ShellSource(audioCommandLine, Track.AUDIO);
    }
    if (!audio) {
      return new ShellSource(videoCommandLine, Track.VIDEO);
    }
    return new ShellsSource(audioCommandLine, videoCommandLine);
  }

  /**
   * An Ogg/Opus file, read and sent as it is: no ffmpeg runs (a call's {@code seek} reopens it
   * through ffmpeg at the position). Unlike {@link #file}, which hands any other format to ffmpeg, a file
   * that is not Ogg/Opus is refused.
   *
   * @param path the file; checked when the source is set, not here: {@code setSource} throws
   *     {@link InvalidParamsException} (field {@code source.path}) before anything plays if it
   *     does not exist, is a directory, cannot be read, or does not start with an Ogg page
   *     holding an {@code OpusHead}
   * @return the source
   * @throws NullPointerException if path is null
   */
  static MediaSource ogg(Path path) {
    return new OggSource(path);
  }

  /**
   * A VP8 IVF file as a video-only source, read and sent as it is: no ffmpeg runs. Frames are
   * sent at their IVF timestamps (its time base, converted to the 90 kHz RTP clock); the audio
   * track sends Opus silence meanwhile (see {@link #shell} for {@link Track#VIDEO}, which behaves
   * the same). Encode it with keyframes at least every second or two, since none can be asked
   * for: a receiver that lost a frame waits for the next keyframe. Needs a group call whose join
   * declares video; cannot seek.
   *
   * @param video the IVF file ({@code DKIF}, FourCC {@code VP80}); checked when the source is set:
   *     {@code setSource} throws {@link InvalidParamsException} (field {@code source.path}) if it
   *     does not exist, cannot be read or its header is not VP8 IVF
   * @return the source
   * @throws NullPointerException if video is null
   */
  static MediaSource ivf(Path video) {
    return new IvfSource(video, null);
  }

  /**
   * A VP8 IVF file and an Ogg/Opus file played together as one source with audio and video, both
   * read without ffmpeg and paced on one baseline (IVF timestamp 0 is the Ogg's first sample).
   * Ends as {@link #shells} describes: the shorter track stops first (a shorter audio is followed
   * by silence), then {@code VIDEO} and {@code AUDIO} stream ends; a malformed file ends its track
   * with {@link InvalidParamsException}. Where video cannot play (private calls, a join without
   * video, a shared source) the Ogg file plays alone. Cannot seek.
   *
   * @param video the IVF file
   * @param audio the Ogg/Opus file
   * @return the source
   * @throws NullPointerException if an argument is null; both files are checked when the source is
   *     set, as {@link #ivf(Path)} and {@link #ogg} say
   */
  static MediaSource ivf(Path video, Path audio) {
    return new IvfSource(video, Objects.requireNonNull(audio, "audio"));
  }

  /** The track a {@link #shell} command produces. */
  enum Track {
    /** Opus audio in Ogg. */
    AUDIO,
    /** VP8 video in IVF. */
    VIDEO
  }

  /**
   * PCM the application pushes (see {@link PcmPushSource}), encoded in-process to 20 ms Opus frames.
   *
   * @param source the queue the application writes; one call or mix reads it at a time
   * @return the source
   * @throws NullPointerException if source is null
   */
  static MediaSource pcm(PcmPushSource source) {
    return new PcmSource(source);
  }

  /**
   * Several sources played at once: each input is decoded to 48 kHz PCM (a {@link PcmPushSource}
   * as it is; an Ogg/Opus file in-process; any other file or URL by an ffmpeg child writing PCM),
   * scaled by its gain, summed (clipped to 16 bits) and encoded in-process to 20 ms stereo Opus
   * frames. An input that ends stops contributing; the mix ends when every input has ended (a
   * {@link PcmPushSource} ends only when closed and drained). A slot where no input has audio is
   * sent as silence, or skipped if every live input is a {@link PcmPushSource} with
   * {@link PcmPushSource.WhenEmpty#NOTHING}. A file or URL input that has no audio ready yet
   * (ffmpeg starting, a slow network) contributes silence for that slot; the others go on. Example,
   * a voice assistant speaking over music: {@code mix(MixInput.of(music, 0.2),
   * MixInput.of(pcm(speech), 1.0))}.
   *
   * @param inputs one or more inputs; none may itself be a mix, a shell command, an IVF source or
   *     a {@link SharedSource} (an {@link #ogg} file is decoded in-process)
   * @return the source
   * @throws IllegalArgumentException if there are no inputs or an input is one of those
   * @throws NullPointerException if inputs or an element is null
   */
  static MediaSource mix(MixInput... inputs) {
    return new MixSource(java.util.List.of(inputs));
  }

  /**
   * One input of a {@link #mix}.
   *
   * @param source a file, URL or PCM source (not a mix)
   * @param gain linear factor applied to its samples, 0 to 16 (1.0 keeps the level; 0.2 is about
   *     −14 dB)
   */
  record MixInput(MediaSource source, double gain) {
    /**
     * @throws IllegalArgumentException if gain is not in [0, 16] or source is a mix, a shell
     *     command, an IVF source or a {@link SharedSource}
     * @throws NullPointerException if source is null
     */
    public MixInput {
      Objects.requireNonNull(source, "source");
      if (!(gain >= 0 && gain <= 16)) {
        throw new IllegalArgumentException("mix gain must be in [0, 16]: " + gain);
      }
      if (source instanceof MixSource) {
        throw new IllegalArgumentException("a mix cannot be an input of a mix");
      }
      if (source instanceof ShellSource || source instanceof ShellsSource) {
        throw new IllegalArgumentException("a shell source cannot be an input of a mix");
      }
      if (source instanceof IvfSource) {
        throw new IllegalArgumentException("an IVF source cannot be an input of a mix");
      }
      if (source instanceof SharedSource) {
        throw new IllegalArgumentException("a shared source cannot be an input of a mix");
      }
    }

    /**
     * @param source a file, URL or PCM source
     * @param gain linear factor, 0 to 16
     * @return the input
     * @throws IllegalArgumentException if gain is out of range or source is a mix, a shell
     *     command, an IVF source or shared
     */
    public static MixInput of(MediaSource source, double gain) {
      return new MixInput(source, gain);
    }
  }

  /**
   * A user's ffmpeg command; see {@link MediaSource#shell}.
   *
   * @param commandLine the command as given
   * @param track the track its output is
   */
  record ShellSource(String commandLine, Track track) implements MediaSource {
    /**
     * @throws IllegalArgumentException as {@link MediaSource#shell} describes
     * @throws NullPointerException if an argument is null
     */
    public ShellSource {
      Objects.requireNonNull(commandLine, "commandLine");
      Objects.requireNonNull(track, "track");
      // checked up front: a bad command fails here, not when a call starts it
      org.tgcalls4j.internal.ffmpeg.ShellCommand.complete(
          org.tgcalls4j.internal.ffmpeg.ShellCommand.split(commandLine), track, "ffmpeg", 64);
    }
  }

  /**
   * Two ffmpeg commands, one per track; see {@link MediaSource#shells}.
   *
   * @param audioCommandLine the audio's command as given
   * @param videoCommandLine the video's command as given
   */
  record ShellsSource(String audioCommandLine, String videoCommandLine) implements MediaSource {
    /**
     * @throws IllegalArgumentException if a command is blank or refused (see
     *     {@link MediaSource#shell}); the message names the track
     * @throws NullPointerException if an argument is null
     */
    public ShellsSource {
      Objects.requireNonNull(audioCommandLine, "audioCommandLine");
      Objects.requireNonNull(videoCommandLine, "videoCommandLine");
      check(audioCommandLine, Track.AUDIO);
      check(videoCommandLine, Track.VIDEO);
    }

    private static void check(String commandLine, Track track) {
      try {
        new ShellSource(commandLine, track);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the " + track.name().toLowerCase(java.util.Locale.ROOT)
            + " command: " + e.getMessage(), e);
      }
    }
  }

  /**
   * A VP8 IVF file, with an Ogg/Opus file or alone; see {@link MediaSource#ivf(Path, Path)}.
   *
   * @param video the IVF file
   * @param audio the Ogg/Opus file, or null for video only
   */
  record IvfSource(Path video, Path audio) implements MediaSource {
    /** @throws NullPointerException if video is null */
    public IvfSource {
      Objects.requireNonNull(video, "video");
    }
  }

  /**
   * An Ogg/Opus file read without ffmpeg; see {@link MediaSource#ogg}.
   *
   * @param path the file
   */
  record OggSource(Path path) implements MediaSource {
    /** @throws NullPointerException if path is null */
    public OggSource {
      Objects.requireNonNull(path, "path");
    }
  }

  /**
   * PCM pushed by the application.
   *
   * @param source its queue
   */
  record PcmSource(PcmPushSource source) implements MediaSource {
    /** @throws NullPointerException if source is null */
    public PcmSource {
      Objects.requireNonNull(source, "source");
    }
  }

  /**
   * Several inputs mixed in-process.
   *
   * @param inputs the inputs, at least one, none a mix; an unmodifiable copy
   */
  record MixSource(java.util.List<MixInput> inputs) implements MediaSource {
    /**
     * @throws IllegalArgumentException if inputs is empty
     * @throws NullPointerException if inputs or an element is null
     */
    public MixSource {
      inputs = java.util.List.copyOf(inputs);
      if (inputs.isEmpty()) {
        throw new IllegalArgumentException("a mix needs at least one input");
      }
    }
  }

  /**
   * Camera video and audio of one file or URL, for a group call (group-call.md §5.2-§5.6): one
   * ffmpeg child encodes the input's first audio stream to Opus and its first video stream to VP8
   * (real-time libvpx, a keyframe at least every second; by default 800 kbit/s and the input's
   * size and frame rate up to 1280×720 and 30 fps, see {@link EncodeOptions}) and writes them to
   * two loopback TCP connections the call listens for, so both tracks come from one decoder and
   * stay in sync. The input must have both an audio and a video stream. The input's
   * {@link EncodeOptions} apply, with {@link EncodeOptions.Tracks#AUDIO_AND_VIDEO}: this is the
   * same source as {@code file(path, options.withVideo())}.
   *
   * <p>Video SSRCs must be declared when joining: a group call declares them (an FID pair after
   * its audio SSRC) in {@link GroupCall#joinJson()} when a video source was set before that call.
   * Set the source first, then take the join JSON; a video source set on a call joined without
   * video plays its audio only, as do private calls and {@link #mix} inputs. RTMP streams play the
   * input as {@link #file} / {@link #url} would.
   *
   * @param input a {@link #file} or {@link #url} source
   * @return the source
   * @throws IllegalArgumentException if input is not a file or URL source
   * @throws NullPointerException if input is null
   */
  static MediaSource withVideo(MediaSource input) {
    return new VideoSource(input);
  }

  /**
   * A file or URL played with its video (see {@link #withVideo}).
   *
   * @param input the file or URL
   */
  record VideoSource(MediaSource input) implements MediaSource {
    /**
     * @param input a file or URL source; its options are kept with their tracks set to
     *     {@link EncodeOptions.Tracks#AUDIO_AND_VIDEO}
     * @throws IllegalArgumentException if input is not a file or URL source
     * @throws NullPointerException if input is null
     */
    public VideoSource {
      Objects.requireNonNull(input, "input");
      if (input instanceof FileSource f) {
        input = f.options().hasVideo() ? f : new FileSource(f.path(), f.options().withVideo());
      } else if (input instanceof UrlSource u) {
        input = u.options().hasVideo() ? u : new UrlSource(u.uri(), u.options().withVideo());
      } else {
        throw new IllegalArgumentException("video needs a file or URL source, not " + input);
      }
    }

    /** @return the input's encode options (their tracks include the video) */
    public EncodeOptions options() {
      return input instanceof FileSource f ? f.options() : ((UrlSource) input).options();
    }
  }

  /**
   * A local file.
   *
   * @param path the file
   * @param options how ffmpeg encodes it; a file source plays its audio only, whatever
   *     {@code options.tracks()} says: {@link MediaSource#file(Path, EncodeOptions)} wraps it
   *     in a {@link VideoSource} for video
   */
  record FileSource(Path path, EncodeOptions options) implements MediaSource {
    /**
     * @param path the file
     * @param options how ffmpeg encodes it
     * @throws NullPointerException if an argument is null
     */
    public FileSource {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(options, "options");
    }

    /**
     * A file with {@link EncodeOptions#DEFAULT}.
     *
     * @param path the file
     * @throws NullPointerException if path is null
     */
    public FileSource(Path path) {
      this(path, EncodeOptions.DEFAULT);
    }
  }

  /**
   * A network stream.
   *
   * @param uri absolute URI with one of the allowed schemes
   * @param options how ffmpeg encodes it; audio only, as for {@link FileSource}
   */
  record UrlSource(URI uri, EncodeOptions options) implements MediaSource {
    private static final java.util.Set<String> SCHEMES =
        java.util.Set.of("http", "https", "rtmp", "rtmps", "rtsp", "srt", "udp");

    /**
     * @param uri the stream's address
     * @param options how ffmpeg encodes it
     * @throws IllegalArgumentException if the URI is not absolute or has another scheme
     * @throws NullPointerException if an argument is null
     */
    public UrlSource {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(options, "options");
      if (!uri.isAbsolute() || !SCHEMES.contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("unsupported source URL (scheme must be one of "
            + SCHEMES + "): " + uri);
      }
    }

    /**
     * A stream with {@link EncodeOptions#DEFAULT}.
     *
     * @param uri the stream's address
     * @throws IllegalArgumentException if the URI is not absolute or has another scheme
     * @throws NullPointerException if uri is null
     */
    public UrlSource(URI uri) {
      this(uri, EncodeOptions.DEFAULT);
    }
  }
}
