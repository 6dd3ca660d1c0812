package org.tgcalls4j.internal.srtp;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * SRTP and SRTCP protection for one direction of one DTLS-SRTP association, keeping per-SSRC
 * rollover counters, SRTCP indexes and replay windows (RFC 3711, RFC 7714). Use an instance either
 * only to protect or only to unprotect. Not thread-safe: confine it to one thread (the call loop).
 *
 * <p>Buffers: input arrays are only read during the call and never kept; every returned array is
 * new and owned by the caller. Per-packet failures on receive are returned as {@link SrtpStatus},
 * never thrown.
 */
public final class SrtpContext {
  private static final int RTP_HEADER_BYTES = 12;
  private static final int RTCP_HEADER_BYTES = 8;
  private static final int SRTCP_INDEX_BYTES = 4;
  private static final int ROC_BYTES = 4;
  private static final int AEAD_IV_BYTES = 12;
  private static final int AES_CM_IV_BYTES = 16;
  private static final int HMAC_SHA1_BYTES = 20;
  private static final int HMAC_SHA1_AUTH_KEY_BYTES = 20;
  private static final int AES_CM_SALT_BYTES = 14;
  private static final int E_FLAG = 0x8000_0000;
  private static final int SRTCP_INDEX_MASK = 0x7FFF_FFFF;

  private final boolean aead;
  private final int tagBytes;
  private final SessionKeys rtpKeys;
  private final SessionKeys rtcpKeys;
  private final Cipher rtpCipher;
  private final Cipher rtcpCipher;
  private final Mac rtpMac; // null for AEAD profiles
  private final Mac rtcpMac; // null for AEAD profiles
  private final byte[] macScratch = new byte[HMAC_SHA1_BYTES];

  private final Map<Integer, Long> sentRtpHighestIndex = new HashMap<>();
  private final Map<Integer, ReplayWindow> receivedRtp = new HashMap<>();
  private final Map<Integer, Integer> nextSrtcpIndex = new HashMap<>();
  private final Map<Integer, ReplayWindow> receivedRtcp = new HashMap<>();

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
    String transformation = aead ? "AES/GCM/NoPadding" : "AES/CTR/NoPadding";
    try {
      rtpCipher = Cipher.getInstance(transformation);
      rtcpCipher = Cipher.getInstance(transformation);
      rtpMac = aead ? null : hmacSha1(rtpKeys.authKey());
      rtcpMac = aead ? null : hmacSha1(rtcpKeys.authKey());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA cannot provide " + transformation + " or HmacSHA1", e);
    }
  }

  /**
   * Encrypts and authenticates one RTP packet (RFC 3711 §3.3, RFC 7714 §8). The payload starts
   * after the CSRC list and the header extension, which stay in the clear (and are authenticated).
   * The packet index comes from the sequence number and this context's rollover counter for the
   * SSRC (RFC 3711 §3.3.1).
   *
   * @param packet holds the plain RTP packet; read only
   * @param offset where the packet starts in {@code packet}
   * @param length packet length in bytes
   * @return a new array: the SRTP packet, {@code length + tagLengthBytes} long
   * @throws IllegalArgumentException if the packet is not a version-2 RTP packet whose CSRC list and
   *     header extension fit in {@code length}
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code packet}
   * @throws IllegalStateException if the packet's index (ROC and sequence number) is not above
   *     every index already protected for its SSRC: sending it would reuse a keystream
   *     (RFC 3711 §9.2); senders number packets in order, so this signals a bug
   */
  public byte[] protectRtp(byte[] packet, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, packet.length);
    int headerBytes = rtpHeaderLength(packet, offset, length);
    if (headerBytes < 0) {
      throw new IllegalArgumentException(
          "not a version-2 RTP packet whose CSRCs and header extension fit in " + length + " bytes");
    }
    int ssrc = readInt(packet, offset + 8);
    int seq = readUnsignedShort(packet, offset + 2);
    Long highest = sentRtpHighestIndex.get(ssrc);
    long index = highest == null ? seq : estimateIndex(highest, seq);
    if (highest != null && index <= highest) {
      // RFC 3711 §9.2: an index must never be used twice with one key; the receiver-style
      // estimate above would map an old sequence number onto an index already sent
      throw new IllegalStateException("SRTP index " + index + " of SSRC " + Integer.toUnsignedString(ssrc)
          + " is not above the highest already protected (" + highest
          + "): protecting it would reuse a keystream");
    }
    sentRtpHighestIndex.put(ssrc, index);
    int roc = (int) (index >>> 16);

    byte[] out = Arrays.copyOfRange(packet, offset, offset + length + tagBytes);
    int payloadBytes = length - headerBytes;
    try {
      if (aead) {
        rtpCipher.init(Cipher.ENCRYPT_MODE, rtpKeys.encryptionKey(),
            new GCMParameterSpec(tagBytes * 8, aeadRtpIv(rtpKeys.salt(), ssrc, roc, seq)));
        rtpCipher.updateAAD(out, 0, headerBytes);
        rtpCipher.doFinal(out, headerBytes, payloadBytes, out, headerBytes);
      } else {
        rtpCipher.init(Cipher.ENCRYPT_MODE, rtpKeys.encryptionKey(),
            new IvParameterSpec(aesCmIv(rtpKeys.salt(), ssrc, index)));
        rtpCipher.doFinal(out, headerBytes, payloadBytes, out, headerBytes);
        rtpMac.update(out, 0, length);
        rtpMac.update(intBytes(roc));
        rtpMac.doFinal(macScratch, 0);
        System.arraycopy(macScratch, 0, out, length, tagBytes);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot protect RTP SSRC " + Integer.toUnsignedString(ssrc)
          + " index " + index + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Encrypts and authenticates one (compound) RTCP packet with the E flag set and this SSRC's next
   * SRTCP index, starting at 0 and incremented per packet (RFC 3711 §3.4, RFC 7714 §9).
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
    if (!isRtcpHeader(packet, offset, length)) {
      throw new IllegalArgumentException(
          "not a version-2 RTCP packet of at least 8 bytes (length " + length + ")");
    }
    int ssrc = readInt(packet, offset + 4);
    int index = nextSrtcpIndex.getOrDefault(ssrc, 0);
    nextSrtcpIndex.put(ssrc, (index + 1) & SRTCP_INDEX_MASK);
    int indexWord = E_FLAG | index;

    byte[] out = Arrays.copyOfRange(packet, offset, offset + length + SRTCP_INDEX_BYTES + tagBytes);
    int bodyBytes = length - RTCP_HEADER_BYTES;
    try {
      if (aead) {
        rtcpCipher.init(Cipher.ENCRYPT_MODE, rtcpKeys.encryptionKey(),
            new GCMParameterSpec(tagBytes * 8, aeadRtcpIv(rtcpKeys.salt(), ssrc, index)));
        rtcpCipher.updateAAD(out, 0, RTCP_HEADER_BYTES);
        rtcpCipher.updateAAD(intBytes(indexWord));
        rtcpCipher.doFinal(out, RTCP_HEADER_BYTES, bodyBytes, out, RTCP_HEADER_BYTES);
        writeInt(out, length + tagBytes, indexWord);
      } else {
        rtcpCipher.init(Cipher.ENCRYPT_MODE, rtcpKeys.encryptionKey(),
            new IvParameterSpec(aesCmIv(rtcpKeys.salt(), ssrc, index)));
        rtcpCipher.doFinal(out, RTCP_HEADER_BYTES, bodyBytes, out, RTCP_HEADER_BYTES);
        writeInt(out, length, indexWord);
        rtcpMac.update(out, 0, length + SRTCP_INDEX_BYTES);
        rtcpMac.doFinal(macScratch, 0);
        System.arraycopy(macScratch, 0, out, length + SRTCP_INDEX_BYTES, tagBytes);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot protect RTCP SSRC " + Integer.toUnsignedString(ssrc)
          + " index " + index + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Authenticates, replay-checks and decrypts one SRTP packet (RFC 3711 §3.3, RFC 7714 §8). The
   * rollover counter is estimated per SSRC (RFC 3711 Appendix A); it and the replay window advance
   * only when the packet authenticates.
   *
   * @param packet holds the SRTP packet; read only
   * @param offset where the packet starts in {@code packet}
   * @param length packet length in bytes, tag included
   * @return the status, and when OK a new array with the plain RTP packet (tag removed)
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code packet}
   */
  public SrtpResult unprotectRtp(byte[] packet, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, packet.length);
    int plainBytes = length - tagBytes;
    int headerBytes = rtpHeaderLength(packet, offset, plainBytes);
    if (headerBytes < 0) {
      return SrtpResult.failed(SrtpStatus.MALFORMED);
    }
    int ssrc = readInt(packet, offset + 8);
    int seq = readUnsignedShort(packet, offset + 2);
    ReplayWindow window = receivedRtp.get(ssrc);
    long index = window == null ? seq : estimateIndex(window.highestIndex(), seq);
    if (index < 0 || (window != null && window.isReplay(index))) {
      return SrtpResult.failed(SrtpStatus.REPLAY_FAIL);
    }
    int roc = (int) (index >>> 16);

    byte[] out = new byte[plainBytes];
    try {
      if (aead) {
        rtpCipher.init(Cipher.DECRYPT_MODE, rtpKeys.encryptionKey(),
            new GCMParameterSpec(tagBytes * 8, aeadRtpIv(rtpKeys.salt(), ssrc, roc, seq)));
        rtpCipher.updateAAD(packet, offset, headerBytes);
        rtpCipher.doFinal(packet, offset + headerBytes, length - headerBytes, out, headerBytes);
        System.arraycopy(packet, offset, out, 0, headerBytes);
      } else {
        rtpMac.update(packet, offset, plainBytes);
        rtpMac.update(intBytes(roc));
        rtpMac.doFinal(macScratch, 0);
        if (!tagMatches(packet, offset + plainBytes)) {
          return SrtpResult.failed(SrtpStatus.AUTH_FAIL);
        }
        System.arraycopy(packet, offset, out, 0, plainBytes);
        rtpCipher.init(Cipher.DECRYPT_MODE, rtpKeys.encryptionKey(),
            new IvParameterSpec(aesCmIv(rtpKeys.salt(), ssrc, index)));
        rtpCipher.doFinal(out, headerBytes, plainBytes - headerBytes, out, headerBytes);
      }
    } catch (AEADBadTagException e) {
      return SrtpResult.failed(SrtpStatus.AUTH_FAIL);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA failed to unprotect RTP: " + e.getMessage(), e);
    }
    if (window == null) {
      receivedRtp.put(ssrc, new ReplayWindow(index));
    } else {
      window.markReceived(index);
    }
    return SrtpResult.ok(out);
  }

  /**
   * Authenticates, replay-checks and, if the E flag is set, decrypts one SRTCP packet (RFC 3711
   * §3.4, RFC 7714 §9). Packets with the E flag clear are authenticated only. The replay window
   * per SSRC advances only when the packet authenticates.
   *
   * @param packet holds the SRTCP packet; read only
   * @param offset where the packet starts in {@code packet}
   * @param length packet length in bytes, index and tag included
   * @return the status, and when OK a new array with the plain RTCP packet (index and tag removed)
   * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside {@code packet}
   */
  public SrtpResult unprotectRtcp(byte[] packet, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, packet.length);
    int plainBytes = length - SRTCP_INDEX_BYTES - tagBytes;
    if (plainBytes < RTCP_HEADER_BYTES || !isRtcpHeader(packet, offset, plainBytes)) {
      return SrtpResult.failed(SrtpStatus.MALFORMED);
    }
    int ssrc = readInt(packet, offset + 4);
    // AES-CM puts E flag + index before the tag; AEAD puts it last (RFC 7714 §9, Figure 3).
    int indexOffset = offset + (aead ? length - SRTCP_INDEX_BYTES : plainBytes);
    int indexWord = readInt(packet, indexOffset);
    boolean encrypted = (indexWord & E_FLAG) != 0;
    int index = indexWord & SRTCP_INDEX_MASK;
    ReplayWindow window = receivedRtcp.get(ssrc);
    if (window != null && window.isReplay(index)) {
      return SrtpResult.failed(SrtpStatus.REPLAY_FAIL);
    }

    byte[] out = new byte[plainBytes];
    try {
      if (aead) {
        rtcpCipher.init(Cipher.DECRYPT_MODE, rtcpKeys.encryptionKey(),
            new GCMParameterSpec(tagBytes * 8, aeadRtcpIv(rtcpKeys.salt(), ssrc, index)));
        int aadBytes = encrypted ? RTCP_HEADER_BYTES : plainBytes;
        rtcpCipher.updateAAD(packet, offset, aadBytes);
        rtcpCipher.updateAAD(packet, indexOffset, SRTCP_INDEX_BYTES);
        rtcpCipher.doFinal(packet, offset + aadBytes, length - SRTCP_INDEX_BYTES - aadBytes,
            out, aadBytes);
        System.arraycopy(packet, offset, out, 0, aadBytes);
      } else {
        rtcpMac.update(packet, offset, plainBytes + SRTCP_INDEX_BYTES);
        rtcpMac.doFinal(macScratch, 0);
        if (!tagMatches(packet, offset + plainBytes + SRTCP_INDEX_BYTES)) {
          return SrtpResult.failed(SrtpStatus.AUTH_FAIL);
        }
        System.arraycopy(packet, offset, out, 0, plainBytes);
        if (encrypted) {
          rtcpCipher.init(Cipher.DECRYPT_MODE, rtcpKeys.encryptionKey(),
              new IvParameterSpec(aesCmIv(rtcpKeys.salt(), ssrc, index)));
          rtcpCipher.doFinal(out, RTCP_HEADER_BYTES, plainBytes - RTCP_HEADER_BYTES,
              out, RTCP_HEADER_BYTES);
        }
      }
    } catch (AEADBadTagException e) {
      return SrtpResult.failed(SrtpStatus.AUTH_FAIL);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA failed to unprotect RTCP: " + e.getMessage(), e);
    }
    if (window == null) {
      receivedRtcp.put(ssrc, new ReplayWindow(index));
    } else {
      window.markReceived(index);
    }
    return SrtpResult.ok(out);
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

  /** Constant-time comparison of the first tagBytes of macScratch with the tag in the packet. */
  private boolean tagMatches(byte[] packet, int tagOffset) {
    return MessageDigest.isEqual(
        Arrays.copyOf(macScratch, tagBytes),
        Arrays.copyOfRange(packet, tagOffset, tagOffset + tagBytes));
  }

  /** RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
  private static byte[] aesCmIv(byte[] salt, int ssrc, long index) {
    byte[] iv = new byte[AES_CM_IV_BYTES];
    System.arraycopy(salt, 0, iv, 0, AES_CM_SALT_BYTES);
    xorInt(iv, 4, ssrc);
    xorInt(iv, 8, (int) (index >>> 16));
    iv[12] ^= (byte) (index >>> 8);
    iv[13] ^= (byte) index;
    return iv;
  }

  /** RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt. */
  private static byte[] aeadRtpIv(byte[] salt, int ssrc, int roc, int seq) {
    byte[] iv = salt.clone();
    xorInt(iv, 2, ssrc);
    xorInt(iv, 6, roc);
    iv[10] ^= (byte) (seq >>> 8);
    iv[11] ^= (byte) seq;
    return iv;
  }

  /** RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt. */
  private static byte[] aeadRtcpIv(byte[] salt, int ssrc, int index) {
    byte[] iv = salt.clone();
    xorInt(iv, 2, ssrc);
    xorInt(iv, 8, index);
    return iv;
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

  private static Mac hmacSha1(byte[] authKey) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(authKey, "HmacSHA1"));
    return mac;
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

  private static byte[] intBytes(int value) {
    byte[] b = new byte[ROC_BYTES];
    writeInt(b, 0, value);
    return b;
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
