package org.tgcalls4j.internal.srtp;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.tgcalls4j.internal.util.IntMap;

/**
 * SRTP and SRTCP protection for one direction of one DTLS-SRTP association, keeping per-SSRC
 * rollover counters, SRTCP indexes and replay windows (RFC 3711, RFC 7714). Use an instance either
 * only to protect or only to unprotect. Not thread-safe: confine it to one thread (the I/O thread
 * for receiving) or guard it with one lock (the send lock for sending).
 *
 * <p>Two forms of every operation:
 *
 * <ul>
 *   <li>In place ({@link #protectRtpInPlace}, {@link #protectRtcpInPlace},
 *       {@link #unprotectRtpInPlace}, {@link #unprotectRtcpInPlace}): the caller's buffer is
 *       overwritten with the result, which starts at the same offset, and the new length is
 *       returned. The context keeps no reference to the buffer after the call; the caller owns it
 *       before, during and after. This is the per-packet path: it allocates nothing once an SSRC
 *       has been seen (and its scratch arrays fit the largest packet). To get there, AES-CM and
 *       AES-GCM run on an AES/ECB cipher keyed once ({@link AesGcm} computes GHASH itself): JCA's
 *       AES/CTR and AES/GCM must be re-initialized for every IV, and its GCM allocates about a
 *       kilobyte of engine state per {@code Cipher.init}.
 *   <li>Copying ({@link #protectRtp}, {@link #protectRtcp}, {@link #unprotectRtp},
 *       {@link #unprotectRtcp}): the input is only read and the result is a new array owned by the
 *       caller.
 * </ul>
 *
 * <p>Per-packet failures on receive are returned (as {@link SrtpStatus} or a negative code), never
 * thrown.
 */
public final class SrtpContext {
  /** The longest authentication tag of any profile: the room to leave after a packet to protect. */
  public static final int MAX_TAG_BYTES = 16;
  /** Bytes SRTCP adds beyond the tag: the E flag and SRTCP index (RFC 3711 §3.4). */
  public static final int SRTCP_INDEX_BYTES = 4;

  private static final int RTP_HEADER_BYTES = 12;
  private static final int RTCP_HEADER_BYTES = 8;
  private static final int AES_BLOCK_BYTES = 16;
  private static final int HMAC_SHA1_AUTH_KEY_BYTES = 20;
  private static final int AES_CM_SALT_BYTES = 14;
  private static final int AEAD_IV_BYTES = 12;
  private static final int E_FLAG = 0x8000_0000;
  private static final int SRTCP_INDEX_MASK = 0x7FFF_FFFF;
  /** Keystream scratch grows to the largest payload seen; a UDP datagram rarely exceeds this. */
  private static final int INITIAL_KEYSTREAM_BYTES = 2048;

  private final boolean aead;
  private final int tagBytes;
  private final SessionKeys rtpKeys;
  private final SessionKeys rtcpKeys;
  /** AES-CM: AES/ECB with the session key, for the keystream; null for AEAD profiles. */
  private final Cipher rtpCipher;
  private final Cipher rtcpCipher;
  private final AesGcm rtpGcm; // null for AES-CM
  private final AesGcm rtcpGcm; // null for AES-CM
  private final HmacSha1 rtpMac; // null for AEAD profiles
  private final HmacSha1 rtcpMac; // null for AEAD profiles
  // scratch, reused by every call (hence the single-thread rule)
  private final byte[] macScratch = new byte[HmacSha1.BYTES];
  private final byte[] wordScratch = new byte[4];
  private final byte[] ivScratch = new byte[AES_BLOCK_BYTES];
  private byte[] counterBlocks = new byte[INITIAL_KEYSTREAM_BYTES];
  private byte[] keystream = new byte[INITIAL_KEYSTREAM_BYTES];

  private final IntMap<SendState> sent = new IntMap<>();
  private final IntMap<ReplayWindow> receivedRtp = new IntMap<>();
  private final IntMap<ReplayWindow> receivedRtcp = new IntMap<>();

  /**
   * Derives the SRTP and SRTCP session keys from the master key and salt (RFC 3711 §4.3, key
   * derivation rate 0).
   *
   * @param profile the negotiated protection profile
   * @param masterKey {@link SrtpProfile#keyLengthBytes()} bytes; copied
   * @param masterSalt {@link SrtpProfile#saltLengthBytes()} bytes; copied
   * @throws IllegalArgumentException if the key or salt length does not match the profile
   * @throws NullPointerException if any argument is null
   */
  public SrtpContext(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
    this(profile, deriveRtp(profile, masterKey, masterSalt), deriveRtcp(profile, masterKey, masterSalt));
  }

  /** Uses session keys directly, skipping the KDF; for RFC test vectors that start from them. */
  SrtpContext(SrtpProfile profile, SessionKeys rtpKeys, SessionKeys rtcpKeys) {
    this.aead = profile != SrtpProfile.AES128_CM_HMAC_SHA1_80;
    this.tagBytes = profile.tagLengthBytes();
    this.rtpKeys = rtpKeys;
    this.rtcpKeys = rtcpKeys;
    // AES-CM (RFC 3711 §4.1.1) is AES in counter mode and AEAD is AES-GCM; both are computed
    // from AES/ECB keyed once, instead of re-initializing a JCA cipher with a new IV per packet
    try {
      if (aead) {
        rtpCipher = null;
        rtcpCipher = null;
        rtpGcm = new AesGcm(rtpKeys.encryptionKey());
        rtcpGcm = new AesGcm(rtcpKeys.encryptionKey());
        rtpMac = null;
        rtcpMac = null;
      } else {
        rtpCipher = Cipher.getInstance("AES/ECB/NoPadding");
        rtcpCipher = Cipher.getInstance("AES/ECB/NoPadding");
        rtpCipher.init(Cipher.ENCRYPT_MODE, rtpKeys.encryptionKey());
        rtcpCipher.init(Cipher.ENCRYPT_MODE, rtcpKeys.encryptionKey());
        rtpGcm = null;
        rtcpGcm = null;
        rtpMac = new HmacSha1(rtpKeys.authKey());
        rtcpMac = new HmacSha1(rtcpKeys.authKey());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA cannot provide AES/ECB/NoPadding or SHA-1", e);
    }
  }

  /** @return the tag length of this context's profile in bytes (10 or 16) */
  public int tagLengthBytes() {
    return tagBytes;
  }

  /**
   * Encrypts and authenticates one RTP packet (RFC 3711 §3.3, RFC 7714 §8) into a new array; see
   * {@link #protectRtpInPlace} for the rules.
   *
   * @param packet holds the plain RTP packet; read only
   * @param offset where the packet starts in {@code packet}
   * @param length packet length in bytes
   * @return a new array: the SRTP packet, {@code length + tagLengthBytes} long
   * @throws IllegalArgumentException if the packet is not a version-2 RTP packet whose CSRC list and
   *     header extension fit in {@code length}
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code packet}
   * @throws IllegalStateException if the packet's index is not above every index already protected
   *     for its SSRC (see {@link #protectRtpInPlace})
   */
  public byte[] protectRtp(byte[] packet, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, packet.length);
    byte[] out = Arrays.copyOfRange(packet, offset, offset + length + tagBytes);
    protectRtpInPlace(out, 0, length);
    return out;
  }

  /**
   * Encrypts and authenticates one RTP packet in its buffer (RFC 3711 §3.3, RFC 7714 §8). The
   * payload starts after the CSRC list and the header extension, which stay in the clear (and are
   * authenticated); the tag is written right after the packet. The packet index comes from the
   * sequence number and this context's rollover counter for the SSRC (RFC 3711 §3.3.1).
   *
   * @param buffer holds the plain RTP packet at {@code offset}, followed by at least
   *     {@link #tagLengthBytes()} bytes of room; on return it holds the SRTP packet there. Owned by
   *     the caller; not kept. Unchanged if an exception is thrown
   * @param offset where the packet starts in {@code buffer}
   * @param length plain packet length in bytes
   * @return the SRTP packet's length: {@code length + tagLengthBytes()}
   * @throws IllegalArgumentException if the packet is not a version-2 RTP packet whose CSRC list and
   *     header extension fit in {@code length}
   * @throws IndexOutOfBoundsException if the packet and the room for the tag lie outside
   *     {@code buffer}
   * @throws IllegalStateException if the packet's index (ROC and sequence number) is not above
   *     every index already protected for its SSRC: sending it would reuse a keystream
   *     (RFC 3711 §9.2); senders number packets in order, so this signals a bug
   */
  public int protectRtpInPlace(byte[] buffer, int offset, int length) {
    Objects.checkFromIndexSize(offset, length + tagBytes, buffer.length);
    int headerBytes = rtpHeaderLength(buffer, offset, length);
    if (headerBytes < 0) {
      throw new IllegalArgumentException(
          "not a version-2 RTP packet whose CSRCs and header extension fit in " + length + " bytes");
    }
    int ssrc = readInt(buffer, offset + 8);
    int seq = readUnsignedShort(buffer, offset + 2);
    SendState state = sent.get(ssrc);
    long highest = state == null ? -1 : state.highestRtpIndex;
    long index = highest < 0 ? seq : estimateIndex(highest, seq);
    if (highest >= 0 && index <= highest) {
      // RFC 3711 §9.2: an index must never be used twice with one key; the receiver-style
      // estimate above would map an old sequence number onto an index already sent
      throw new IllegalStateException("SRTP index " + index + " of SSRC " + Integer.toUnsignedString(ssrc)
          + " is not above the highest already protected (" + highest
          + "): protecting it would reuse a keystream");
    }
    int roc = (int) (index >>> 16);
    int payloadBytes = length - headerBytes;
    try {
      if (aead) {
        aeadRtpIv(rtpKeys.salt(), ssrc, roc, seq);
        rtpGcm.seal(ivScratch, buffer, offset, headerBytes, null, 0, 0,
            buffer, offset + headerBytes, payloadBytes);
      } else {
        aesCmIv(rtpKeys.salt(), ssrc, index);
        aesCm(rtpCipher, buffer, offset + headerBytes, payloadBytes);
        writeInt(wordScratch, 0, roc);
        rtpMac.mac(buffer, offset, length, wordScratch, macScratch);
        System.arraycopy(macScratch, 0, buffer, offset + length, tagBytes);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot protect RTP SSRC " + Integer.toUnsignedString(ssrc)
          + " index " + index + ": " + e.getMessage(), e);
    }
    if (state == null) {
      state = new SendState();
      sent.put(ssrc, state);
    }
    state.highestRtpIndex = index;
    return length + tagBytes;
  }

  /**
   * Encrypts and authenticates one (compound) RTCP packet into a new array; see
   * {@link #protectRtcpInPlace} for the rules.
   *
   * @param packet holds the plain RTCP packet; read only
   * @param offset where the packet starts in {@code packet}
   * @param length packet length in bytes
   * @return a new array: header, encrypted body, then E flag + index and tag (AES-CM) or tag and E
   *     flag + index (AEAD)
   * @throws IllegalArgumentException if the packet is shorter than the 8-byte RTCP header or not
   *     version 2
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code packet}
   */
  public byte[] protectRtcp(byte[] packet, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, packet.length);
    byte[] out = Arrays.copyOfRange(packet, offset, offset + length + SRTCP_INDEX_BYTES + tagBytes);
    protectRtcpInPlace(out, 0, length);
    return out;
  }

  /**
   * Encrypts and authenticates one (compound) RTCP packet in its buffer, with the E flag set and
   * this SSRC's next SRTCP index, starting at 0 and incremented per packet (RFC 3711 §3.4, RFC 7714
   * §9).
   *
   * @param buffer holds the plain RTCP packet at {@code offset}, followed by at least
   *     {@link #SRTCP_INDEX_BYTES} {@code +} {@link #tagLengthBytes()} bytes of room; on return it
   *     holds the SRTCP packet there: header, encrypted body, then E flag + index and tag (AES-CM)
   *     or tag and E flag + index (AEAD). Owned by the caller; not kept
   * @param offset where the packet starts in {@code buffer}
   * @param length plain packet length in bytes
   * @return the SRTCP packet's length: {@code length + 4 + tagLengthBytes()}
   * @throws IllegalArgumentException if the packet is shorter than the 8-byte RTCP header or not
   *     version 2
   * @throws IndexOutOfBoundsException if the packet and the room after it lie outside
   *     {@code buffer}
   */
  public int protectRtcpInPlace(byte[] buffer, int offset, int length) {
    Objects.checkFromIndexSize(offset, length + SRTCP_INDEX_BYTES + tagBytes, buffer.length);
    if (!isRtcpHeader(buffer, offset, length)) {
      throw new IllegalArgumentException(
          "not a version-2 RTCP packet of at least 8 bytes (length " + length + ")");
    }
    int ssrc = readInt(buffer, offset + 4);
    SendState state = sent.get(ssrc);
    if (state == null) {
      state = new SendState();
      sent.put(ssrc, state);
    }
    int index = state.nextSrtcpIndex;
    state.nextSrtcpIndex = (index + 1) & SRTCP_INDEX_MASK;
    int indexWord = E_FLAG | index;

    int bodyBytes = length - RTCP_HEADER_BYTES;
    try {
      if (aead) {
        aeadRtcpIv(rtcpKeys.salt(), ssrc, index);
        writeInt(wordScratch, 0, indexWord);
        rtcpGcm.seal(ivScratch, buffer, offset, RTCP_HEADER_BYTES, wordScratch, 0, SRTCP_INDEX_BYTES,
            buffer, offset + RTCP_HEADER_BYTES, bodyBytes);
        writeInt(buffer, offset + length + tagBytes, indexWord);
      } else {
        aesCmIv(rtcpKeys.salt(), ssrc, index);
        aesCm(rtcpCipher, buffer, offset + RTCP_HEADER_BYTES, bodyBytes);
        writeInt(buffer, offset + length, indexWord);
        rtcpMac.mac(buffer, offset, length + SRTCP_INDEX_BYTES, null, macScratch);
        System.arraycopy(macScratch, 0, buffer, offset + length + SRTCP_INDEX_BYTES, tagBytes);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot protect RTCP SSRC " + Integer.toUnsignedString(ssrc)
          + " index " + index + ": " + e.getMessage(), e);
    }
    return length + SRTCP_INDEX_BYTES + tagBytes;
  }

  /**
   * Authenticates, replay-checks and decrypts one SRTP packet into a new array; see
   * {@link #unprotectRtpInPlace} for the rules.
   *
   * @param packet holds the SRTP packet; read only
   * @param offset where the packet starts in {@code packet}
   * @param length packet length in bytes, tag included
   * @return the status, and when OK a new array with the plain RTP packet (tag removed)
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code packet}
   */
  public SrtpResult unprotectRtp(byte[] packet, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, packet.length);
    byte[] copy = Arrays.copyOfRange(packet, offset, offset + length);
    return result(copy, unprotectRtpInPlace(copy, 0, length));
  }

  /**
   * Authenticates, replay-checks and decrypts one SRTP packet in its buffer (RFC 3711 §3.3, RFC
   * 7714 §8). The rollover counter is estimated per SSRC (RFC 3711 Appendix A); it and the replay
   * window advance only when the packet authenticates.
   *
   * @param buffer holds the SRTP packet at {@code offset}; when the result is not negative it holds
   *     the plain RTP packet there (the bytes after it, where the tag was, are unspecified). After a
   *     failure its content is unspecified. Owned by the caller; not kept
   * @param offset where the packet starts in {@code buffer}
   * @param length packet length in bytes, tag included
   * @return the plain packet's length ({@code length - tagLengthBytes()}) when it authenticated,
   *     else a negative code for {@link #statusOf}
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code buffer}
   */
  public int unprotectRtpInPlace(byte[] buffer, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    int plainBytes = length - tagBytes;
    int headerBytes = rtpHeaderLength(buffer, offset, plainBytes);
    if (headerBytes < 0) {
      return failure(SrtpStatus.MALFORMED);
    }
    int ssrc = readInt(buffer, offset + 8);
    int seq = readUnsignedShort(buffer, offset + 2);
    ReplayWindow window = receivedRtp.get(ssrc);
    long index = window == null ? seq : estimateIndex(window.highestIndex(), seq);
    if (index < 0 || (window != null && window.isReplay(index))) {
      return failure(SrtpStatus.REPLAY_FAIL);
    }
    int roc = (int) (index >>> 16);
    try {
      if (aead) {
        aeadRtpIv(rtpKeys.salt(), ssrc, roc, seq);
        if (!rtpGcm.open(ivScratch, buffer, offset, headerBytes, null, 0, 0,
            buffer, offset + headerBytes, plainBytes - headerBytes)) {
          return failure(SrtpStatus.AUTH_FAIL);
        }
      } else {
        writeInt(wordScratch, 0, roc);
        rtpMac.mac(buffer, offset, plainBytes, wordScratch, macScratch);
        if (!tagMatches(buffer, offset + plainBytes)) {
          return failure(SrtpStatus.AUTH_FAIL);
        }
        aesCmIv(rtpKeys.salt(), ssrc, index);
        aesCm(rtpCipher, buffer, offset + headerBytes, plainBytes - headerBytes);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA failed to unprotect RTP: " + e.getMessage(), e);
    }
    if (window == null) {
      receivedRtp.put(ssrc, new ReplayWindow(index));
    } else {
      window.markReceived(index);
    }
    return plainBytes;
  }

  /**
   * Authenticates, replay-checks and, if the E flag is set, decrypts one SRTCP packet into a new
   * array; see {@link #unprotectRtcpInPlace} for the rules.
   *
   * @param packet holds the SRTCP packet; read only
   * @param offset where the packet starts in {@code packet}
   * @param length packet length in bytes, index and tag included
   * @return the status, and when OK a new array with the plain RTCP packet (index and tag removed)
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code packet}
   */
  public SrtpResult unprotectRtcp(byte[] packet, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, packet.length);
    byte[] copy = Arrays.copyOfRange(packet, offset, offset + length);
    return result(copy, unprotectRtcpInPlace(copy, 0, length));
  }

  /**
   * Authenticates, replay-checks and, if the E flag is set, decrypts one SRTCP packet in its buffer
   * (RFC 3711 §3.4, RFC 7714 §9). Packets with the E flag clear are authenticated only. The replay
   * window per SSRC advances only when the packet authenticates.
   *
   * @param buffer holds the SRTCP packet at {@code offset}; when the result is not negative it
   *     holds the plain RTCP packet there (the bytes after it are unspecified). After a failure its
   *     content is unspecified. Owned by the caller; not kept
   * @param offset where the packet starts in {@code buffer}
   * @param length packet length in bytes, index and tag included
   * @return the plain packet's length when it authenticated, else a negative code for
   *     {@link #statusOf}
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code buffer}
   */
  public int unprotectRtcpInPlace(byte[] buffer, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, buffer.length);
    int plainBytes = length - SRTCP_INDEX_BYTES - tagBytes;
    if (plainBytes < RTCP_HEADER_BYTES || !isRtcpHeader(buffer, offset, plainBytes)) {
      return failure(SrtpStatus.MALFORMED);
    }
    int ssrc = readInt(buffer, offset + 4);
    // AES-CM puts E flag + index before the tag; AEAD puts it last (RFC 7714 §9, Figure 3).
    int indexOffset = offset + (aead ? length - SRTCP_INDEX_BYTES : plainBytes);
    int indexWord = readInt(buffer, indexOffset);
    boolean encrypted = (indexWord & E_FLAG) != 0;
    int index = indexWord & SRTCP_INDEX_MASK;
    ReplayWindow window = receivedRtcp.get(ssrc);
    if (window != null && window.isReplay(index)) {
      return failure(SrtpStatus.REPLAY_FAIL);
    }
    try {
      if (aead) {
        aeadRtcpIv(rtcpKeys.salt(), ssrc, index);
        int aadBytes = encrypted ? RTCP_HEADER_BYTES : plainBytes;
        if (!rtcpGcm.open(ivScratch, buffer, offset, aadBytes, buffer, indexOffset, SRTCP_INDEX_BYTES,
            buffer, offset + aadBytes, plainBytes - aadBytes)) {
          return failure(SrtpStatus.AUTH_FAIL);
        }
      } else {
        rtcpMac.mac(buffer, offset, plainBytes + SRTCP_INDEX_BYTES, null, macScratch);
        if (!tagMatches(buffer, offset + plainBytes + SRTCP_INDEX_BYTES)) {
          return failure(SrtpStatus.AUTH_FAIL);
        }
        if (encrypted) {
          aesCmIv(rtcpKeys.salt(), ssrc, index);
          aesCm(rtcpCipher, buffer, offset + RTCP_HEADER_BYTES, plainBytes - RTCP_HEADER_BYTES);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA failed to unprotect RTCP: " + e.getMessage(), e);
    }
    if (window == null) {
      receivedRtcp.put(ssrc, new ReplayWindow(index));
    } else {
      window.markReceived(index);
    }
    return plainBytes;
  }

  /**
   * @param result what an {@code unprotect...InPlace} method returned
   * @return {@link SrtpStatus#OK} for a length (not negative), else the failure it encodes
   */
  public static SrtpStatus statusOf(int result) {
    return result >= 0 ? SrtpStatus.OK : SrtpStatus.values()[-result];
  }

  private static int failure(SrtpStatus status) {
    return -status.ordinal(); // OK is ordinal 0, so every failure is negative
  }

  private static SrtpResult result(byte[] buffer, int result) {
    return result >= 0 ? SrtpResult.ok(Arrays.copyOf(buffer, result))
        : SrtpResult.failed(statusOf(result));
  }

  /**
   * RFC 3711 Appendix A: the index of a packet with sequence number {@code seq}, guessing its
   * rollover counter from the highest index seen for the SSRC.
   *
   * @return the 48-bit index, or -1 if the guess would be a rollover counter below zero
   */
  static long estimateIndex(long highestIndex, int seq) {
    long roc = highestIndex >>> 16;
    int highestSeq = (int) (highestIndex & 0xFFFF);
    long guessedRoc;
    if (highestSeq < 0x8000) {
      guessedRoc = seq - highestSeq > 0x8000 ? roc - 1 : roc;
    } else {
      guessedRoc = highestSeq - 0x8000 > seq ? roc + 1 : roc;
    }
    return guessedRoc < 0 ? -1 : guessedRoc << 16 | seq;
  }

  /**
   * RTP header length including CSRCs and the header extension (RFC 3550 §5.1, §5.3.1).
   *
   * @return the length in bytes, or -1 if the packet is not version 2 or the header does not fit
   */
  static int rtpHeaderLength(byte[] packet, int offset, int length) {
    if (length < RTP_HEADER_BYTES || (packet[offset] & 0xC0) != 0x80) {
      return -1;
    }
    int headerBytes = RTP_HEADER_BYTES + 4 * (packet[offset] & 0x0F);
    if ((packet[offset] & 0x10) != 0) {
      if (headerBytes + 4 > length) {
        return -1;
      }
      int extensionWords = readUnsignedShort(packet, offset + headerBytes + 2);
      headerBytes += 4 + 4 * extensionWords;
    }
    return headerBytes <= length ? headerBytes : -1;
  }

  private static boolean isRtcpHeader(byte[] packet, int offset, int length) {
    return length >= RTCP_HEADER_BYTES && (packet[offset] & 0xC0) == 0x80;
  }

  /**
   * Constant-time comparison of the first tagBytes of macScratch with the tag in the packet (the
   * time does not depend on where the bytes differ).
   */
  private boolean tagMatches(byte[] packet, int tagOffset) {
    int difference = 0;
    for (int i = 0; i < tagBytes; i++) {
      difference |= macScratch[i] ^ packet[tagOffset + i];
    }
    return difference == 0;
  }

  /** RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), into ivScratch. */
  private void aesCmIv(byte[] salt, int ssrc, long index) {
    byte[] iv = ivScratch;
    System.arraycopy(salt, 0, iv, 0, AES_CM_SALT_BYTES);
    iv[14] = 0;
    iv[15] = 0;
    xorInt(iv, 4, ssrc);
    xorInt(iv, 8, (int) (index >>> 16));
    iv[12] ^= (byte) (index >>> 8);
    iv[13] ^= (byte) index;
  }

  /**
   * AES in counter mode (RFC 3711 §4.1.1) over {@code length} bytes of {@code data} at
   * {@code offset}, in place: keystream block i is AES(k_e, IV + i), IV from ivScratch, whose low
   * 16 bits are zero, so the block counter only ever touches the last two bytes.
   */
  private void aesCm(Cipher ecb, byte[] data, int offset, int length) throws GeneralSecurityException {
    if (length <= 0) {
      return;
    }
    int blocks = (length + AES_BLOCK_BYTES - 1) / AES_BLOCK_BYTES;
    int keystreamBytes = blocks * AES_BLOCK_BYTES;
    if (keystreamBytes > counterBlocks.length) {
      counterBlocks = new byte[keystreamBytes];
      keystream = new byte[keystreamBytes];
    }
    byte[] counters = counterBlocks;
    for (int i = 0, at = 0; i < blocks; i++, at += AES_BLOCK_BYTES) {
      System.arraycopy(ivScratch, 0, counters, at, AES_BLOCK_BYTES - 2);
      counters[at + 14] = (byte) (i >>> 8);
      counters[at + 15] = (byte) i;
    }
    // distinct input and output arrays: JCA copies the input when they overlap
    int produced = ecb.update(counters, 0, keystreamBytes, keystream, 0);
    if (produced != keystreamBytes) {
      throw new GeneralSecurityException("AES/ECB produced " + produced + " of " + keystreamBytes
          + " keystream bytes");
    }
    byte[] key = keystream;
    for (int i = 0; i < length; i++) {
      data[offset + i] ^= key[i];
    }
  }

  /** RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt, into ivScratch. */
  private void aeadRtpIv(byte[] salt, int ssrc, int roc, int seq) {
    byte[] iv = ivScratch;
    System.arraycopy(salt, 0, iv, 0, AEAD_IV_BYTES);
    xorInt(iv, 2, ssrc);
    xorInt(iv, 6, roc);
    iv[10] ^= (byte) (seq >>> 8);
    iv[11] ^= (byte) seq;
  }

  /** RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt, into ivScratch. */
  private void aeadRtcpIv(byte[] salt, int ssrc, int index) {
    byte[] iv = ivScratch;
    System.arraycopy(salt, 0, iv, 0, AEAD_IV_BYTES);
    xorInt(iv, 2, ssrc);
    xorInt(iv, 8, index);
  }

  private static SessionKeys deriveRtp(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
    return derive(profile, masterKey, masterSalt,
        SrtpKdf.LABEL_RTP_ENCRYPTION, SrtpKdf.LABEL_RTP_SALT, SrtpKdf.LABEL_RTP_AUTH);
  }

  private static SessionKeys deriveRtcp(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
    return derive(profile, masterKey, masterSalt,
        SrtpKdf.LABEL_RTCP_ENCRYPTION, SrtpKdf.LABEL_RTCP_SALT, SrtpKdf.LABEL_RTCP_AUTH);
  }

  private static SessionKeys derive(SrtpProfile profile, byte[] masterKey, byte[] masterSalt,
      int encryptionLabel, int saltLabel, int authLabel) {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(masterKey, "masterKey");
    Objects.requireNonNull(masterSalt, "masterSalt");
    if (masterKey.length != profile.keyLengthBytes()) {
      throw new IllegalArgumentException(profile + " needs a " + profile.keyLengthBytes()
          + "-byte master key, got " + masterKey.length + " bytes");
    }
    if (masterSalt.length != profile.saltLengthBytes()) {
      throw new IllegalArgumentException(profile + " needs a " + profile.saltLengthBytes()
          + "-byte master salt, got " + masterSalt.length + " bytes");
    }
    SrtpKdf kdf = new SrtpKdf(masterKey, masterSalt);
    boolean aead = profile != SrtpProfile.AES128_CM_HMAC_SHA1_80;
    return new SessionKeys(
        new SecretKeySpec(kdf.derive(encryptionLabel, profile.keyLengthBytes()), "AES"),
        kdf.derive(saltLabel, profile.saltLengthBytes()),
        aead ? null : kdf.derive(authLabel, HMAC_SHA1_AUTH_KEY_BYTES));
  }

  private static int readInt(byte[] b, int i) {
    return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
  }

  private static int readUnsignedShort(byte[] b, int i) {
    return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
  }

  private static void writeInt(byte[] b, int i, int value) {
    b[i] = (byte) (value >>> 24);
    b[i + 1] = (byte) (value >>> 16);
    b[i + 2] = (byte) (value >>> 8);
    b[i + 3] = (byte) value;
  }

  private static void xorInt(byte[] b, int i, int value) {
    b[i] ^= (byte) (value >>> 24);
    b[i + 1] ^= (byte) (value >>> 16);
    b[i + 2] ^= (byte) (value >>> 8);
    b[i + 3] ^= (byte) value;
  }

  /** What a sending context keeps per SSRC. */
  private static final class SendState {
    /** The highest RTP packet index protected, or -1 before the first. */
    long highestRtpIndex = -1;
    /** The SRTCP index of the next RTCP packet. */
    int nextSrtcpIndex;
  }

  /**
   * HMAC-SHA1 (RFC 2104) over {@link MessageDigest}, computed into a caller's array. The JCA
   * {@code Mac} allocates its result array on every {@code doFinal}, even the one that takes an
   * output array; {@code MessageDigest.digest(byte[], int, int)} does not.
   */
  private static final class HmacSha1 {
    static final int BYTES = 20;
    private static final int BLOCK_BYTES = 64;

    private final MessageDigest inner;
    private final MessageDigest outer;
    private final byte[] innerPad = new byte[BLOCK_BYTES];
    private final byte[] outerPad = new byte[BLOCK_BYTES];

    HmacSha1(byte[] key) throws GeneralSecurityException {
      inner = MessageDigest.getInstance("SHA-1");
      outer = MessageDigest.getInstance("SHA-1");
      if (key.length > BLOCK_BYTES) {
        key = inner.digest(key); // never for SRTP's 20-byte key; RFC 2104 §2 for completeness
      }
      for (int i = 0; i < BLOCK_BYTES; i++) {
        byte k = i < key.length ? key[i] : 0;
        innerPad[i] = (byte) (k ^ 0x36);
        outerPad[i] = (byte) (k ^ 0x5C);
      }
    }

    /**
     * HMAC of data[offset, offset + length) followed by all of {@code trailer} (the ROC), or by
     * nothing when trailer is null; the 20-byte result goes to {@code out}.
     */
    void mac(byte[] data, int offset, int length, byte[] trailer, byte[] out)
        throws GeneralSecurityException {
      inner.update(innerPad);
      inner.update(data, offset, length);
      if (trailer != null) {
        inner.update(trailer);
      }
      inner.digest(out, 0, BYTES);
      outer.update(outerPad);
      outer.update(out, 0, BYTES);
      outer.digest(out, 0, BYTES);
    }
  }

  /**
   * Session keys for one of SRTP or SRTCP (RFC 3711 §4.3).
   *
   * @param encryptionKey the AES session key
   * @param salt the session salt: 14 bytes (AES-CM) or 12 bytes (AEAD)
   * @param authKey the 20-byte HMAC-SHA1 key, or null for AEAD profiles
   */
  record SessionKeys(SecretKeySpec encryptionKey, byte[] salt, byte[] authKey) {}
}
