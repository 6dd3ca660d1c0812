package org.tgcalls4j.internal.ice;

/** The lifecycle of an {@link IceAgent} (RFC 8445 §6.1.3 check list states, collapsed to one stream). */
public enum IceState {
  /** Created; {@link IceAgent#start(long)} not yet called. */
  NEW,
  /** Connectivity checks are running (possibly with no pair yet, awaiting trickle); no pair is selected yet. */
  CHECKING,
  /** A nominated pair is selected and consent is fresh (RFC 7675). */
  CONNECTED,
  /** Nothing connected within the connect timeout, or consent expired. Terminal. */
  FAILED,
  /** {@link IceAgent#close()} was called. Terminal. */
  CLOSED
}
