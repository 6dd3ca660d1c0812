/**
 * Private (1-on-1) call signaling of tgcalls {@code InstanceV2Impl} 8.0.0/9.0.0 (p2p-call.md §4,
 * §5): the JSON messages ({@link org.tgcalls4j.internal.p2p.SignalingMessages}), ICE candidate
 * strings ({@link org.tgcalls4j.internal.p2p.CandidateSdp}) and the sans-I/O offer/answer state
 * machine ({@link org.tgcalls4j.internal.p2p.P2pSignalingSession}). The encryption and framing of
 * the messages live beside them in this package.
 */
package org.tgcalls4j.internal.p2p;
