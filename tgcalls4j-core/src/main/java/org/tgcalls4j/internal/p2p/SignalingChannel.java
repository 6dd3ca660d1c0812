package org.tgcalls4j.internal.p2p;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The V2 signaling framing of tgcalls 8.0.0 and 9.0.0 (p2p-call.md §3.4; tgcalls
 * {@code EncryptedConnection::prepareForSendingRawMessage}, {@code prepareForSendingService},
 * {@code handleIncomingRawPacket}/{@code processRawPacket}) over {@link SignalingCrypto}, with the
 * replay window of §3.2, acknowledgements, resends and the gunzip of §3.1. Sans-I/O: the owner
 * passes blobs from {@code updatePhoneCallSignalingData} to {@link #receive}, JSON messages to
 * {@link #send}, calls {@link #poll} at {@link #nextPollMillis}, and hands every returned blob to
 * {@code phone.sendSignalingData}. Times are milliseconds on any monotonic clock the owner picks.
 *
 * <p>Plaintext of a packet: records back to back, integers big-endian; the first record's seq is
 * the packet's seq. Data message {@code seq(bit30) | 0x7F | len(4) | len bytes}, ack
 * {@code seq-of-acked-message | 0xFF} (never first), empty {@code seq | 0xFE} (only first).
 *
 * <p>Differences from tgcalls, all invisible on the wire: a malformed packet is rejected whole
 * before it changes any state (tgcalls may have registered part of it); a message queued while
 * nothing else is unacknowledged arms the resend timer at once (tgcalls arms it only with the next
 * packet, so a lone lost message waits for other traffic); the dedup of acknowledged messages
 * remembers the counters it prunes as a floor (tgcalls forgets them, so a reordered old packet could
 * deliver a message twice); the ack queue and the dedup set are bounded.
 *
 * <p>Not thread-safe: one owner. Returned arrays and lists belong to the caller.
 */
public final class SignalingChannel {
  /** Records of one received packet or one sent packet; see §3.4. */
  static final int ID_DATA = 0x7F;
  static final int ID_ACK = 0xFF;
  static final int ID_EMPTY = 0xFE;
  static final int SINGLE_MESSAGE_BIT = 1 << 31;
  static final int REQUIRES_ACK_BIT = 1 << 30;
  static final int MAX_COUNTER = 0x3FFFFFFF;
  /** tgcalls {@code kMaxSignalingPacketSize}: {@code 16 + plaintext} may not exceed it, bytes. */
  static final int MAX_SIGNALING_PACKET = 16 * 1024;
  /** Largest data message a receiver accepts (tgcalls DeserializeRawMessage), bytes. */
  static final int MAX_MESSAGE = 1024 * 1024;
  /** Largest gunzipped message (tgcalls {@code gunzipData}), bytes. */
  static final int MAX_GUNZIPPED = 2 * 1024 * 1024;
  /** tgcalls {@code kKeepIncomingCountersCount}. */
  static final int REPLAY_WINDOW = 64;
  /** tgcalls {@code kNotAckedMessagesLimit}. */
  static final int MAX_UNACKED = 64 * 1024;
  /** Bound of the queue of acks still to send and of the dedup set (not in tgcalls). */
  static final int MAX_PENDING_ACKS = 4096;
  static final int MAX_SEEN_ACKED = 1024;
  /** DelayIntervalsByType(Signaling), ms. */
  static final long MIN_DELAY_BEFORE_RESEND_MS = 3000;
  static final long MAX_DELAY_BEFORE_RESEND_MS = 5000;
  static final long MAX_DELAY_BEFORE_ACK_MS = 5000;
  private static final int RECORD_HEADER = 9; // seq(4) | 0x7F | len(4)
  private static final long NOT_SENT = Long.MIN_VALUE;

  /** What one received blob yielded. */
  public record Received(List<String> messages, List<byte[]> replies) {
    static final Received NOTHING = new Received(List.of(), List.of());
  }

  private static final class Unacked {
    final byte[] record;
    final int seq;
    long lastSentMillis; // NOT_SENT: goes with the next packet

    Unacked(byte[] record, int seq, long lastSentMillis) {
      this.record = record;
      this.seq = seq;
      this.lastSentMillis = lastSentMillis;
    }
  }

  private final SignalingCrypto crypto;
  private final int maxGunzipped;
  private int counter;
  /** Sent messages waiting for an ack, oldest first, by their full seq. */
  private final LinkedHashMap<Integer, Unacked> unacked = new LinkedHashMap<>();
  /** Seqs (flags included) of received ack-required messages to acknowledge, oldest first. */
  private final LinkedHashSet<Integer> acksToSend = new LinkedHashSet<>();
  /** Counters of received ack-required messages at or above {@link #seenFloor}. */
  private final TreeSet<Integer> seenAcked = new TreeSet<>();
  /** Every ack-required counter below it counts as received. */
  private int seenFloor;
  /** Sorted incoming packet counters within {@link #REPLAY_WINDOW} of the largest. */
  private final TreeSet<Integer> replayWindow = new TreeSet<>();
  private long resendDueMillis = Long.MAX_VALUE;
  private long ackDueMillis = Long.MAX_VALUE;
  private long droppedBlobs;
  private long droppedMessages;

  /**
   * @param key256 the 256-byte call key (copied)
   * @param caller whether this side placed the call
   * @throws IllegalArgumentException if {@code key256} is not 256 bytes
   */
  public SignalingChannel(byte[] key256, boolean caller) {
    this(key256, caller, MAX_GUNZIPPED);
  }

  /** For the fuzz target: a smaller gunzip limit, bytes. */
  SignalingChannel(byte[] key256, boolean caller, int maxGunzipped) {
    this.crypto = new SignalingCrypto(key256, caller);
    this.maxGunzipped = maxGunzipped;
  }

  /**
   * Frames one JSON message as an ack-required data record and returns what to send now: the
   * message with pending acks if nothing older is unacknowledged, else a service packet with the
   * acks and every unacknowledged message, oldest first.
   *
   * @param json the message (UTF-8 on the wire, uncompressed as 8.0.0/9.0.0 send it)
   * @param nowMillis the current time, ms
   * @return the blobs to pass to {@code phone.sendSignalingData}, in order (one today)
   * @throws IllegalArgumentException if the message does not fit one packet
   *     behind a service packet's empty record ({@code 16 + 5 + 9 + UTF-8 length > 16384})
   * @throws IllegalStateException if 65,536 messages are unacknowledged or the counter
   *     (2^30 − 1 packets) is used up
   */
  public List<byte[]> send(String json, long nowMillis) {
    byte[] payload = json.getBytes(StandardCharsets.UTF_8);
    // room for the record behind a service packet's empty record (5 bytes), so a resend always fits
    if (SignalingCrypto.MSG_KEY_LENGTH + 5 + RECORD_HEADER + (long) payload.length
        > MAX_SIGNALING_PACKET) {
      throw new IllegalArgumentException("signaling message of " + payload.length
          + " bytes (UTF-8) does not fit one packet of " + MAX_SIGNALING_PACKET + " bytes");
    }
    if (unacked.size() >= MAX_UNACKED) {
      throw new IllegalStateException(MAX_UNACKED + " signaling messages are unacknowledged");
    }
    int seq = nextCounter() | REQUIRES_ACK_BIT;
    ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER + payload.length);
    record.putInt(seq).put((byte) ID_DATA).putInt(payload.length).put(payload);
    byte[] recordBytes = record.array();
    boolean enqueued = !unacked.isEmpty();
    if (!enqueued) {
      ByteArrayOutputStream packet = new ByteArrayOutputStream(recordBytes.length + 64);
      packet.writeBytes(recordBytes);
      appendAdditional(packet, nowMillis);
      unacked.put(seq, new Unacked(recordBytes, seq, nowMillis));
      armResendTimer(nowMillis);
      return List.of(crypto.encrypt(packet.toByteArray()));
    }
    unacked.put(seq, new Unacked(recordBytes, seq, nowMillis));
    for (Unacked u : unacked.values()) {
      u.lastSentMillis = NOT_SENT;
    }
    byte[] service = service(nowMillis);
    return service == null ? List.of() : List.of(service);
  }

  /**
   * Decrypts and parses one blob from the peer. A blob of the wrong size, a failed
   * {@code msg_key}, a replayed packet counter or a malformed record list is dropped whole and
   * counted in {@link #droppedBlobs()}; a message that is not valid UTF-8 or whose gzip does not
   * inflate within 2 MiB is acknowledged, dropped and counted in {@link #droppedMessages()}.
   *
   * @param blob the data of {@code updatePhoneCallSignalingData}; not kept
   * @param nowMillis the current time, ms
   * @return the new messages (duplicates removed) and the blobs to send now (a service packet with
   *     acks when a new ack-required message arrived)
   */
  public Received receive(byte[] blob, long nowMillis) {
    if (blob == null) {
      droppedBlobs++;
      return Received.NOTHING;
    }
    byte[] plain = crypto.decrypt(blob, 0, blob.length);
    if (plain == null) {
      droppedBlobs++;
      return Received.NOTHING;
    }
    int packetSeq = readInt(plain, 0);
    if (!isValidFraming(plain) || !checkReplay(packetSeq & MAX_COUNTER)) {
      droppedBlobs++;
      return Received.NOTHING;
    }
    registerReplay(packetSeq & MAX_COUNTER);

    List<String> messages = new ArrayList<>();
    boolean additional = false;
    boolean firstRequiringAck = true;
    boolean newRequiringAck = false;
    int pos = 4;
    int seq = packetSeq;
    while (true) {
      int type = plain[pos] & 0xFF;
      if (type == ID_EMPTY) {
        pos += 1;
      } else if (type == ID_ACK) {
        ackMyMessage(seq);
        pos += 1;
      } else {
        int length = readInt(plain, pos + 1);
        int start = pos + 5;
        pos = start + length;
        int messageCounter = seq & MAX_COUNTER;
        boolean skip;
        if ((seq & REQUIRES_ACK_BIT) != 0) {
          skip = !registerSeenAcked(messageCounter, firstRequiringAck);
          firstRequiringAck = false;
          newRequiringAck |= !skip;
          queueAck(seq);
        } else {
          skip = additional && !registerReplayIfNew(messageCounter);
        }
        if (!skip) {
          String message = decodeMessage(plain, start, length);
          if (message == null) {
            droppedMessages++;
          } else {
            messages.add(message);
          }
        }
      }
      if (pos == plain.length) {
        break;
      }
      seq = readInt(plain, pos);
      pos += 4;
      additional = true;
    }
    List<byte[]> replies = List.of();
    if (!acksToSend.isEmpty()) {
      if (newRequiringAck) {
        byte[] service = service(nowMillis);
        if (service != null) {
          replies = List.of(service);
        }
      } else if (ackDueMillis == Long.MAX_VALUE) {
        ackDueMillis = nowMillis + MAX_DELAY_BEFORE_ACK_MS;
      }
    }
    return new Received(messages.isEmpty() ? List.of() : messages, replies);
  }

  /**
   * Runs the timers that are due: a service packet with pending acks 5 s after they were queued,
   * and resends of messages unacknowledged for 3 s, forced 5 s after the last packet that carried
   * messages.
   *
   * @param nowMillis the current time, ms
   * @return the blobs to send now, possibly none
   */
  public List<byte[]> poll(long nowMillis) {
    List<byte[]> out = new ArrayList<>(2);
    boolean acksDue = ackDueMillis <= nowMillis;
    boolean resendDue = resendDueMillis <= nowMillis;
    if (acksDue) {
      ackDueMillis = Long.MAX_VALUE;
    }
    if (resendDue) {
      resendDueMillis = Long.MAX_VALUE;
    }
    if (acksDue || resendDue) {
      // tgcalls runs one service per timer; the second would find nothing new to carry.
      byte[] service = service(nowMillis);
      if (service != null) {
        out.add(service);
      }
    }
    return out;
  }

  /** @return the absolute time (ms) at which {@link #poll} has work, {@link Long#MAX_VALUE} if none */
  public long nextPollMillis() {
    return Math.min(ackDueMillis, resendDueMillis);
  }

  /** @return blobs dropped whole: bad size, failed {@code msg_key}, replayed counter, malformed records */
  public long droppedBlobs() {
    return droppedBlobs;
  }

  /** @return delivered records dropped as messages: not UTF-8, or a gzip that does not inflate */
  public long droppedMessages() {
    return droppedMessages;
  }

  /** @return how many sent messages wait for the peer's ack */
  int unackedCount() {
    return unacked.size();
  }

  // ------------------------------------------------------------------------------------ sending

  private int nextCounter() {
    if (counter == MAX_COUNTER) {
      throw new IllegalStateException("signaling packet counter exhausted");
    }
    return ++counter;
  }

  /** prepareForSendingService: {@code [empty][acks][due resends]}, or null with nothing to carry. */
  private byte[] service(long nowMillis) {
    if (unacked.isEmpty() && acksToSend.isEmpty()) {
      return null;
    }
    if (counter == MAX_COUNTER) {
      return null;
    }
    int seq = nextCounter();
    ByteArrayOutputStream packet = new ByteArrayOutputStream(64);
    writeInt(packet, seq);
    packet.write(ID_EMPTY);
    appendAdditional(packet, nowMillis);
    return crypto.encrypt(packet.toByteArray());
  }

  private static boolean enoughSpace(int plaintextSoFar, int amount) {
    return amount < MAX_SIGNALING_PACKET
        && SignalingCrypto.MSG_KEY_LENGTH + plaintextSoFar + amount <= MAX_SIGNALING_PACKET;
  }

  /** appendAdditionalMessages: pending acks, then unacked messages due for a resend, oldest first. */
  private void appendAdditional(ByteArrayOutputStream packet, long nowMillis) {
    for (Iterator<Integer> it = acksToSend.iterator(); it.hasNext() && enoughSpace(packet.size(), 5); ) {
      writeInt(packet, it.next());
      packet.write(ID_ACK);
      it.remove();
    }
    if (unacked.isEmpty()) {
      return;
    }
    for (Unacked u : unacked.values()) {
      boolean tooEarly = u.lastSentMillis != NOT_SENT
          && u.lastSentMillis + MIN_DELAY_BEFORE_RESEND_MS > nowMillis;
      if (tooEarly) {
        continue; // tgcalls skips it too: later messages may be due
      }
      if (!enoughSpace(packet.size(), u.record.length)) {
        break;
      }
      packet.writeBytes(u.record);
      u.lastSentMillis = nowMillis;
    }
    armResendTimer(nowMillis);
  }

  private void armResendTimer(long nowMillis) {
    if (resendDueMillis == Long.MAX_VALUE) {
      resendDueMillis = nowMillis + MAX_DELAY_BEFORE_RESEND_MS;
    }
  }

  // ---------------------------------------------------------------------------------- receiving

  /**
   * Checks the record list without changing state: every length within the plaintext, empty only
   * first, ack never first, no single-message bit after the first record nor together with the
   * ack-required bit, data lengths at most 1 MiB, whole records only.
   */
  static boolean isValidFraming(byte[] plain) {
    if (plain.length < 5) {
      return false;
    }
    int pos = 4;
    int seq = readInt(plain, 0);
    boolean additional = false;
    while (true) {
      boolean single = (seq & SINGLE_MESSAGE_BIT) != 0;
      if (single && additional) {
        return false;
      }
      int type = plain[pos] & 0xFF;
      if (type == ID_EMPTY) {
        if (additional) {
          return false;
        }
        pos += 1;
      } else if (type == ID_ACK) {
        if (!additional) {
          return false;
        }
        pos += 1;
      } else if (type == ID_DATA) {
        if (single && (seq & REQUIRES_ACK_BIT) != 0) {
          // tgcalls never sets both; acking such a seq verbatim would put the single-message bit
          // on a non-first record of our packet, which tgcalls rejects with all it carries
          return false;
        }
        if (plain.length - (pos + 1) < 4) {
          return false;
        }
        int length = readInt(plain, pos + 1);
        if (length < 0 || length > MAX_MESSAGE || plain.length - (pos + 5) < length) {
          return false;
        }
        pos += 5 + length;
      } else {
        return false;
      }
      int remaining = plain.length - pos;
      if (remaining == 0) {
        return true;
      }
      if (single || remaining < 5) {
        return false;
      }
      seq = readInt(plain, pos);
      pos += 4;
      additional = true;
    }
  }

  /** registerIncomingCounter, check half: false for a duplicate or a counter 64 or more behind. */
  private boolean checkReplay(int incomingCounter) {
    if (replayWindow.contains(incomingCounter)) {
      return false;
    }
    int largest = replayWindow.isEmpty() ? 0 : replayWindow.last();
    return (long) incomingCounter + REPLAY_WINDOW > largest;
  }

  /** registerIncomingCounter, update half: keeps only counters within 64 of the new one. */
  private void registerReplay(int incomingCounter) {
    while (!replayWindow.isEmpty() && (long) replayWindow.first() + REPLAY_WINDOW <= incomingCounter) {
      replayWindow.pollFirst();
    }
    replayWindow.add(incomingCounter);
  }

  private boolean registerReplayIfNew(int incomingCounter) {
    if (!checkReplay(incomingCounter)) {
      return false;
    }
    registerReplay(incomingCounter);
    return true;
  }

  /**
   * registerSentAck: true if the ack-required message with this counter is new. The first such
   * message of a packet is the sender's oldest unacknowledged one, so every smaller counter was
   * received before: those become the floor.
   */
  private boolean registerSeenAcked(int messageCounter, boolean firstInPacket) {
    if (messageCounter < seenFloor || seenAcked.contains(messageCounter)) {
      if (firstInPacket && messageCounter >= seenFloor) {
        seenAcked.headSet(messageCounter).clear();
        seenFloor = messageCounter;
      }
      return false;
    }
    if (firstInPacket) {
      seenAcked.headSet(messageCounter).clear();
      seenFloor = messageCounter;
    }
    seenAcked.add(messageCounter);
    while (seenAcked.size() > MAX_SEEN_ACKED) {
      seenFloor = seenAcked.pollFirst() + 1;
    }
    return true;
  }

  private void queueAck(int seq) {
    if (acksToSend.size() < MAX_PENDING_ACKS) {
      acksToSend.add(seq);
    }
  }

  private void ackMyMessage(int seq) {
    unacked.remove(seq);
  }

  /** The message as a string: gunzipped first if it starts with a gzip or zlib header. */
  private String decodeMessage(byte[] plain, int start, int length) {
    byte[] bytes;
    int offset;
    int size;
    if (length >= 2 && isCompressed(plain[start] & 0xFF, plain[start + 1] & 0xFF)) {
      bytes = inflate(plain, start, length, maxGunzipped);
      if (bytes == null) {
        return null;
      }
      offset = 0;
      size = bytes.length;
    } else {
      bytes = plain;
      offset = start;
      size = length;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, offset, size))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** tgcalls isGzip: {@code 1F 8B} (gzip) or {@code 78 9C} (zlib). */
  static boolean isCompressed(int first, int second) {
    return (first == 0x1F && second == 0x8B) || (first == 0x78 && second == 0x9C);
  }

  /**
   * Inflates a gzip or zlib stream to at most {@code limit} bytes.
   *
   * @return the bytes, or null if the stream is malformed, truncated or inflates past the limit
   */
  static byte[] inflate(byte[] data, int offset, int length, int limit) {
    java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(data, offset, length);
    try (InputStream inflating = data[offset] == 0x1F ? new GZIPInputStream(in, 512) : new InflaterInputStream(in)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, Math.max(64, length * 4)));
      byte[] chunk = new byte[4096];
      int n;
      while ((n = inflating.read(chunk)) > 0) {
        if (out.size() + n > limit) {
          return null;
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static int readInt(byte[] b, int pos) {
    return ((b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16) | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  @Override
  public String toString() {
    return "SignalingChannel{counter=" + counter + ", unacked=" + unacked.size() + ", acksToSend="
        + acksToSend.size() + ", dropped=" + droppedBlobs + "}";
  }
}
