package org.tgcalls4j.internal.stun;

/**
 * The value of an ERROR-CODE attribute (RFC 8489 §14.8): a 300..699 code and its reason phrase.
 *
 * @param code the error code, 300..699 (e.g. 401 Unauthorized, 487 Role Conflict)
 * @param reason the UTF-8 reason phrase, possibly empty
 */
public record StunErrorCode(int code, String reason) {
  /** 400 Bad Request (RFC 8489 §14.8). */
  public static final int BAD_REQUEST = 400;
  /** 401 Unauthorized (RFC 8489 §14.8). */
  public static final int UNAUTHORIZED = 401;
  /** 438 Stale Nonce (RFC 8489 §14.8). */
  public static final int STALE_NONCE = 438;
  /** 486 Allocation Quota Reached (RFC 8656 §19). */
  public static final int ALLOCATION_QUOTA_REACHED = 486;
  /** 487 Role Conflict (RFC 8445 §7.3.1.1). */
  public static final int ROLE_CONFLICT = 487;

  /**
   * @throws IllegalArgumentException if {@code code} is outside 300..699
   * @throws NullPointerException if {@code reason} is null
   */
  public StunErrorCode {
    if (code < 300 || code > 699) {
      throw new IllegalArgumentException("STUN error code must be 300..699, got " + code);
    }
    java.util.Objects.requireNonNull(reason, "reason");
  }
}
