package org.tgcalls4j;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a call streams. Instances are immutable values; create them with the static factories.
 *
 * <p>Group calls send Opus at 48 kHz in 20 ms frames; RTMP streams send H.264 + AAC. A source
 * is transcoded by an ffmpeg child process (started with an argument list, never through a
 * shell), except an Ogg/Opus file streamed into a group call, which is read and sent as it is.
 *
 * <p>{@link #pcm} and {@link #mix} are encoded in-process (Opus by Concentus) and play in calls
 * only; an RTMP stream refuses them with {@link InvalidParamsException} (field {@code source}).
 */
public sealed interface MediaSource permits MediaSource.FileSource, MediaSource.UrlSource,
    MediaSource.PcmSource, MediaSource.MixSource, MediaSource.VideoSource {

  /**
   * A local file of any format ffmpeg reads. An Ogg/Opus file ({@code .ogg}/{@code .opus} starting
   * with an {@code OpusHead} page) sent to a group call is read directly, without ffmpeg.
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
   * @param inputs one or more inputs; none may itself be a mix
   * @return the source
   * @throws IllegalArgumentException if there are no inputs or an input is a mix
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
     * @throws IllegalArgumentException if gain is not in [0, 16] or source is a mix
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
    }

    /**
     * @param source a file, URL or PCM source
     * @param gain linear factor, 0 to 16
     * @return the input
     * @throws IllegalArgumentException if gain is out of range or source is a mix
     */
    public static MixInput of(MediaSource source, double gain) {
      return new MixInput(source, gain);
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
   * (real-time libvpx, 800 kbit/s, a keyframe at least every second, the input's size and frame
   * rate up to 1280×720 and 30 fps) and writes them to two loopback TCP connections the call listens for, so both tracks
   * come from one decoder and stay in sync. The input must have both an audio and a video stream.
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
     * @param input a file or URL source
     * @throws IllegalArgumentException if input is not a file or URL source
     * @throws NullPointerException if input is null
     */
    public VideoSource {
      Objects.requireNonNull(input, "input");
      if (!(input instanceof FileSource) && !(input instanceof UrlSource)) {
        throw new IllegalArgumentException("video needs a file or URL source, not " + input);
      }
    }
  }

  /**
   * A local file.
   *
   * @param path the file
   */
  record FileSource(Path path) implements MediaSource {
    /**
     * @param path the file
     * @throws NullPointerException if path is null
     */
    public FileSource {
      Objects.requireNonNull(path, "path");
    }
  }

  /**
   * A network stream.
   *
   * @param uri absolute URI with one of the allowed schemes
   */
  record UrlSource(URI uri) implements MediaSource {
    private static final java.util.Set<String> SCHEMES =
        java.util.Set.of("http", "https", "rtmp", "rtmps", "rtsp", "srt", "udp");

    /**
     * @param uri the stream's address
     * @throws IllegalArgumentException if the URI is not absolute or has another scheme
     */
    public UrlSource {
      Objects.requireNonNull(uri, "uri");
      if (!uri.isAbsolute() || !SCHEMES.contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("unsupported source URL (scheme must be one of "
            + SCHEMES + "): " + uri);
      }
    }
  }
}
