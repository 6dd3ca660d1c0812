package org.tgcalls4j;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.tgcalls4j.internal.call.PrivateCallSession;

/**
 * A private (1-on-1) Telegram call, caller or callee (p2p-call.md), from
 * {@link TgCalls#createPrivateCall}. The application runs the key exchange ({@link KeyExchange})
 * and the MTProto calls itself and passes blobs through:
 *
 * <pre>{@code
 * PrivateCall call = calls.createPrivateCall(userId,
 *     (c, blob) -> telegram.sendSignalingData(phoneCall, blob));   // phone.sendSignalingData
 * // updatePhoneCallSignalingData -> call.receiveSignalingData(update.data)  (also before connect)
 * call.setSource(MediaSource.file(Path.of("greeting.ogg")));
 * call.connect(new PrivateCallParams(key, phoneCall.isOutgoing(), phoneCall.protocol().libraryVersions(),
 *     servers, phoneCall.p2pAllowed(), phoneCall.customParameters()));
 * ...
 * call.stop();                                                        // then phone.discardCall
 * }</pre>
 *
 * <p>Versions 8.0.0 and 9.0.0 of tgcalls' signaling are implemented (uncompressed JSON with acks
 * and resends, p2p-call.md §3.4). Not yet: the SCTP data channel that carries {@code MediaState}
 * (so the other party does not see our mute state), versions 12.0.0/13.0.0 (Telegram Web offers
 * only these), TCP reflectors (skipped with a log line), video. Relays: TURN servers over UDP
 * (RFC 8656) and Telegram's UDP reflectors (p2p-call.md §2.4).
 * Audio goes both ways; the other party's audio reaches
 * {@link TgCalls.Builder#incomingAudioListener}.
 *
 * <p>Thread-safe. After {@link ConnectionState#FAILED} or {@link ConnectionState#CLOSED} the
 * control methods throw {@link ConnectionNotFoundException}; {@link #state()}, {@link #stats()}
 * and {@link #audioSsrc()} keep answering.
 */
public final class PrivateCall implements Call {
  private final long userId;
  private final PrivateCallSession session;
  private final Consumer<PrivateCall> onStop;
  private final BooleanSupplier onDispatcherThread;

  PrivateCall(long userId, PrivateCallSession session, Consumer<PrivateCall> onStop,
      BooleanSupplier onDispatcherThread) {
    this.userId = userId;
    this.session = session;
    this.onStop = onStop;
    this.onDispatcherThread = onDispatcherThread;
  }

  /** @return the other party's user id, as given to {@link TgCalls#createPrivateCall} */
  public long userId() {
    return userId;
  }

  /** @return the other party's user id: a private call is named by it */
  @Override
  public long chatId() {
    return userId;
  }

  @Override
  public CallKind kind() {
    return CallKind.PRIVATE_CALL;
  }

  @Override
  public ConnectionState state() {
    return session.state();
  }

  /**
   * Starts the call with the final {@code phoneCall} and returns at once: our signaling goes out
   * through the {@link SignalingDataListener}, blobs received so far are applied, and the
   * connection is made once the other party's setup arrives.
   *
   * @param params from the final {@code phoneCall}
   * @return completes when media can flow (after {@link ConnectionState#CONNECTED} was reported);
   *     fails with {@link NotConnectedException} if that took longer than the private-call
   *     timeout ({@link TgCalls.Builder#privateCallTimeout}, 20 s by default as in tgcalls) or the
   *     call was stopped, or with {@link TransportException} if ICE or DTLS failed or the other
   *     party's certificate did not match its signaled fingerprint. It completes on a shared
   *     pool thread ({@link java.util.concurrent.ForkJoinPool#commonPool()}), never under the
   *     call's lock; actions chained on it should not block
   * @throws InvalidParamsException if no offered library version is implemented
   *     (field {@code protocol.library_versions}), the custom parameters are not a JSON object or
   *     ask for a mode tgcalls4j lacks, or {@code p2p_allowed} is false and no usable relay is
   *     listed (a TURN server with credentials or a UDP reflector; field {@code connections}),
   *     or a reflector's peer tag is not 16 bytes; the call is unchanged. A relay-only call
   *     whose relays all fail (TURN: wrong credentials, quota, no answer; a reflector that never
   *     answers its hellos) fails with {@link TransportException} of stage
   *     {@link TransportException.Stage#RELAY} within the timeout
   * @throws ConnectionExistsException if connect was already called
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  public CompletableFuture<Void> connectAsync(PrivateCallParams params) throws TgCallsException {
    Objects.requireNonNull(params, "params");
    checkLive();
    return session.connectAsync(params);
  }

  /**
   * {@link #connectAsync} and a wait until media can flow.
   *
   * @param params from the final {@code phoneCall}
   * @throws InvalidParamsException as {@link #connectAsync}
   * @throws ConnectionExistsException if connect was already called
   * @throws NotConnectedException if no connection was made within the private-call timeout
   * @throws TransportException if ICE or DTLS failed; the call is then failed
   * @throws ConnectionNotFoundException if the call was stopped or failed
   * @throws IllegalStateException if called from a listener: the listener thread delivers this
   *     call's signaling blobs, so waiting on it could never connect; use {@link #connectAsync}
   */
  public void connect(PrivateCallParams params) throws TgCallsException {
    Objects.requireNonNull(params, "params");
    if (onDispatcherThread.getAsBoolean()) {
      throw new IllegalStateException("PrivateCall.connect blocks, and was called on the listener"
          + " thread that must deliver the call's signaling blobs; use connectAsync there");
    }
    checkLive();
    session.connect(params);
  }

  /**
   * Passes one blob of {@code updatePhoneCallSignalingData} to the call. Blobs that arrive
   * before {@link #connect} are kept and applied then; blobs for another call, replays and
   * garbage are counted and dropped. Ignored after the call ended. Never blocks on the network.
   *
   * @param data the update's {@code data}; not kept
   */
  public void receiveSignalingData(byte[] data) {
    Objects.requireNonNull(data, "data");
    session.receiveSignalingData(data);
  }

  /** @return the library version in use (8.0.0 or 9.0.0), or null before connect */
  public String libraryVersion() {
    return session.version();
  }

  /**
   * @return our audio SSRC (random, offered in signaling)
   */
  public int audioSsrc() {
    return session.audioSsrc();
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
   * Sends silence instead of the source, which keeps playing (its position runs on). The other
   * party is not told (that needs the data channel's {@code MediaState}).
   *
   * @return whether the call was unmuted before
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  public boolean mute() throws TgCallsException {
    checkLive();
    return session.setMuted(true);
  }

  /**
   * Sends the source again after {@link #mute()}.
   *
   * @return whether the call was muted before
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  public boolean unmute() throws TgCallsException {
    checkLive();
    return session.setMuted(false);
  }

  /** @return whether the call sends silence */
  public boolean isMuted() {
    return session.isMuted();
  }

  /**
   * Restarts the current file or URL source at {@code positionMillis}, as
   * {@link GroupCall#seek} does.
   *
   * @throws IllegalArgumentException if positionMillis is negative
   * @throws InvalidParamsException (field {@code source}) if nothing is playing, or the source is
   *     pushed PCM, a mix, a shell command, a {@link SharedSource} or (group calls) a source whose
   *     video is being sent, which cannot seek
   * @throws FfmpegSpawnException if ffmpeg cannot be started
   * @throws ConnectionNotFoundException if the call was stopped or failed
   */
  @Override
  public void seek(long positionMillis) throws TgCallsException {
    if (positionMillis < 0) {
      throw new IllegalArgumentException("positionMillis must be at least 0, got " + positionMillis);
    }
    checkLive();
    session.seek(positionMillis);
  }

  @Override
  public long positionMillis() throws TgCallsException {
    checkLive();
    return session.positionMillis();
  }

  /** @return the call's counters now, including what it received per SSRC; also after it ended */
  public CallStats stats() {
    return session.stats();
  }

  @Override
  public void stop() {
    session.close();
    onStop.accept(this);
  }

  @Override
  public void close() {
    stop();
  }

  private void checkLive() throws ConnectionNotFoundException {
    ConnectionState s = session.state();
    if (s.isTerminal()) {
      throw new ConnectionNotFoundException(userId);
    }
  }

  @Override
  public String toString() {
    return "PrivateCall[user " + userId + ", " + session.state() + "]";
  }
}
