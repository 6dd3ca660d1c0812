package org.tgcalls4j;

/**
 * Connection state of one call, as reported to {@link ConnectionListener}.
 *
 * <p>A group call goes {@code CONNECTING → CONNECTED}; if the connection is then lost it goes to
 * {@link #DISCONNECTED} (when the client has a rejoin window, {@link TgCalls.Builder#rejoinWindow})
 * or straight to {@link #FAILED}. From {@code DISCONNECTED}, {@link GroupCall#rejoin} leads back to
 * {@code CONNECTING → CONNECTED}; if the window passes without a rejoin the call goes to
 * {@code FAILED}. {@code FAILED} and {@code CLOSED} are terminal.
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
  CLOSED
}
