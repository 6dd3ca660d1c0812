package org.tgcalls4j.internal.ffmpeg;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tgcalls4j.MediaSource;

/** STAND-IN (branch media owns this); deleted before the final commit. */
public final class FfmpegCommand {
  private FfmpegCommand() {}
  public static List<String> flvH264Aac(Path ffmpeg, MediaSource source, FlvEncoding enc, long startOffsetMillis, boolean realtime) {
    List<String> c = new ArrayList<>(List.of(ffmpeg.toString(), "-hide_banner", "-loglevel", "error", "-nostdin"));
    if (realtime) c.add("-re");
    if (startOffsetMillis > 0) { c.add("-ss"); c.add(String.format(java.util.Locale.ROOT, "%.3f", startOffsetMillis / 1000.0)); }
    c.add("-i");
    c.add(source instanceof MediaSource.FileSource f ? f.path().toString() : ((MediaSource.UrlSource) source).uri().toString());
    c.addAll(List.of("-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-b:v", enc.videoBitrateKbps() + "k",
        "-r", "" + enc.fps(), "-vf", "scale=" + enc.width() + ":" + enc.height(), "-pix_fmt", "yuv420p", "-g", "" + enc.fps() * 2,
        "-c:a", "aac", "-b:a", enc.audioBitrateKbps() + "k", "-ar", "" + enc.audioSampleRateHz(), "-ac", "2", "-f", "flv", "pipe:1"));
    return c;
  }
}
