package org.tgcalls4j.internal.dtls;

import org.tgcalls4j.internal.srtp.SrtpProfile;

/**
 * The SRTP master keys and salts one side of a DTLS-SRTP association derived from the handshake
 * (RFC 5764 §4.2): "local" protects what this endpoint sends, "remote" unprotects what it receives.
 * The arrays are owned by the record; callers must not modify them.
 *
 * @param profile the negotiated protection profile; its key and salt lengths match the arrays
 * @param localMasterKey master key for the SRTP/SRTCP this endpoint sends
 * @param localMasterSalt master salt for the SRTP/SRTCP this endpoint sends
 * @param remoteMasterKey master key for the SRTP/SRTCP the peer sends
 * @param remoteMasterSalt master salt for the SRTP/SRTCP the peer sends
 */
public record DtlsSrtpKeys(
    SrtpProfile profile,
    byte[] localMasterKey,
    byte[] localMasterSalt,
    byte[] remoteMasterKey,
    byte[] remoteMasterSalt) {}
