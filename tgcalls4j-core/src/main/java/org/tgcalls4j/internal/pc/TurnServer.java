package org.tgcalls4j.internal.pc;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A TURN server a transport allocates a relayed candidate on (RFC 8656 over UDP), with its
 * long-term credentials (RFC 8489 §9.2). The password never appears in {@link #toString()}.
 *
 * @param address the server's UDP address (resolved)
 * @param username the user name
 * @param password the password
 */
public record TurnServer(InetSocketAddress address, String username, String password)
    implements RelayServer {
  /** @throws NullPointerException if a reference is null */
  public TurnServer {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  @Override
  public String toString() {
    return "TurnServer[" + address + "]";
  }
}
