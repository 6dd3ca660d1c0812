package org.tgcalls4j;

import java.util.List;
import java.util.Objects;
import org.tgcalls4j.internal.dh.Dh;
import org.tgcalls4j.internal.dh.EmojiTable;

/**
 * The shared 256-byte key of a private call (p2p-call.md §1.4), with its {@code key_fingerprint}
 * and the four emojis both users compare (§1.5). Made by {@link KeyExchange}, or by {@link #of} for
 * apps that ran the exchange themselves. Immutable and thread-safe; {@link #toString()} never shows
 * the key.
 */
public final class CallKey {
  private final byte[] key;
  private final long fingerprint;
  private final List<String> emojis;

  private CallKey(byte[] key, byte[] gA) {
    this.key = key;
    this.fingerprint = Dh.fingerprint(key);
    int[] indices = Dh.emojiIndices(key, gA);
    this.emojis = List.of(EmojiTable.get(indices[0]), EmojiTable.get(indices[1]),
        EmojiTable.get(indices[2]), EmojiTable.get(indices[3]));
  }

  /**
   * Wraps a key computed elsewhere.
   *
   * @param key the shared key, exactly 256 bytes big-endian ({@code g_b^a mod p} left-padded with
   *     zeros, TD {@code AuthKey::FillData}). A shorter array is refused rather than padded: a value
   *     with leading zero bytes stripped gives another fingerprint than the peer's, so the caller
   *     must pad it. Copied.
   * @param gA the caller's public value g_a, the bytes exactly as sent in {@code phone.confirmCall}
   *     (1 to 256 bytes), used for the emojis (SHA-256(key || g_a), TD getKeyShaForFingerprint)
   * @return the key with its fingerprint and emojis
   * @throws KeyExchangeException with {@link KeyExchangeException.Reason#BAD_KEY_LENGTH} if the
   *     key is not 256 bytes, {@link KeyExchangeException.Reason#PUBLIC_VALUE_OUT_OF_RANGE} if
   *     {@code gA} is empty or longer than 256 bytes
   * @throws NullPointerException if an argument is null
   */
  public static CallKey of(byte[] key, byte[] gA) throws KeyExchangeException {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(gA, "gA");
    if (key.length != Dh.SIZE) {
      throw new KeyExchangeException(KeyExchangeException.Reason.BAD_KEY_LENGTH,
          "key has " + key.length + " bytes, expected " + Dh.SIZE + " (left-pad it with zeros)");
    }
    if (gA.length == 0 || gA.length > Dh.SIZE) {
      throw new KeyExchangeException(KeyExchangeException.Reason.PUBLIC_VALUE_OUT_OF_RANGE,
          "g_a has " + gA.length + " bytes, expected 1.." + Dh.SIZE);
    }
    return new CallKey(key.clone(), gA);
  }

  /**
   * @return a copy of the 256-byte key, for the call's signaling and media encryption (§3.2). The
   *     copy is the caller's to wipe.
   */
  public byte[] key() {
    return key.clone();
  }

  /**
   * @return {@code key_fingerprint}: bytes 12..19 of SHA-1(key) read as a little-endian int64
   *     (§1.4; TD ComputeFingerprint, TDL calc_key_id)
   */
  public long fingerprint() {
    return fingerprint;
  }

  /**
   * @return the four emojis of §1.5, each one or more code points, from SHA-256(key || g_a) (TDL
   *     {@code telegram/misc.cpp} get_emoji_fingerprints; AND {@code EncryptionKeyEmojifier.java});
   *     unmodifiable
   */
  public List<String> emojis() {
    return emojis;
  }

  /** @return the fingerprint and emojis; never the key */
  @Override
  public String toString() {
    return "CallKey{fingerprint=" + fingerprint + ", emojis=" + String.join("", emojis) + "}";
  }
}
