/**
 * DTLS 1.2 for DTLS-SRTP (RFC 5763, RFC 5764) on Bouncy Castle: the self-signed certificate that
 * identifies us, and an endpoint that runs either handshake role over datagrams pushed in by the
 * transport layer, authenticates the peer by its signaled fingerprint and exports SRTP keys. The
 * blocking Bouncy Castle handshake runs on a small shared pool ({@link
 * org.tgcalls4j.internal.dtls.DtlsHandshakePool}); after it, records are processed on the thread that
 * pushes them in, without waiting.
 * Bouncy Castle types never leave this package's public signatures.
 */
package org.tgcalls4j.internal.dtls;
