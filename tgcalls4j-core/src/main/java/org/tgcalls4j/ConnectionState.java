package org.tgcalls4j;

/**
 * Connection state of one call, as reported to {@link ConnectionListener}.
 *
 * <p>A group call goes {@code CONNECTING → CONNECTED}; if the connection is then lost it goes to
 * {@link #DISCONNECTED} (when the client has a rejoin window, {@link TgCalls.Builder#rejoinWindow})
 * or straight to {@link #FAILED}. From {@code DISCONNECTED}, {@link GroupCall#rejoin} leads back to
 * {@code CONNECTING → CONNECTED}; if the window passes without a rejoin the call goes to
 * {@code FAILED}. A connect that outlasts the connect timeout ({@link TgCalls.Builder#connectTimeout})
 * after ICE found a path goes from {@code CONNECTING} to {@link #TIMEOUT}. {@code FAILED},
 * {@code TIMEOUT} and {@code CLOSED} are terminal ({@link #isTerminal()}).
 */
public enum ConnectionState {
  /** Transport set-up in progress (ICE checks, DTLS handshake, RTMP handshake). */
  CONNECTING,
  /** Media can flow: ICE nominated a pair and DTLS-SRTP keys exist (or RTMP publish started). */
  CONNECTED,
  /**
   * A group call lost its connection (ICE consent lost, the SFU closed DTLS, the socket failed);
   * the listener receives the cause. The call keeps its source and position, paused; Telegram's
   * SFU accepts no reconnection without a new join, so the application must call
   * {@code phone.joinGroupCall} again with {@link GroupCall#joinJson()} (fresh ICE credentials) and
   * pass the answer to {@link GroupCall#rejoin}. Not terminal.
   */
  DISCONNECTED,
  /** The connection failed or was lost for good; the listener receives the cause. Terminal. */
  FAILED,
  /** The call was stopped by {@code stop} or {@code close}. Terminal. */
  CLOSED,
  /**
   * A group call's connect did not finish within the connect timeout although the SFU was
   * reachable: ICE found a working path but the DTLS handshake (or the connect as a whole) did not
   * complete in time. The listener receives the cause, a {@link NotConnectedException}; the
   * blocking {@code connect} throws the same exception type as before. Terminal.
   *
   * <p>Not every timeout is reported so: when no ICE candidate pair worked within the timeout
   * (the SFU unreachable) the call is {@link #FAILED}, as it is when a private call's other party
   * never sent its InitialSetup or a rejoin window passes.
   */
  TIMEOUT;

  /** @return whether no transition follows: {@link #FAILED}, {@link #TIMEOUT} or {@link #CLOSED} */
  public boolean isTerminal() {
    return this == FAILED || this == TIMEOUT || this == CLOSED;
  }
}
