package org.tgcalls4j.it;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tgcalls4j.internal.rtmp.testing.TestMedia;

/**
 * Lip sync and clock checks from content, never from our own clock: a clip with a beep and a
 * white frame at the same instants ({@link #clip}), what a receiver that is not our code decoded
 * (aiortc's {@link AiortcSfu#timeline}: each frame's RTP timestamp and content) and the sender
 * reports it was given. Each beep onset (the first loud decoded sample after a quiet frame) and
 * each white frame (the first bright decoded frame after a dark one) is mapped to NTP time through
 * its own track's latest sender report received before the frame was decoded, as a receiver's
 * lip sync would (RFC 3550 §6.4.1); each track's sender reports give its RTP clock rate against
 * their NTP timestamps.
 */
final class LipSync {
  /** A decoded sample at least this loud (of 32767) starts a beep; aiortc_sfu.py's ONSET_LEVEL. */
  static final int ONSET_LEVEL = 3000;
  /** A decoded frame brighter than this mean luma (0..255) is a flash. */
  static final double FLASH_LUMA = 128;
  static final int AUDIO_CLOCK_HZ = 48_000;
  static final int VIDEO_CLOCK_HZ = 90_000;

  private LipSync() {}

  /**
   * A beep and a white frame every 2 s, at odd seconds from {@code firstSecond} on: a black
   * 25 fps picture of {@code size} with one white frame at each of those instants, and a 1 kHz sine
   * at half scale for 100 ms from each, silence elsewhere, 48 kHz; H.264 and PCM in Matroska, as a
   * user's file.
   *
   * @param seconds duration, s
   * @param firstSecond the first instant, an odd number of seconds: a lead-in keeps the first
   *     pair clear of the start (ffmpeg's, the decoder's and the JIT's first second)
   * @return the file
   */
  static Path clip(Path dir, String size, int seconds, int firstSecond)
      throws IOException, InterruptedException {
    Path file = dir.resolve("flash-beep-" + seconds + "-" + firstSecond + ".mkv");
    TestMedia.run(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        // mod(t + 1, 2) is 0 at 1 s, 3 s ...; the 10 ms margin keeps a frame at t = 0.9999999 in
        "-f", "lavfi", "-i", "color=c=black:s=" + size + ":r=25:d=" + seconds
            + ",drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill"
            + ":enable='gte(t\\," + (firstSecond - 0.5) + ")*lt(mod(t+1.01\\,2)\\,0.03)'",
        "-f", "lavfi", "-i", "aevalsrc='gte(t\\," + (firstSecond - 0.5)
            + ")*0.5*lt(mod(t+1\\,2)\\,0.1)*sin(2*PI*1000*t)':s=48000:d=" + seconds,
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
        "-c:a", "pcm_s16le", file.toString()));
    return file;
  }

  /** One RTCP sender report as received. */
  record SenderReport(long ssrc, double ntpSeconds, long rtp, double arrival) {}

  /** A content event on one track: its RTP timestamp (unsigned 32 bit) and when it was decoded. */
  record Event(long rtp, double arrival) {}

  /**
   * @param audioNtp the beep onset, NTP seconds
   * @param videoNtp the white frame, NTP seconds
   */
  record Pair(double audioNtp, double videoNtp) {
    /** @return audio minus video, ms: positive when the sound comes late */
    double offsetMillis() {
      return (audioNtp - videoNtp) * 1000;
    }
  }

  /**
   * @param reports how many sender reports the rate was fitted to
   * @param spanSeconds NTP time from the first to the last
   * @param ppm least-squares RTP clock rate against NTP, relative to the nominal rate, 1e-6, with
   *     the steps taken out
   * @param steps intervals between consecutive reports whose RTP time moved more than
   *     {@link #STEP_SECONDS} off their NTP time: the sender moved its baseline (after a stall of
   *     more than 200 ms it rebases rather than send a burst), which is no clock rate
   * @param stepMillis those steps added up, ms
   * @param maxResidualMillis the farthest any report lies from the fitted line, ms
   */
  record Drift(int reports, double spanSeconds, double ppm, int steps, double stepMillis,
      double maxResidualMillis) {}

  /**
   * A jump between two consecutive reports at least this large is a step of the sender's
   * baseline, not drift: a rebase moves it by more than 0.2 s, noise is milliseconds.
   */
  static final double STEP_SECONDS = 0.1;

  static List<SenderReport> senderReports(JsonObject timeline, long ssrc) {
    List<SenderReport> out = new ArrayList<>();
    for (JsonElement e : timeline.getAsJsonArray("senderReports")) {
      JsonObject r = e.getAsJsonObject();
      if (r.get("ssrc").getAsLong() == (ssrc & 0xFFFF_FFFFL)) {
        out.add(new SenderReport(ssrc, r.get("ntpSeconds").getAsLong()
            + r.get("ntpFraction").getAsLong() / 4294967296.0, r.get("rtp").getAsLong(),
            r.get("arrival").getAsDouble()));
      }
    }
    return out;
  }

  /** The frames of one track in RTP order, each with its timestamp unwrapped from the first. */
  private static List<JsonObject> inRtpOrder(JsonObject timeline, String track) {
    List<JsonObject> frames = new ArrayList<>();
    timeline.getAsJsonArray(track).forEach(e -> frames.add(e.getAsJsonObject()));
    if (frames.isEmpty()) {
      return frames;
    }
    long first = frames.get(0).get("rtp").getAsLong();
    for (JsonObject f : frames) {
      f.addProperty("unwrapped", (long) (int) (f.get("rtp").getAsLong() - first));
    }
    frames.sort(Comparator.comparingLong(f -> f.get("unwrapped").getAsLong()));
    return frames;
  }

  /** Beep onsets: the first loud sample of a frame that follows a received, quiet frame. */
  static List<Event> beepOnsets(JsonObject timeline) {
    List<Event> out = new ArrayList<>();
    JsonObject previous = null;
    for (JsonObject f : inRtpOrder(timeline, "audio")) {
      int onset = f.get("onset").getAsInt();
      if (previous != null && onset >= 0
          && previous.get("unwrapped").getAsLong() + previous.get("samples").getAsLong()
              == f.get("unwrapped").getAsLong()
          && previous.get("peak").getAsInt() < ONSET_LEVEL) {
        out.add(new Event((f.get("rtp").getAsLong() + onset) & 0xFFFF_FFFFL,
            f.get("arrival").getAsDouble()));
      }
      previous = f;
    }
    return out;
  }

  /** White frames: a bright decoded frame after a dark one. */
  static List<Event> flashes(JsonObject timeline) {
    List<Event> out = new ArrayList<>();
    JsonObject previous = null;
    for (JsonObject f : inRtpOrder(timeline, "video")) {
      if (previous != null && f.get("luma").getAsDouble() > FLASH_LUMA
          && previous.get("luma").getAsDouble() <= FLASH_LUMA) {
        out.add(new Event(f.get("rtp").getAsLong(), f.get("arrival").getAsDouble()));
      }
      previous = f;
    }
    return out;
  }

  /**
   * Maps an event to NTP time through the latest of its track's sender reports received before it
   * was decoded (the first report if none was).
   *
   * @param clockHz the track's RTP clock rate
   */
  static double ntpOf(Event event, List<SenderReport> reports, int clockHz) {
    if (reports.isEmpty()) {
      throw new IllegalArgumentException("no sender report for the track");
    }
    SenderReport latest = reports.get(0);
    for (SenderReport r : reports) {
      if (r.arrival() <= event.arrival()) {
        latest = r;
      }
    }
    int ticks = (int) (event.rtp() - latest.rtp()); // signed: either side of the report
    return latest.ntpSeconds() + (double) ticks / clockHz;
  }

  /**
   * Pairs each white frame with the nearest beep onset in NTP time.
   *
   * @return one pair per flash, in order
   */
  static List<Pair> pairs(JsonObject timeline, long audioSsrc, long videoSsrc) {
    List<SenderReport> audioReports = senderReports(timeline, audioSsrc);
    List<SenderReport> videoReports = senderReports(timeline, videoSsrc);
    List<Double> onsets = new ArrayList<>();
    for (Event e : beepOnsets(timeline)) {
      onsets.add(ntpOf(e, audioReports, AUDIO_CLOCK_HZ));
    }
    List<Pair> out = new ArrayList<>();
    for (Event e : flashes(timeline)) {
      double video = ntpOf(e, videoReports, VIDEO_CLOCK_HZ);
      onsets.stream().min(Comparator.comparingDouble(a -> Math.abs(a - video)))
          .ifPresent(audio -> out.add(new Pair(audio, video)));
    }
    return out;
  }

  /**
   * The RTP clock rate one track's sender reports state against their NTP timestamps, relative
   * to {@code clockHz}: a least-squares line through (NTP, RTP), after taking out the steps of the
   * sender's baseline (see {@link Drift#steps}).
   */
  static Drift drift(List<SenderReport> reports, int clockHz) {
    if (reports.size() < 2) {
      throw new IllegalArgumentException("fewer than two sender reports: " + reports);
    }
    SenderReport first = reports.get(0);
    int n = reports.size();
    double[] x = new double[n];
    double[] y = new double[n];
    long unwrapped = 0;
    long previous = first.rtp();
    int steps = 0;
    double stepped = 0;
    for (int i = 0; i < n; i++) {
      SenderReport r = reports.get(i);
      unwrapped += (int) (r.rtp() - previous);
      previous = r.rtp();
      x[i] = r.ntpSeconds() - first.ntpSeconds();
      y[i] = (double) unwrapped / clockHz - stepped;
      if (i > 0) {
        double jump = (y[i] - y[i - 1]) - (x[i] - x[i - 1]);
        if (Math.abs(jump) > STEP_SECONDS) {
          steps++;
          stepped += jump;
          y[i] -= jump;
        }
      }
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i] / n;
      my += y[i] / n;
    }
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
    }
    double slope = sxy / sxx;
    double maxResidual = 0;
    for (int i = 0; i < n; i++) {
      maxResidual = Math.max(maxResidual, Math.abs(y[i] - (my + slope * (x[i] - mx))));
    }
    return new Drift(n, x[n - 1], (slope - 1) * 1e6, steps, stepped * 1000, maxResidual * 1000);
  }
}
