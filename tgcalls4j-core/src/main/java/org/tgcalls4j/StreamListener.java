package org.tgcalls4j;

/**
 * Told when a track of a call's source ends, and of spontaneous media changes. Called on the
 * client's dispatcher thread (the same thread as {@link ConnectionListener}, in order with its
 * events); a listener that throws is logged and later events are still delivered, and a listener
 * may call back into the client (for example {@code stop}) without deadlocking.
 *
 * <p>A stream end is reported exactly once per ended track: when the source reaches its end
 * (error null) or its ffmpeg fails (the error, for example {@link FfmpegCrashedException}). It is
 * never reported for a track the application ended itself: {@code stop}, a new source
 * ({@code setStreamSources}/{@code setSource}) or {@code seek}. A source with video
 * ({@link MediaSource#withVideo}, and {@link MediaSource#shells}, a video {@link MediaSource#shell}
 * or {@link MediaSource#ivf(java.nio.file.Path)}) reports its {@link StreamType#VIDEO} track's end
 * before its {@link StreamType#AUDIO} track's; a killed ffmpeg gives its crash error on both
 * (for {@code shells}, each track's own ffmpeg's error) (a
 * {@code stop} from the video's end ends the audio too, so its end may then not be reported). An
 * {@link RtmpStream} pushes one FLV stream whose tracks end together: it reports one
 * {@link StreamType#AUDIO} end per source.
 *
 * <p>The client calls {@link #onStreamEnd(Call, StreamType, StreamDevice, TgCallsException)}; by
 * default it forwards the audio track's end to {@link #onStreamEnd(Call, TgCallsException)} and
 * from there to {@link #onStreamEnd(long, TgCallsException)}, so a listener written for those
 * hears once per source, as before, and never about video.
 */
@FunctionalInterface
public interface StreamListener {
  /**
   * The audio track's end (see {@link #onStreamEnd(Call, StreamType, StreamDevice, TgCallsException)}).
   *
   * @param chatId the call's chat
   * @param error null when the source reached its end normally; otherwise why it ended (for
   *     example {@link FfmpegCrashedException} with ffmpeg's stderr tail)
   */
  void onStreamEnd(long chatId, TgCallsException error);

  /**
   * The audio track's end; by default it forwards to the chat-id variant.
   *
   * @param call the call whose source ended
   * @param error as in {@link #onStreamEnd(long, TgCallsException)}
   */
  default void onStreamEnd(Call call, TgCallsException error) {
    onStreamEnd(call.chatId(), error);
  }

  /**
   * One track's end, once per ended track. The client calls this variant; by default it forwards
   * {@link StreamType#AUDIO} to {@link #onStreamEnd(Call, TgCallsException)} and ignores
   * {@link StreamType#VIDEO}.
   *
   * @param call the call whose track ended ({@link Call#kind()} tells a presentation apart)
   * @param type which track ended
   * @param device what the track stands for: {@link StreamDevice#MICROPHONE} for audio,
   *     {@link StreamDevice#CAMERA} for a group call's video, {@link StreamDevice#SCREEN} for a
   *     presentation's ({@link StreamDevice#of})
   * @param error null when the track reached its end normally; otherwise why it ended (the same
   *     {@link FfmpegCrashedException} for both tracks of a crashed ffmpeg)
   */
  default void onStreamEnd(Call call, StreamType type, StreamDevice device, TgCallsException error) {
    if (type == StreamType.AUDIO) {
      onStreamEnd(call, error);
    }
  }

  /**
   * A media change the application did not ask for: today, the video stream of a source with
   * video ended while its audio goes on, that is while the process writing it still runs 2 s
   * later (the video's {@code onStreamEnd} comes first). The one ffmpeg of a
   * {@link MediaSource#withVideo} source keeps its video output open until it exits, so a video
   * shorter than its audio just sends no frames after its last one and ends with the audio,
   * without an upgrade; the separate video of a {@link MediaSource#shells} or
   * {@link MediaSource#ivf(java.nio.file.Path, java.nio.file.Path)} source that is more than 2 s
   * shorter than its audio ends alone, with an upgrade. Never called for
   * {@code pause}, {@code resume}, {@code mute}, {@code unmute}, a new source, {@code seek} or
   * {@code stop}: the application knows about those. Does nothing by default.
   *
   * @param call the call whose media changed
   * @param state what the call sends now
   */
  default void onUpgrade(Call call, MediaState state) {}

  /**
   * The call's senders dropped frames because they reached them more than the client's lateness
   * limit after their deadline although the source had them in time: the machine (the client's
   * event loops) is overloaded, or the JVM paused. See
   * {@link TgCalls.Builder#pacingLatenessLimit}. At most once a second per call, while drops go
   * on; the client also logs one WARN line for all its calls at most every 10 s. A stalled source
   * is not reported here. Does nothing by default.
   *
   * @param call the call whose frames were dropped
   * @param framesDropped audio and video frames dropped since the last such call for this call
   * @param limitMillis the lateness limit, ms
   */
  default void onPacingOverload(Call call, long framesDropped, long limitMillis) {}
}
