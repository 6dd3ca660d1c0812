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
 */
public sealed interface MediaSource permits MediaSource.FileSource, MediaSource.UrlSource {

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
