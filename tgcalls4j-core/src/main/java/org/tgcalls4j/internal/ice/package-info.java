/**
 * A sans-I/O ICE agent (RFC 8445) for one component in either role, with several local candidates
 * (host, server-reflexive, relayed through owner-named ports), trickled remote candidates and
 * consent freshness (RFC 7675). Group calls use it controlled on one socket (group-call.md §4.1);
 * private calls can use it controlling or controlled. Sockets, relays and clocks stay with the
 * caller; {@link org.tgcalls4j.internal.ice.HostCandidates} lists host addresses and computes
 * candidate priorities.
 */
package org.tgcalls4j.internal.ice;
