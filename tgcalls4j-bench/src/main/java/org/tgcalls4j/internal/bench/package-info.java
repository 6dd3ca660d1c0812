/**
 * JMH benchmarks of the per-packet hot paths of tgcalls4j-core: SRTP protect/unprotect, Opus RTP
 * packetizing, STUN Binding Requests and Ogg/Opus reading. Every benchmark measures one packet per
 * operation on one thread, so its ops/s is packets per second on one core. Run with {@code ./bench}
 * at the repository root; never run by the build.
 */
package org.tgcalls4j.internal.bench;
