package org.tgcalls4j.internal.ice;

/** An ICE agent's role (RFC 8445 §6.1.1): the controlling agent nominates the pair. */
public enum IceRole {
  CONTROLLING,
  CONTROLLED
}
