package org.tgcalls4j.internal.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.ReflectorAddress;

/** WebRTC's candidate attribute grammar (RFC 8839 §5.1, p2p-call.md §4.3). */
class CandidateSdpTest {
  @Test
  void ipv4HostAsTheSpecSample() throws Exception {
    String s = "candidate:2999745851 1 udp 2122260223 192.168.1.10 54321 typ host generation 0 ufrag Ab3d network-id 1";
    IceCandidate c = CandidateSdp.parse(s);
    assertThat(c).isEqualTo(new IceCandidate("2999745851", 1, "udp", 2122260223L,
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 1, 10}), 54321), "host"));
    assertThat(CandidateSdp.format(c, "Ab3d")).isEqualTo(s);
  }

  @Test
  void componentIsForcedToOne() throws Exception {
    IceCandidate c = new IceCandidate("7", 2, "UDP", 4294967295L,
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 1), "host");
    assertThat(CandidateSdp.format(c, "uf")).isEqualTo(
        "candidate:7 1 udp 4294967295 10.0.0.1 1 typ host generation 0 ufrag uf network-id 1");
  }

  @Test
  void ipv6RoundTrips() throws Exception {
    IceCandidate c = CandidateSdp.parse(
        "candidate:1 1 udp 2122262783 2001:db8::1:2 40000 typ host generation 0 ufrag Ab3d network-id 2");
    assertThat(c.address().getAddress().getAddress()).isEqualTo(new byte[] {
        0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2});
    String formatted = CandidateSdp.format(c, "Ab3d");
    assertThat(formatted).startsWith("candidate:1 1 udp 2122262783 2001:db8:0:0:0:0:1:2 40000 typ host");
    assertThat(CandidateSdp.parse(formatted)).isEqualTo(c);
  }

  @Test
  void srflxWithRelatedAddress() throws Exception {
    String s = "candidate:842163049 1 udp 1677729535 203.0.113.7 61000 typ srflx raddr 192.168.1.10 rport 54321 "
        + "generation 0 ufrag Ab3d network-id 1 network-cost 10";
    IceCandidate c = CandidateSdp.parse(s);
    assertThat(c.type()).isEqualTo("srflx");
    assertThat(c.address()).isEqualTo(new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 7}), 61000));
    String out = CandidateSdp.format(c,
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 1, 10}), 54321), "Ab3d");
    assertThat(out).isEqualTo(s.replace(" network-cost 10", ""));
    assertThat(CandidateSdp.parse(out)).isEqualTo(c);
  }

  @Test
  void tcpCandidateParses() throws Exception {
    IceCandidate c = CandidateSdp.parse(
        "a=candidate:3 1 TCP 1518280447 10.1.2.3 9 typ host tcptype active generation 0 network-id 1");
    assertThat(c.protocol()).isEqualTo("tcp");
    assertThat(c.address().getPort()).isEqualTo(9);
    assertThat(c.priority()).isEqualTo(1518280447L);
  }

  @Test
  void reflectorNamesRoundTripAsReflectorAddresses() throws Exception {
    // p2p-call.md §4.3's example
    String sdp = "candidate:1 1 udp 41885439 reflector-2-3735928559.reflector 599 typ relay generation 0 ufrag Ab3d network-id 1";
    IceCandidate c = CandidateSdp.parse(sdp);
    assertThat(ReflectorAddress.isReflector(c.address())).isTrue();
    assertThat(ReflectorAddress.reflectorId(c.address())).isEqualTo(2);
    assertThat(ReflectorAddress.tag(c.address())).isEqualTo(3735928559L);
    assertThat(c.address().getPort()).isEqualTo(599);
    assertThat(c.type()).isEqualTo("relay");
    assertThat(CandidateSdp.format(c, "Ab3d")).isEqualTo(sdp);
  }

  @Test
  void malformedReflectorNamesAndMdnsHostNamesAreRefusedNotResolved() {
    for (String name : new String[] {"reflector-0-1.reflector", "reflector-256-1.reflector",
        "reflector-2-0.reflector", "reflector-2-4294967296.reflector", "reflector-2.reflector",
        "reflector--2-1.reflector", "reflector-2-+1.reflector", "reflector-2-1-3.reflector", "x.reflector"}) {
      InvalidParamsException e = rejected("candidate:1 1 udp 41885439 " + name + " 599 typ relay");
      assertThat(e.field()).isEqualTo("sdpString");
      assertThat(e.getMessage()).as(name).contains("reflector-<id 1..255>");
    }
    assertThat(rejected("candidate:1 1 udp 1 3c8f-4a.local 5000 typ host").getMessage()).contains("mDNS");
    assertThat(rejected("candidate:1 1 udp 1 localhost 5000 typ host").getMessage()).contains("address");
    assertThat(rejected("candidate:1 1 udp 1 1.2.3.4 5000 typ srflx raddr example.com rport 1").getMessage())
        .contains("raddr");
  }

  @Test
  void malformedCandidatesNameWhatIsWrong() {
    assertThat(rejected("candidate:1 1 udp 1 1.2.3.4 5000 typ").getMessage()).contains("fewer than 8 fields");
    assertThat(rejected("1 1 udp 1 1.2.3.4 5000 typ host").getMessage()).contains("candidate:");
    assertThat(rejected("candidate:1 0 udp 1 1.2.3.4 5000 typ host").getMessage()).contains("component");
    assertThat(rejected("candidate:1 1 udp 4294967296 1.2.3.4 5000 typ host").getMessage()).contains("priority");
    assertThat(rejected("candidate:1 1 udp 1 1.2.3.4 65536 typ host").getMessage()).contains("port");
    assertThat(rejected("candidate:1 1 sctp 1 1.2.3.4 5 typ host").getMessage()).contains("transport");
    assertThat(rejected("candidate:1 1 udp 1 1.2.3.4 5 typ local2").getMessage()).contains("type");
    assertThat(rejected("candidate:1 1 udp 1 1.2.3.4 5 type host").getMessage()).contains("typ");
    assertThat(rejected("candidate:1 1 udp 1 256.2.3.4 5 typ host").getMessage()).contains("address");
    assertThat(rejected("candidate:1 1 udp 1 fe80::1%eth0 5 typ host").getMessage()).contains("address");
  }

  private static InvalidParamsException rejected(String s) {
    InvalidParamsException e = catchThrowableOfType(InvalidParamsException.class, () -> CandidateSdp.parse(s));
    assertThat(e).as(s).isNotNull();
    return e;
  }
}
