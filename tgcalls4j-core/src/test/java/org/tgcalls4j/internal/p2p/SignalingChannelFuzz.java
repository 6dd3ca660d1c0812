package org.tgcalls4j.internal.p2p;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code p2p-signaling}: blobs into a {@link SignalingChannel} with a fixed key. Byte 0
 * picks the mode (bits 0–1) and our role (bit 2: set = we are the caller); fresh channels per
 * input:
 *
 * <ul>
 *   <li>mode 0: the rest is one blob for {@link SignalingChannel#receive} as it came off the wire;
 *   <li>mode 1: the rest is a plaintext that the peer's {@link SignalingCrypto} encrypts first, so
 *       every input reaches the record parser;
 *   <li>mode 2/3: the rest is a list of operations {@code op(1) | length(2, BE) | bytes} (the last
 *       one may be cut): op%4 = 0 raw blob, 1 plaintext encrypted by the peer, 2 advance the clock
 *       by {@code first byte × 100 ms} and {@link SignalingChannel#poll}, 3 {@link
 *       SignalingChannel#send} of the bytes as UTF-8; what our channel emits goes to a real peer
 *       channel and the peer's replies come back.
 * </ul>
 *
 * <p>Declared: no exception from {@code receive} and {@code poll}; {@link IllegalArgumentException}
 * from {@code send} only for a message that does not fit one packet. Checked after every call: the
 * drop counter grows by at most one per blob; every blob our channel emits decrypts for the peer,
 * is at most 16384 bytes and has a valid record list; {@code nextPollMillis} is never in the past
 * after a poll. The gunzip limit is 64 KiB instead of 2 MiB here: inflating a 4 KiB input to the real
 * limit would break the fuzzer's allocation oracle (64 × input + 1 MiB) by design, not by a bug.
 */
public final class SignalingChannelFuzz implements FuzzTarget {
  static final int FUZZ_GUNZIP_LIMIT = 64 * 1024;
  private static final byte[] KEY = key();

  private static byte[] key() {
    byte[] key = new byte[256];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (7 * i + 3);
    }
    return key;
  }

  private SignalingChannel ours;
  private SignalingChannel peer;
  private SignalingCrypto peerCrypto;
  private SignalingCrypto ourCryptoView; // decrypts what the peer sends, to check the peer's output
  private SignalingCrypto peerView; // decrypts what we send
  private long now;

  @Override
  public void fuzz(byte[] data) {
    if (data.length == 0) {
      return;
    }
    int mode = data[0] & 3;
    boolean caller = (data[0] & 4) != 0;
    byte[] key = KEY;
    ours = new SignalingChannel(key, caller, FUZZ_GUNZIP_LIMIT);
    peer = new SignalingChannel(key, !caller, FUZZ_GUNZIP_LIMIT);
    peerCrypto = new SignalingCrypto(key, !caller);
    peerView = peerCrypto;
    ourCryptoView = new SignalingCrypto(key, caller);
    now = 1000;
    byte[] rest = Arrays.copyOfRange(data, 1, data.length);
    switch (mode) {
      case 0 -> receive(rest);
      case 1 -> receive(peerCrypto.encrypt(rest));
      default -> operations(rest);
    }
  }

  private void operations(byte[] ops) {
    int pos = 0;
    int count = 0;
    while (pos < ops.length && count++ < 64) {
      int op = ops[pos] & 3;
      int length = pos + 2 < ops.length ? ((ops[pos + 1] & 0xFF) << 8) | (ops[pos + 2] & 0xFF) : 0;
      int start = Math.min(pos + 3, ops.length);
      int end = Math.min(start + length, ops.length);
      byte[] chunk = Arrays.copyOfRange(ops, start, end);
      pos = end;
      switch (op) {
        case 0 -> receive(chunk);
        case 1 -> receive(peerCrypto.encrypt(chunk));
        case 2 -> {
          now += (chunk.length == 0 ? 0 : chunk[0] & 0xFF) * 100L;
          toPeer(ours.poll(now));
          check(ours.nextPollMillis() > now, "nextPollMillis in the past after poll");
          peer.poll(now);
        }
        default -> {
          String json = new String(chunk, StandardCharsets.UTF_8);
          List<byte[]> sent;
          try {
            sent = ours.send(json, now);
          } catch (IllegalArgumentException tooLarge) {
            check(json.getBytes(StandardCharsets.UTF_8).length > 16384 - 25, "refused a message that fits");
            continue;
          }
          toPeer(sent);
        }
      }
    }
  }

  private void receive(byte[] blob) {
    long before = ours.droppedBlobs();
    SignalingChannel.Received r = ours.receive(blob, now);
    long dropped = ours.droppedBlobs() - before;
    check(dropped == 0 || dropped == 1, "drop counter moved by " + dropped);
    check(dropped == 0 || (r.messages().isEmpty() && r.replies().isEmpty()), "dropped blob had output");
    if (blob.length < SignalingCrypto.MIN_PACKET || blob.length > SignalingCrypto.MAX_PACKET) {
      check(dropped == 1, "blob of " + blob.length + " bytes not dropped");
    }
    for (String m : r.messages()) {
      check(m != null, "null message");
    }
    toPeer(r.replies());
  }

  /** Our output must be well-formed for the peer; the peer's replies come back once. */
  private void toPeer(List<byte[]> blobs) {
    for (byte[] blob : blobs) {
      check(blob.length <= SignalingChannel.MAX_SIGNALING_PACKET, "sent a packet of " + blob.length);
      byte[] plain = peerView.decrypt(blob, 0, blob.length);
      check(plain != null, "peer cannot decrypt our packet");
      check(SignalingChannel.isValidFraming(plain), "we sent a malformed record list");
      long before = peer.droppedBlobs();
      SignalingChannel.Received r = peer.receive(blob, now);
      check(peer.droppedBlobs() == before, "peer dropped our packet");
      for (byte[] reply : r.replies()) {
        byte[] p = ourCryptoView.decrypt(reply, 0, reply.length);
        check(p != null && SignalingChannel.isValidFraming(p), "peer reply malformed");
        ours.receive(reply, now);
      }
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }
}
