package org.tgcalls4j.testsfu;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Process-wide ice4j settings applied before the first ice4j class reads its HOCON config:
 * IPv4 loopback only, no AWS/STUN mapping harvesters (the AWS one probes 169.254.169.254),
 * and java.util.logging quiet (WARNING) for ice4j and jitsi-utils.
 */
final class Ice4jSetup {
  /** Strong references: java.util.logging forgets levels of collected loggers. */
  private static final Logger[] QUIET = {
    Logger.getLogger("org.ice4j"), Logger.getLogger("org.jitsi")
  };

  static {
    for (Logger logger : QUIET) {
      logger.setLevel(Level.WARNING);
    }
    setIfAbsent("ice4j.harvest.use-ipv6", "false");
    setIfAbsent("ice4j.harvest.use-link-local-addresses", "false");
    setIfAbsent("ice4j.harvest.mapping.aws.enabled", "false");
    setIfAbsent("ice4j.harvest.allowed-addresses.0", "127.0.0.1");
    setIfAbsent("org.ice4j.ipv6.DISABLED", "true");
  }

  private Ice4jSetup() {}

  /** Applies the settings once; idempotent and thread-safe (class initialisation). */
  static void apply() {
    // Work happens in the static initialiser.
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
