package org.tgcalls4j.internal.signaling;

import java.util.Objects;

/**
 * One ICE candidate of the SFU (group-call.md §3.2; fields as in RFC 8839 §5.1 plus Jingle's
 * {@code id}, {@code network}, {@code generation}).
 *
 * @param foundation candidate foundation, 1 to 32 ice-chars
 * @param component component id, 1 to 256; 1 for RTP (rtcp-mux)
 * @param protocol transport token as sent, {@code "udp"} or {@code "tcp"}
 * @param priority candidate priority, 0 to 2^32-1 (RFC 8445 §5.1.2)
 * @param ip IP address literal, IPv4 dotted-quad or IPv6, as sent (not resolved)
 * @param port port, 0 to 65535 (a candidate with port 0 cannot be reached and is not used)
 * @param type {@code host}, {@code local}, {@code srflx}, {@code prflx} or {@code relay}
 * @param generation ICE generation, usually 0
 * @param id Jingle candidate id
 * @param network network id, usually 0
 * @param relAddr related address, or null if absent
 * @param relPort related port, 0 if absent
 * @param tcpType TCP candidate type (RFC 6544), or null if absent
 */
public record AnswerCandidate(
    String foundation,
    int component,
    String protocol,
    long priority,
    String ip,
    int port,
    String type,
    int generation,
    String id,
    int network,
    String relAddr,
    int relPort,
    String tcpType) {
  /** @throws NullPointerException if a required string is null */
  public AnswerCandidate {
    Objects.requireNonNull(foundation, "foundation");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(id, "id");
  }
}
