package org.tgcalls4j;

import java.util.List;
import java.util.Objects;

/**
 * What a private call needs from the final {@code phoneCall} (p2p-call.md §2.1): the shared key,
 * who called, the library version, the servers, whether peer-to-peer is allowed and the custom
 * parameters. Immutable; the key is copied and never shown by {@link #toString()}.
 *
 * @param key the 256-byte call key (from {@link KeyExchange} or the application's own exchange)
 * @param outgoing {@code phoneCall}'s {@code is_outgoing} side: true for the caller
 * @param libraryVersions {@code phoneCall.protocol.library_versions}; the first one tgcalls4j
 *     implements (8.0.0 or 9.0.0) is used, see {@link PhoneCallProtocol#chooseVersion}
 * @param servers {@code phoneCall.connections}
 * @param p2pAllowed {@code phoneCall.p2p_allowed}
 * @param customParametersJson {@code phoneCall.custom_parameters.data} (a JSON object), or null
 */
public record PrivateCallParams(byte[] key, boolean outgoing, List<String> libraryVersions,
    List<RtcServer> servers, boolean p2pAllowed, String customParametersJson) {
  /**
   * @throws NullPointerException if key, libraryVersions or servers is null
   * @throws IllegalArgumentException if the key is not 256 bytes
   */
  public PrivateCallParams {
    key = Objects.requireNonNull(key, "key").clone();
    if (key.length != 256) {
      throw new IllegalArgumentException("the call key must be 256 bytes, got " + key.length);
    }
    libraryVersions = List.copyOf(libraryVersions);
    servers = List.copyOf(servers);
  }

  /**
   * Parameters with no servers, peer-to-peer allowed and no custom parameters: enough for two
   * parties that reach each other directly (tests, a LAN).
   *
   * @param key the 256-byte call key
   * @param outgoing true for the caller
   * @param libraryVersions the versions of the final {@code phoneCall}
   * @return the parameters
   */
  public static PrivateCallParams of(byte[] key, boolean outgoing, List<String> libraryVersions) {
    return new PrivateCallParams(key, outgoing, libraryVersions, List.of(), true, null);
  }

  /**
   * @param newServers {@code phoneCall.connections}
   * @return a copy with these servers
   */
  public PrivateCallParams withServers(List<RtcServer> newServers) {
    return new PrivateCallParams(key, outgoing, libraryVersions, newServers, p2pAllowed,
        customParametersJson);
  }

  /**
   * @param allowed {@code phoneCall.p2p_allowed}
   * @return a copy with this flag
   */
  public PrivateCallParams withP2pAllowed(boolean allowed) {
    return new PrivateCallParams(key, outgoing, libraryVersions, servers, allowed,
        customParametersJson);
  }

  /**
   * @param json {@code phoneCall.custom_parameters.data}, or null
   * @return a copy with these custom parameters
   */
  public PrivateCallParams withCustomParameters(String json) {
    return new PrivateCallParams(key, outgoing, libraryVersions, servers, p2pAllowed, json);
  }

  /** @return a copy of the call key */
  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public String toString() {
    return "PrivateCallParams[" + (outgoing ? "caller" : "callee") + ", versions="
        + libraryVersions + ", servers=" + servers + ", p2pAllowed=" + p2pAllowed
        + ", customParameters=" + customParametersJson + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PrivateCallParams p && java.util.Arrays.equals(key, p.key)
        && outgoing == p.outgoing && libraryVersions.equals(p.libraryVersions)
        && servers.equals(p.servers) && p2pAllowed == p.p2pAllowed
        && Objects.equals(customParametersJson, p.customParametersJson);
  }

  @Override
  public int hashCode() {
    return Objects.hash(java.util.Arrays.hashCode(key), outgoing, libraryVersions, servers,
        p2pAllowed, customParametersJson);
  }
}
