package org.tgcalls4j.internal.ffmpeg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.tgcalls4j.MediaSource;

/**
 * A user's ffmpeg command line ({@code MediaSource.shell}) turned into an argument list that is
 * run directly, never by a shell: split like a shell splits words, then completed with what a
 * call needs (fast-start probing and quiet logging before the input; Opus in Ogg, or VP8 in IVF,
 * on standard output). Stateless.
 *
 * <p>Splitting: words are separated by spaces and tabs; a double-quoted part may hold spaces; a
 * backslash escapes a double quote ({@code \"}) or a backslash ({@code \\}), inside or outside
 * quotes; any other backslash and every other character (single quotes, {@code $}, {@code ;},
 * {@code |}, {@code &}, backticks, globs) is kept literally, since no shell ever sees the words.
 * This is gotgcall's {@code FromShell} rule, which lets a file name carry a literal {@code "}.
 */
public final class ShellCommand {
  /** Output codecs that are raw samples or pixels, which a call cannot send. */
  private static final Set<String> RAW_FORMATS = Set.of("s16le", "s16be", "s24le", "s24be",
      "s32le", "s32be", "f32le", "f32be", "f64le", "f64be", "u8", "s8", "u16le", "u16be", "alaw",
      "mulaw", "wav", "rawvideo", "yuv4mpegpipe", "image2pipe");

  /** VP8 bitrate added when a video command sets none: the SFU's start bitrate, kbit/s. */
  static final int VIDEO_BITRATE_KBPS = 800;
  /** Longest time between keyframes of a video command that sets no GOP, s. */
  static final int KEY_FRAME_INTERVAL_SECONDS = 1;

  private ShellCommand() {}

  /**
   * Splits a command line into words (see the class description).
   *
   * @param commandLine the text
   * @return the words, at least one
   * @throws IllegalArgumentException if the text is blank or a double quote is not closed (the
   *     message gives its column)
   */
  public static List<String> split(String commandLine) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int openQuoteAt = -1;
    for (int i = 0; i < commandLine.length(); i++) {
      char c = commandLine.charAt(i);
      if (c == '\\' && i + 1 < commandLine.length()
          && (commandLine.charAt(i + 1) == '"' || commandLine.charAt(i + 1) == '\\')) {
        word.append(commandLine.charAt(++i));
        inWord = true;
      } else if (c == '"') {
        openQuoteAt = openQuoteAt < 0 ? i : -1;
        inWord = true; // "" is an empty word
      } else if ((c == ' ' || c == '\t') && openQuoteAt < 0) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else if (c == '\n' || c == '\r') {
        throw new IllegalArgumentException("the command line has a line break at column " + (i + 1)
            + "; give one command");
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (openQuoteAt >= 0) {
      throw new IllegalArgumentException("the double quote at column " + (openQuoteAt + 1)
          + " is never closed");
    }
    if (inWord) {
      words.add(word.toString());
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("the command line is empty");
    }
    return words;
  }

  /**
   * Checks a split command and completes it for one track. The program must be ffmpeg (a word
   * whose file name is {@code ffmpeg}); it is replaced by {@code ffmpeg}, the client's binary.
   * Added when missing: {@code -hide_banner -loglevel error -nostdin} first; fast-start probing
   * before the first {@code -i}; for audio {@code -vn}, {@code -c:a libopus}, {@code -b:a},
   * {@code -application audio}, {@code -frame_duration 20}, {@code -page_duration 20000},
   * {@code -ar 48000}, {@code -ac 2}, {@code -f ogg}; for video, unless it copies the stream,
   * {@code -b:v 800k}, {@code -pix_fmt yuv420p}, {@code -lag-in-frames 0}, {@code -auto-alt-ref 0}
   * and {@code -force_key_frames expr:gte(t,n_forced*1)} (left out when it sets {@code -g}) right
   * after the last input, then {@code -an}, {@code -c:v libvpx}, {@code -deadline realtime},
   * {@code -f ivf}; then the output {@code pipe:1} when the command does not end with it.
   *
   * @param words the split command line
   * @param kind the track it produces
   * @param ffmpeg the ffmpeg binary to run
   * @param audioBitrateKbps Opus bitrate added when the command sets none, kbit/s
   * @return the argument list to run
   * @throws IllegalArgumentException if the program is not ffmpeg, there is no {@code -i}, or the
   *     command asks for an output a call cannot send: another codec than libopus (audio) or
   *     libvpx (video), another container than ogg or ivf, raw PCM or raw video
   */
  public static List<String> complete(List<String> words, MediaSource.Track kind, String ffmpeg,
      int audioBitrateKbps) {
    String program = words.get(0);
    String name = program.substring(program.lastIndexOf('/') + 1);
    if (!name.equals("ffmpeg")) {
      throw new IllegalArgumentException("a shell source runs ffmpeg, not " + quote(program));
    }
    List<String> args = new ArrayList<>(words.subList(1, words.size()));
    int firstInput = args.indexOf("-i");
    if (firstInput < 0 || firstInput == args.size() - 1) {
      throw new IllegalArgumentException("the ffmpeg command has no input (-i)");
    }
    check(args, kind);
    List<String> out = new ArrayList<>();
    out.add(ffmpeg);
    addIfMissing(out, args, "-hide_banner", null);
    addIfMissing(out, args, "-loglevel", "error");
    addIfMissing(out, args, "-nostdin", null);
    List<String> before = new ArrayList<>(args.subList(0, firstInput));
    List<String> rest = new ArrayList<>(args.subList(firstInput, args.size()));
    out.addAll(before);
    addIfMissing(out, before, "-analyzeduration", FfmpegCommand.AUDIO_ANALYZE_DURATION_MICROS);
    addIfMissing(out, before, "-probesize", FfmpegCommand.AUDIO_PROBE_SIZE_BYTES);
    boolean hasOutput = !rest.isEmpty() && (rest.get(rest.size() - 1).equals("pipe:1")
        || rest.get(rest.size() - 1).equals("-"));
    String output = hasOutput ? rest.remove(rest.size() - 1) : "pipe:1";
    // an input's format (-f lavfi -i ...) is not the output's: only what follows the last input
    int lastInput = args.lastIndexOf("-i");
    List<String> outputOptions = args.subList(Math.min(lastInput + 2, args.size()), args.size());
    if (kind == MediaSource.Track.VIDEO && !copiesVideo(args)) {
      // right after the last input's name: output options there apply to the one output, and the
      // options the user wrote after them still come last
      int afterLastInput = Math.min(rest.lastIndexOf("-i") + 2, rest.size());
      rest.addAll(afterLastInput, videoEncoding(args));
    }
    out.addAll(rest);
    if (kind == MediaSource.Track.AUDIO) {
      if (!args.contains("-map")) {
        addIfMissing(out, args, "-vn", null);
      }
      addIfMissing(out, args, codecOption(args, "a"), "libopus");
      if (!has(args, "-b:a") && !has(args, "-ab")) {
        out.addAll(List.of("-b:a", audioBitrateKbps + "k"));
      }
      addIfMissing(out, args, "-application", "audio");
      addIfMissing(out, args, "-frame_duration", "20");
      addIfMissing(out, args, "-page_duration", "20000");
      addIfMissing(out, args, "-ar", "48000");
      addIfMissing(out, args, "-ac", "2");
      addIfMissing(out, outputOptions, "-f", "ogg");
    } else {
      if (!args.contains("-map")) {
        addIfMissing(out, args, "-an", null);
      }
      addIfMissing(out, args, codecOption(args, "v"), "libvpx");
      addIfMissing(out, args, "-deadline", "realtime");
      addIfMissing(out, outputOptions, "-f", "ivf");
    }
    out.add(output);
    return out;
  }

  /**
   * The libvpx settings of {@code MediaSource.withVideo}'s encoder that the command leaves out:
   * the SFU's start bitrate, 4:2:0 pixels (what VP8 decoders take), no look-ahead or alt-ref
   * frames (every IVF frame is a shown frame, sent when due), and a keyframe at least every
   * {@value #KEY_FRAME_INTERVAL_SECONDS} s, which bounds the wait after a receiver's PLI (ffmpeg
   * takes no keyframe requests).
   */
  private static List<String> videoEncoding(List<String> args) {
    List<String> extra = new ArrayList<>();
    if (!has(args, "-b:v") && !has(args, "-vb") && !has(args, "-crf")) {
      extra.addAll(List.of("-b:v", VIDEO_BITRATE_KBPS + "k"));
    }
    addIfMissing(extra, args, "-pix_fmt", "yuv420p");
    addIfMissing(extra, args, "-lag-in-frames", "0");
    addIfMissing(extra, args, "-auto-alt-ref", "0");
    if (!has(args, "-g") && !has(args, "-force_key_frames")) {
      extra.addAll(List.of("-force_key_frames", "expr:gte(t,n_forced*" + KEY_FRAME_INTERVAL_SECONDS + ")"));
    }
    return extra;
  }

  /** @return whether the command copies the video stream rather than encoding it */
  private static boolean copiesVideo(List<String> args) {
    for (int i = 0; i + 1 < args.size(); i++) {
      String option = args.get(i);
      if ((option.equals("-c:v") || option.equals("-vcodec") || option.equals("-codec:v")
          || option.equals("-c") || option.equals("-codec"))
          && args.get(i + 1).equalsIgnoreCase("copy")) {
        return true;
      }
    }
    return false;
  }

  /** Refuses outputs a call cannot send. */
  private static void check(List<String> args, MediaSource.Track kind) {
    int lastInput = args.lastIndexOf("-i");
    for (int i = 0; i + 1 < args.size(); i++) {
      String option = args.get(i);
      String value = args.get(i + 1).toLowerCase(Locale.ROOT);
      boolean audioCodec = option.equals("-c:a") || option.equals("-acodec") || option.equals("-codec:a");
      boolean videoCodec = option.equals("-c:v") || option.equals("-vcodec") || option.equals("-codec:v");
      if ((audioCodec || videoCodec || option.equals("-c") || option.equals("-codec"))
          && (value.startsWith("pcm_") || value.equals("rawvideo"))) {
        throw new IllegalArgumentException("raw output (" + option + " " + args.get(i + 1)
            + ") cannot be sent: a call sends " + (kind == MediaSource.Track.AUDIO ? "Opus (-c:a libopus)"
                : "VP8 (-c:v libvpx)") + "; leave the codec out and tgcalls4j adds it");
      }
      if (option.equals("-f") && i > lastInput && RAW_FORMATS.contains(value)) {
        throw new IllegalArgumentException("raw output (-f " + args.get(i + 1) + ") cannot be sent:"
            + " a call reads " + (kind == MediaSource.Track.AUDIO ? "Ogg (-f ogg)" : "IVF (-f ivf)")
            + "; leave the format out and tgcalls4j adds it");
      }
      if (kind == MediaSource.Track.AUDIO && audioCodec && !value.equals("libopus") && !value.equals("copy")) {
        throw new IllegalArgumentException("a call sends Opus: " + option + " must be libopus, not "
            + quote(args.get(i + 1)));
      }
      if (kind == MediaSource.Track.VIDEO && videoCodec && !value.equals("libvpx") && !value.equals("copy")) {
        throw new IllegalArgumentException("a call sends VP8: " + option + " must be libvpx, not "
            + quote(args.get(i + 1)));
      }
      if (option.equals("-f") && i > lastInput
          && !value.equals(kind == MediaSource.Track.AUDIO ? "ogg" : "ivf")) {
        throw new IllegalArgumentException("the output format must be "
            + (kind == MediaSource.Track.AUDIO ? "ogg" : "ivf") + ", not " + quote(args.get(i + 1)));
      }
    }
  }

  private static String codecOption(List<String> args, String stream) {
    for (String form : List.of("-c:" + stream, "-" + stream + "codec", "-codec:" + stream)) {
      if (args.contains(form)) {
        return form;
      }
    }
    return "-c:" + stream;
  }

  private static boolean has(List<String> args, String option) {
    return args.contains(option);
  }

  /** Appends {@code option} (and its value) to {@code out} unless {@code given} has it. */
  private static void addIfMissing(List<String> out, List<String> given, String option, String value) {
    if (given.contains(option)) {
      return;
    }
    out.add(option);
    if (value != null) {
      out.add(value);
    }
  }

  private static String quote(String s) {
    return "\"" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
  }
}
