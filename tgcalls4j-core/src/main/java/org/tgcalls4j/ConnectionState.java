package org.tgcalls4j;

/** Connection state of one call, as reported to {@link ConnectionListener}. */
public enum ConnectionState {
  /** Transport set-up in progress (ICE checks, DTLS handshake, RTMP handshake). */
  CONNECTING,
  /** Media can flow: ICE nominated a pair and DTLS-SRTP keys exist (or RTMP publish started). */
  CONNECTED,
  /** The connection failed or was lost; the listener receives the cause. Terminal for WebRTC calls. */
  FAILED,
  /** The call was stopped by {@code stop} or {@code close}. Terminal. */
  CLOSED
}
