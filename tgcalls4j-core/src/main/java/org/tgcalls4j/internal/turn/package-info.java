/**
 * A sans-I/O TURN client over UDP (RFC 8656) on top of the STUN codec of
 * {@link org.tgcalls4j.internal.stun}: allocation with long-term credentials (RFC 8489 §9.2),
 * permissions, channels, Send/Data indications and ChannelData.
 */
package org.tgcalls4j.internal.turn;
