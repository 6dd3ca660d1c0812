package org.tgcalls4j.testsfu;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Process-wide ice4j settings applied before the first ice4j class reads its HOCON config:
 * IPv4 loopback only, no AWS/STUN mapping harvesters (the AWS one probes 169.254.169.254),
 * one socket per single-port harvester, and java.util.logging quiet (WARNING) for ice4j and
 * jitsi-utils.
 *
 * <p>One socket: by default ice4j binds a pool of one socket per core to the harvester's port
 * ({@code SocketPool}, {@code socket-pool-size = 0}), all with SO_REUSEADDR, and binds the first
 * to port 0. Linux may then pick a port that another SFU's pool already holds (bind(0) skips only
 * ports whose sockets do not all allow reuse), and the pool bound last receives every datagram
 * sent to it: the older SFU goes deaf to its participant, who seems to stop sending after a few
 * packets, or never gets through ICE. Measured: 51 SFUs started in a row (SharedSourceIT's
 * number) shared a port in 4 of 60 rounds. With one socket there is no SO_REUSEADDR and every SFU
 * has a port of its own (0 of 60).
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
    setIfAbsent("ice4j.harvest.udp.socket-pool-size", "1");
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
