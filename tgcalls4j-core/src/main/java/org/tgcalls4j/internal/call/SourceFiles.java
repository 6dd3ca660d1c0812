package org.tgcalls4j.internal.call;

import java.nio.file.Files;
import java.nio.file.Path;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;

/** The check every call type makes before it plays a file source. */
public final class SourceFiles {
  private SourceFiles() {}

  /**
   * Refuses a file source that cannot be played, on the caller's thread and before anything
   * starts (a directory is "readable" too, and ffmpeg would fail on it only later).
   *
   * @param source any source; the files of file, Ogg and IVF sources are checked
   * @throws InvalidParamsException (field {@code source.path}) if the file is a directory, missing
   *     or unreadable
   */
  public static void check(MediaSource source) throws InvalidParamsException {
    if (source instanceof MediaSource.VideoSource video) {
      source = video.input();
    }
    if (source instanceof MediaSource.FileSource file) {
      check(file.path());
    } else if (source instanceof MediaSource.OggSource ogg) {
      check(ogg.path());
    } else if (source instanceof MediaSource.IvfSource ivf) {
      check(ivf.video());
      if (ivf.audio() != null) {
        check(ivf.audio());
      }
    }
  }

  private static void check(Path path) throws InvalidParamsException {
    if (Files.isDirectory(path)) {
      throw new InvalidParamsException("source.path", "a directory, not a file: " + path);
    }
    if (!Files.isReadable(path)) {
      throw new InvalidParamsException("source.path", "not a readable file: " + path);
    }
  }
}
