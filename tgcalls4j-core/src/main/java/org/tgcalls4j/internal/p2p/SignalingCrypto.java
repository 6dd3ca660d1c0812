package org.tgcalls4j.internal.p2p;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.tgcalls4j.internal.dh.Dh;

/**
 * Packet encryption of private-call signaling (p2p-call.md §3.2; tgcalls
 * {@code EncryptedConnection::encryptPrepared}, {@code handleIncomingRawPacket},
 * {@code CryptoHelper.cpp} {@code PrepareAesKeyIv}/{@code AesProcessCtr}), shared by every
 * signaling mode: {@code packet = msg_key(16) || AES-256-CTR(plaintext)} with
 * {@code msg_key = SHA256(key[88+x .. 120+x] || plaintext)[8..24]}. The role selects the key slice
 * {@code x}: a caller encrypts with {@code x = 128} and decrypts with {@code 136}, a callee the
 * other way round. Replay checks and framing are the caller's business ({@link SignalingChannel}).
 *
 * <p>Not thread-safe (one digest and one cipher are reused): one owner. Never logs or exposes the
 * key.
 */
public final class SignalingCrypto {
  /** Length of the call key, bytes (p2p-call.md §1.4). */
  public static final int KEY_LENGTH = Dh.SIZE;
  /** Length of {@code msg_key}, bytes. */
  public static final int MSG_KEY_LENGTH = 16;
  /** Smallest packet a receiver decrypts: msg_key + a 4-byte seq + 1 byte, bytes. */
  public static final int MIN_PACKET = 21;
  /** Largest packet a receiver decrypts (tgcalls {@code kMaxIncomingPacketSize}), bytes. */
  public static final int MAX_PACKET = 128 * 1024;

  private final byte[] key;
  private final int sendX;
  private final int receiveX;
  private final MessageDigest sha256;
  private final Cipher aesCtr;

  /**
   * @param key256 the 256-byte call key (copied; the caller may wipe its array)
   * @param caller whether this side placed the call ({@code phoneCall.admin_id} is us)
   * @throws IllegalArgumentException if {@code key256} is null or not 256 bytes long
   */
  public SignalingCrypto(byte[] key256, boolean caller) {
    if (key256 == null || key256.length != KEY_LENGTH) {
      throw new IllegalArgumentException("call key must be " + KEY_LENGTH + " bytes, got "
          + (key256 == null ? "null" : key256.length + " bytes"));
    }
    this.key = key256.clone();
    this.sendX = caller ? 128 : 136;
    this.receiveX = caller ? 136 : 128;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
      this.aesCtr = Cipher.getInstance("AES/CTR/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JVM lacks SHA-256 or AES/CTR", e);
    }
  }

  /**
   * Encrypts one plaintext (seq and records already in it).
   *
   * @param plaintext the bytes to encrypt; not kept
   * @return a new array {@code msg_key(16) || ciphertext}, {@code 16 + plaintext.length} bytes
   */
  public byte[] encrypt(byte[] plaintext) {
    byte[] packet = new byte[MSG_KEY_LENGTH + plaintext.length];
    byte[] msgKey = msgKey(sendX, plaintext, 0, plaintext.length);
    System.arraycopy(msgKey, 0, packet, 0, MSG_KEY_LENGTH);
    ctr(sendX, msgKey, plaintext, 0, plaintext.length, packet, MSG_KEY_LENGTH);
    return packet;
  }

  /**
   * Decrypts and authenticates one packet from the peer.
   *
   * @param packet the buffer holding the packet; not kept, not modified
   * @param offset where the packet starts in {@code packet}
   * @param length the packet's length, bytes
   * @return a new array with the whole plaintext (seq included), or null if {@code length} is
   *     outside {@value #MIN_PACKET}..{@value #MAX_PACKET} or the {@code msg_key} does not match
   *     (compared in constant time)
   * @throws IndexOutOfBoundsException if the range lies outside {@code packet}
   */
  public byte[] decrypt(byte[] packet, int offset, int length) {
    if (length < MIN_PACKET || length > MAX_PACKET) {
      return null;
    }
    java.util.Objects.checkFromIndexSize(offset, length, packet.length);
    byte[] msgKey = Arrays.copyOfRange(packet, offset, offset + MSG_KEY_LENGTH);
    byte[] plaintext = new byte[length - MSG_KEY_LENGTH];
    ctr(receiveX, msgKey, packet, offset + MSG_KEY_LENGTH, plaintext.length, plaintext, 0);
    byte[] expected = msgKey(receiveX, plaintext, 0, plaintext.length);
    return MessageDigest.isEqual(expected, msgKey) ? plaintext : null;
  }

  private byte[] msgKey(int x, byte[] plaintext, int offset, int length) {
    sha256.reset();
    sha256.update(key, 88 + x, 32);
    sha256.update(plaintext, offset, length);
    return Arrays.copyOfRange(sha256.digest(), 8, 24);
  }

  /** AES-256-CTR with the key and IV of {@code PrepareAesKeyIv}; the IV is the 128-bit counter. */
  private void ctr(int x, byte[] msgKey, byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    sha256.reset();
    sha256.update(msgKey);
    sha256.update(key, x, 36);
    byte[] a = sha256.digest();
    sha256.update(key, 40 + x, 36);
    sha256.update(msgKey);
    byte[] b = sha256.digest();
    byte[] aesKey = new byte[32];
    System.arraycopy(a, 0, aesKey, 0, 8);
    System.arraycopy(b, 8, aesKey, 8, 16);
    System.arraycopy(a, 24, aesKey, 24, 8);
    byte[] iv = new byte[16];
    System.arraycopy(b, 0, iv, 0, 4);
    System.arraycopy(a, 8, iv, 4, 8);
    System.arraycopy(b, 24, iv, 12, 4);
    try {
      aesCtr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"), new IvParameterSpec(iv));
      int written = aesCtr.doFinal(in, inOffset, length, out, outOffset);
      if (written != length) {
        throw new IllegalStateException("AES/CTR wrote " + written + " of " + length + " bytes");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/CTR failed", e);
    } finally {
      Arrays.fill(aesKey, (byte) 0);
    }
  }
}
