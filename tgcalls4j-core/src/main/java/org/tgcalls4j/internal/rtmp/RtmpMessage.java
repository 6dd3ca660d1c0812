package org.tgcalls4j.internal.rtmp;

/**
 * One complete RTMP message (RTMP specification §5.4, §6.1).
 *
 * @param typeId message type id, see the constants
 * @param streamId message stream id (0 for the NetConnection and protocol control)
 * @param timestamp timestamp in milliseconds, unsigned 32 bits
 * @param payload the message body; owned by this record's creator and not copied
 */
record RtmpMessage(int typeId, int streamId, long timestamp, byte[] payload) {
  static final int SET_CHUNK_SIZE = 1;
  static final int ABORT = 2;
  static final int ACKNOWLEDGEMENT = 3;
  static final int USER_CONTROL = 4;
  static final int WINDOW_ACK_SIZE = 5;
  static final int SET_PEER_BANDWIDTH = 6;
  static final int AUDIO = 8;
  static final int VIDEO = 9;
  static final int AMF3_DATA = 15;
  static final int AMF3_COMMAND = 17;
  static final int AMF0_DATA = 18;
  static final int AMF0_COMMAND = 20;

  /** User control event types (RTMP specification §7.1.7). */
  static final int USER_STREAM_BEGIN = 0;

  static final int USER_PING_REQUEST = 6;
  static final int USER_PING_RESPONSE = 7;
}
