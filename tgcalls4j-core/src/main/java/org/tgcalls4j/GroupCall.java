package org.tgcalls4j;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.tgcalls4j.internal.call.GroupCallSession;

/**
 * A connection to a Telegram group call: the chat's main call ({@link CallKind#GROUP_CALL}, from
 * {@link TgCalls#createGroupCall}) or its screen-share connection ({@link CallKind#PRESENTATION},
 * from {@link TgCalls#createPresentation}). Signaling goes through the application's own
 * Telegram client:
 *
 * <pre>{@code
 * GroupCall call = calls.createGroupCall(chatId);
 * String answer = joinViaYourMtproto(call.joinJson()); // phone.joinGroupCall(params) -> updateGroupCallConnection
 * call.connect(answer);                               // or connectAsync(answer)
 * call.setSource(MediaSource.file(Path.of("song.mp3")));
 * ...
 * call.stop();                                        // then phone.leaveGroupCall(source = call.audioSsrc())
 * }</pre>
 *
 * <p>When the connection is lost and the client has a rejoin window, the call reports
 * {@link ConnectionState#DISCONNECTED} with the cause; join again with {@link #joinJson()} (fresh
 * ICE credentials, same SSRC) and pass the new answer to {@link #rejoin}: the source continues
 * from its position. Thread-safe.
 *
 * <p>After {@link ConnectionState#FAILED} or {@link ConnectionState#CLOSED} the control methods
 * ({@link #connect}, {@link #setSource}, {@link #pause}, ...) throw
 * {@link ConnectionNotFoundException}, while {@link #state()}, {@link #audioSsrc()},
 * {@link #joinJson()} and {@link #stats()} keep answering: a failed call's last counters stay
 * readable through its handle.
 */
public final class GroupCall implements Call {
  private final long chatId;
  private final CallKind kind;
  private final GroupCallSession session;
  private final Consumer<GroupCall> onStop;

  GroupCall(long chatId, CallKind kind, GroupCallSession session, Consumer<GroupCall> onStop) {
    this.chatId = chatId;
    this.kind = kind;
    this.session = session;
    this.onStop = onStop;
  }

  @Override
  public long chatId() {
    return chatId;
  }

  @Override
  public CallKind kind() {
    return kind;
  }

  @Override
  public ConnectionState state() {
    return session.state();
  }

  /**
   * @return the {@code params} JSON for {@code phone.joinGroupCall} ({@code
   *     phone.joinGroupCallPresentation} for a presentation), group-call.md §2; after
   *     {@link ConnectionState#DISCONNECTED} it carries fresh ICE credentials for the rejoin
   */
  public String joinJson() {
    return session.joinJson();
  }

  /**
   * Works in every state, including after {@link #stop()} or a failure: the SSRC is fixed when
   * the call is created (a rejoin keeps it), so {@code phone.leaveGroupCall} can be sent after
   * {@code stop()}. Keep the handle for that; {@link TgCalls#audioSsrc(long)} no longer finds a
   * stopped call.
   *
   * @return the audio SSRC announced in the join JSON; pass it as {@code source} to
   *     {@code phone.leaveGroupCall}
   */
  public int audioSsrc() {
    return session.audioSsrc();
  }

  /**
   * Connects using the SFU's answer and blocks until media can flow (ICE nominated, DTLS-SRTP keys
   * agreed) or the connect timeout elapses.
   *
   * @param answerJson {@code updateGroupCallConnection.params} (group-call.md §3)
   * @throws InvalidParamsException if the answer is malformed; {@link InvalidParamsException#field()}
   *     names the field, and the call is unchanged so a corrected answer can be passed
   * @throws ConnectionExistsException if the call is already connecting or connected; it goes on
   *     unchanged
   * @throws NotConnectedException if ICE or DTLS did not finish within the connect timeout, or the
   *     call was stopped meanwhile; the call is then failed and removed
   * @throws TransportException if the transport failed, including a DTLS certificate that does not
   *     match the answer's fingerprint (no media is sent); the call is then failed and removed
   * @throws ConnectionNotFoundException if the call was stopped or failed before
   */
  public void connect(String answerJson) throws TgCallsException {
    Objects.requireNonNull(answerJson, "answerJson");
    checkLive();
    session.connect(answerJson);
  }

  /**
   * Starts connecting and returns at once; many calls can be connected from one thread.
   *
   * @param answerJson {@code updateGroupCallConnection.params} (group-call.md §3)
   * @return completes (on a tgcalls4j thread) once {@link ConnectionState#CONNECTED} was reported;
   *     fails with the {@link NotConnectedException} or {@link TransportException} that
   *     {@link #connect} would throw, after {@link ConnectionState#FAILED} was reported
   * @throws InvalidParamsException if the answer is malformed (the call is unchanged)
   * @throws ConnectionExistsException if the call is already connecting or connected
   * @throws ConnectionNotFoundException if the call was stopped or failed before
   */
  public CompletableFuture<Void> connectAsync(String answerJson) throws TgCallsException {
    Objects.requireNonNull(answerJson, "answerJson");
    checkLive();
    return session.connectAsync(answerJson);
  }

  /**
   * Connects again after {@link ConnectionState#DISCONNECTED} with the answer to a new join made
   * with {@link #joinJson()}, and blocks like {@link #connect}. The source resumes from its
   * position on the same SSRC. A rejoin that fails fails the call.
   *
   * @param answerJson the new {@code updateGroupCallConnection.params}
   * @throws InvalidParamsException if the answer is malformed (the call is unchanged)
   * @throws ConnectionExistsException if the call is connecting or connected (nothing to rejoin)
   * @throws NotConnectedException if the rejoin did not finish within the connect timeout
   * @throws TransportException if the new transport failed
   * @throws ConnectionNotFoundException if the call was stopped or failed before
   */
  public void rejoin(String answerJson) throws TgCallsException {
    connect(answerJson);
  }

  /**
   * {@link #rejoin} without blocking.
   *
   * @param answerJson the new {@code updateGroupCallConnection.params}
   * @return as {@link #connectAsync}
   * @throws InvalidParamsException if the answer is malformed (the call is unchanged)
   * @throws ConnectionExistsException if the call is connecting or connected
   * @throws ConnectionNotFoundException if the call was stopped or failed before
   */
  public CompletableFuture<Void> rejoinAsync(String answerJson) throws TgCallsException {
    return connectAsync(answerJson);
  }

  @Override
  public void setSource(MediaSource source) throws TgCallsException {
    Objects.requireNonNull(source, "source");
    checkLive();
    session.setSource(source);
  }

  @Override
  public boolean pause() throws TgCallsException {
    checkLive();
    return session.pause();
  }

  @Override
  public boolean resume() throws TgCallsException {
    checkLive();
    return session.resume();
  }

  /**
   * Sends Opus silence instead of the source, which keeps playing: its position runs on, so
   * {@link #unmute()} continues where the source is by then, not where it was muted. A source
   * with video ({@link MediaSource#withVideo}) sends no video frames meanwhile: receivers show a
   * <em>held frame</em>, the last one sent before the mute (the video SSRC gets a padding-only
   * keep-alive every 2 s, so the SFU keeps the stream). After the unmute the video resumes at the
   * source's next keyframe, at most 1 s later (ffmpeg encodes one at least every second), so
   * receivers never decode a frame whose references they did not get; the frames skipped are
   * counted in {@link VideoStats#framesSkippedMuted()}. Telegram
   * shows the participant muted only after {@code phone.editGroupCallParticipant(muted = true)}
   * through the application's client; this only silences the stream.
   *
   * @return whether the call was unmuted before
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  public boolean mute() throws TgCallsException {
    checkLive();
    return session.setMuted(true);
  }

  /**
   * Sends the source again after {@link #mute()}: the audio at once, the video from the source's
   * next keyframe (at most 1 s later).
   *
   * @return whether the call was muted before
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  public boolean unmute() throws TgCallsException {
    checkLive();
    return session.setMuted(false);
  }

  /** @return whether the call sends silence; answers in every state */
  public boolean isMuted() {
    return session.isMuted();
  }

  /**
   * Restarts the current file or URL source at {@code positionMillis}: ffmpeg reopens it with an
   * input seek, the old source ends without a stream-end event, and {@link #positionMillis()}
   * continues from the target. A source with video restarts its one ffmpeg with the seek, so the
   * audio and the video both continue from the target (within a frame) on one baseline; the video
   * continues with a keyframe. A paused call stays paused at the new position. A target past the
   * end ends the source at once with a normal stream end (for each of its tracks).
   *
   * @throws IllegalArgumentException if {@code positionMillis} is negative
   * @throws InvalidParamsException (field {@code source}) if nothing is playing, or the source is
   *     pushed PCM, a mix, a shell command or a {@link SharedSource}, which cannot seek
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  @Override
  public void seek(long positionMillis) throws TgCallsException {
    if (positionMillis < 0) {
      throw new IllegalArgumentException("positionMillis must be >= 0: " + positionMillis);
    }
    checkLive();
    session.seek(positionMillis);
  }

  @Override
  public long positionMillis() throws TgCallsException {
    checkLive();
    return session.positionMillis();
  }

  /**
   * Works in every state: after {@link ConnectionState#FAILED} or {@link ConnectionState#CLOSED}
   * it returns the final counters, up to the failure or stop (the call is no longer reachable by
   * chat id then, so keep the handle to read them).
   *
   * @return the call's counters now, over every connection it had
   * @throws TgCallsException never today; declared so that a future check needs no API change
   */
  public CallStats stats() throws TgCallsException {
    return session.stats();
  }

  /**
   * Video counters (the camera of a main call, the screen of a presentation): frames and packets sent, RTX retransmissions, PLI/FIR/NACK received and
   * the keyframe delay, the SFU's REMB estimate. Works in every state.
   *
   * @return the counters now, or null if this call's join JSON declared no video (a
   *     source with video, such as {@link MediaSource#withVideo}, must be set before
   *     {@link #joinJson()}) or it has not
   *     connected yet
   */
  public VideoStats videoStats() {
    return session.videoStats();
  }

  @Override
  public void stop() {
    onStop.accept(this);
    session.close();
  }

  @Override
  public void close() {
    stop();
  }

  private void checkLive() throws ConnectionNotFoundException {
    ConnectionState state = session.state();
    if (state.isTerminal()) {
      throw new ConnectionNotFoundException(chatId);
    }
  }

  GroupCallSession session() {
    return session;
  }

  @Override
  public String toString() {
    return kind + " " + chatId;
  }
}
