package org.tgcalls4j.internal.ice;

/**
 * Timing and address-family settings of one {@link IceAgent}.
 *
 * @param connectTimeoutMillis how long after {@link IceAgent#start(long)} the agent waits for a
 *     selected pair before it reports {@link IceState#FAILED}; positive
 * @param consentIntervalMillis the mean gap between consent checks on the selected pair, randomised
 *     to 0.8..1.2 times this value (RFC 7675 §5.1); positive
 * @param consentTimeoutMillis how long without a consent response before {@link IceState#FAILED}
 *     (RFC 7675 §5.1 uses 30 s); positive
 * @param includeIpv6 whether IPv6 remote candidates are checked, signalled or peer-reflexive; false
 *     skips them (checks from IPv6 senders are still answered)
 */
public record IceConfig(long connectTimeoutMillis, long consentIntervalMillis, long consentTimeoutMillis,
    boolean includeIpv6) {
  /** @throws IllegalArgumentException if a duration is not positive */
  public IceConfig {
    requirePositive(connectTimeoutMillis, "connectTimeoutMillis");
    requirePositive(consentIntervalMillis, "consentIntervalMillis");
    requirePositive(consentTimeoutMillis, "consentTimeoutMillis");
  }

  /**
   * @return 10 s connect timeout, 2.5 s consent interval (libwebrtc's keep-alive pace, group-call.md
   *     §4.1), 30 s consent timeout, IPv4 only
   */
  public static IceConfig defaults() {
    return new IceConfig(10_000, 2_500, 30_000, false);
  }

  private static void requirePositive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
