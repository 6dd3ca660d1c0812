/**
 * A sans-I/O ICE agent (RFC 8445) in the controlled role with consent freshness (RFC 7675), shaped
 * for Telegram's SFU (group-call.md §4.1). Sockets and clocks stay with the caller.
 */
package org.tgcalls4j.internal.ice;
