package org.tgcalls4j.internal.rtmpcall;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import org.tgcalls4j.FfmpegCrashedException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.flv.FlvReader;
import org.tgcalls4j.internal.flv.FlvTag;

/**
 * A short FLV loop (black frame, silent AAC) replayed while the RTMP stream is paused or has no
 * source, so the ingest keeps receiving media. It is encoded once by ffmpeg (when the call
 * starts) and kept in memory, so pausing needs no ffmpeg. Immutable and thread-safe.
 *
 * <p>The loop lasts {@value #LOOP_MILLIS} ms at {@value #FPS} frames per second with a keyframe
 * in every frame, so a stream may switch into or out of it at any frame; its sequence headers
 * differ from a source's, so whoever switches must send the other side's headers.
 */
final class HoldStream {
  /** Frame rate of the hold video: low, to keep the bitrate near zero. */
  static final int FPS = 5;
  /**
   * Loop length: 8 frames at 5 fps; at 48 kHz it is also exactly 75 AAC frames of 1024 samples,
   * so audio has no seam there.
   */
  static final long LOOP_MILLIS = 1600;

  private final List<FlvTag> sequenceHeaders;
  private final List<FlvTag> loopTags;

  private HoldStream(List<FlvTag> sequenceHeaders, List<FlvTag> loopTags) {
    this.sequenceHeaders = List.copyOf(sequenceHeaders);
    this.loopTags = List.copyOf(loopTags);
  }

  /**
   * Encodes the loop with ffmpeg (lavfi {@code color} + {@code anullsrc}, libx264 + AAC) at the
   * encoding's resolution and sample rate. Blocks for the encoding, typically under a second.
   *
   * @param ffmpeg the ffmpeg binary
   * @param encoding resolution and audio sample rate to match the main stream
   * @param threads creates ffmpeg's stderr pump thread
   * @return the loop
   * @throws TgCallsException FfmpegSpawnException if ffmpeg cannot start, FfmpegCrashedException
   *     if it fails or its output is not a valid FLV with H.264 and AAC sequence headers
   */
  static HoldStream generate(Path ffmpeg, FlvEncoding encoding, ThreadFactory threads)
      throws TgCallsException {
    List<String> command = List.of(ffmpeg.toString(), "-hide_banner", "-loglevel", "error",
        "-nostdin",
        "-f", "lavfi", "-i", "color=c=black:s=" + encoding.width() + "x" + encoding.height()
            + ":r=" + FPS,
        "-f", "lavfi", "-i", "anullsrc=r=" + encoding.audioSampleRateHz() + ":cl=stereo",
        "-t", String.format(Locale.ROOT, "%.3f", LOOP_MILLIS / 1000.0),
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
        "-g", "1",
        "-c:a", "aac", "-b:a", "32k", "-ar", Integer.toString(encoding.audioSampleRateHz()),
        "-ac", "2",
        "-f", "flv", "pipe:1");
    List<FlvTag> headers = new ArrayList<>();
    List<FlvTag> media = new ArrayList<>();
    try (FfmpegProcess process = FfmpegProcess.start(command, threads)) {
      try {
        FlvReader reader = new FlvReader(process.stdout());
        for (FlvTag tag = reader.next(); tag != null; tag = reader.next()) {
          if (tag.isSequenceHeader()) {
            headers.add(tag.withTimestamp(0));
          } else if (tag.type() != FlvTag.SCRIPT_DATA && !tag.isAvcEndOfSequence()
              && tag.timestampMillis() < LOOP_MILLIS) {
            media.add(tag);
          }
        }
      } catch (IOException e) {
        throw new FfmpegCrashedException(-1, "hold stream: " + e.getMessage() + "; "
            + process.stderrTail());
      }
      FfmpegCrashedException crash = process.crashError();
      if (crash != null) {
        throw crash;
      }
      if (headers.stream().noneMatch(FlvTag::isAvcSequenceHeader)
          || headers.stream().noneMatch(FlvTag::isAacSequenceHeader) || media.isEmpty()) {
        throw new FfmpegCrashedException(-1, "hold stream: ffmpeg output lacks H.264/AAC");
      }
    }
    return new HoldStream(headers, media);
  }

  /** @return the AVC and AAC sequence headers, timestamp 0 */
  List<FlvTag> sequenceHeaders() {
    return sequenceHeaders;
  }

  /**
   * @return the media tags of one loop in decode order, timestamps in [0, {@link #LOOP_MILLIS});
   *     play loop k by adding {@code k * LOOP_MILLIS}
   */
  List<FlvTag> loopTags() {
    return loopTags;
  }

  /**
   * @return an endless playback: the sequence headers, then the loop repeated with timestamps
   *     advancing by {@link #LOOP_MILLIS} per repetition; for one thread
   */
  Iterator<FlvTag> play() {
    return new Iterator<>() {
      private int index = -sequenceHeaders.size();
      private long loop;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public FlvTag next() {
        if (index < 0) {
          return sequenceHeaders.get(sequenceHeaders.size() + index++);
        }
        if (index == loopTags.size()) {
          index = 0;
          loop++;
        }
        FlvTag tag = loopTags.get(index++);
        return tag.withTimestamp(tag.timestampMillis() + loop * LOOP_MILLIS);
      }
    };
  }
}
