package org.tgcalls4j.internal.pc;

import java.net.InetSocketAddress;

/**
 * A relay a transport allocates a relayed candidate on: a TURN server or a Telegram reflector
 * (p2p-call.md §2.2–§2.4). Each becomes one relay port of the transport.
 */
public sealed interface RelayServer permits TurnServer, ReflectorServer {
  /** @return the relay's UDP address (resolved) */
  InetSocketAddress address();
}
