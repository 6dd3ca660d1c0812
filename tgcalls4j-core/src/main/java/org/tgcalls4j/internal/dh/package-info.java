/**
 * Arithmetic behind the key exchange of private calls (p2p-call.md §1): the range check for public
 * values, unsigned big-endian encodings, the hashes of §1.4/§1.5 and the emoji table. The public
 * face is {@link org.tgcalls4j.DhConfig}, {@link org.tgcalls4j.KeyExchange} and {@link
 * org.tgcalls4j.CallKey}; nothing here keeps state.
 */
package org.tgcalls4j.internal.dh;
