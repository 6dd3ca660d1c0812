package org.tgcalls4j.internal.p2p;

/**
 * One private-call signaling message (p2p-call.md §4; tgcalls {@code v2/Signaling.h}
 * {@code signaling::Message}). Encoded and decoded by {@link SignalingMessages}.
 */
public sealed interface SignalingMessage permits InitialSetup, NegotiateChannels, Candidates, MediaState {}
