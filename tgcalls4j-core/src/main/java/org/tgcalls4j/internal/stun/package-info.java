/**
 * STUN message codec (RFC 8489/5389) with the ICE attributes of RFC 8445: parse with every length
 * validated, build with MESSAGE-INTEGRITY (HMAC-SHA1) and FINGERPRINT. No I/O.
 */
package org.tgcalls4j.internal.stun;
