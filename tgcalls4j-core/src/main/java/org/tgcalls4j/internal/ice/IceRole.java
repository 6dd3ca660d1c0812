package org.tgcalls4j.internal.ice;

/**
 * The role of an ICE agent (RFC 8445 §6.1.1): the controlling agent nominates the pair both sides
 * use, the controlled agent follows the nomination. A role conflict (both sides claim the same role)
 * is resolved with the tie-breakers (RFC 8445 §7.3.1.1, §7.2.5.1), so the role an {@link IceAgent}
 * starts with may change while it checks.
 */
public enum IceRole {
  /** Nominates a pair with USE-CANDIDATE (regular nomination, RFC 8445 §8.1.1). */
  CONTROLLING,
  /** Selects the pair the peer nominates (RFC 8445 §7.3.1.5). */
  CONTROLLED;

  /** @return the other role, as taken after a role conflict */
  public IceRole opposite() {
    return this == CONTROLLING ? CONTROLLED : CONTROLLING;
  }
}
