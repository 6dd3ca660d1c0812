package org.tgcalls4j.internal.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RFC 8445 §5.1.2 priority formula and host address listing. */
class HostCandidatesTest {
  @Test
  void priorityFollowsRfc8445FormulaWithRecommendedTypePreferences() {
    assertThat(HostCandidates.priority(HostCandidates.typePreference("host"), 65_535, 1)).isEqualTo(0x7EFFFFFFL);
    assertThat(HostCandidates.priority(HostCandidates.typePreference("prflx"), 65_535, 1)).isEqualTo(0x6EFFFFFFL);
    assertThat(HostCandidates.priority(HostCandidates.typePreference("srflx"), 65_535, 1)).isEqualTo(0x64FFFFFFL);
    assertThat(HostCandidates.priority(HostCandidates.typePreference("relay"), 65_535, 1)).isEqualTo(0x00FFFFFFL);
    assertThat(HostCandidates.priority(126, 0x1234, 2)).isEqualTo((126L << 24) + (0x1234L << 8) + 254);
    assertThatThrownBy(() -> HostCandidates.priority(127, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HostCandidates.priority(0, 65_536, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HostCandidates.priority(0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HostCandidates.typePreference("tcp")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void peerReflexivePriorityKeepsTheLocalPreferenceAndComponent() {
    long host = HostCandidates.priority(126, 40_000, 1);

    assertThat(HostCandidates.localPreference(host)).isEqualTo(40_000);
    assertThat(HostCandidates.peerReflexivePriority(host)).isEqualTo(HostCandidates.priority(110, 40_000, 1));
  }

  @Test
  void givesEachAddressItsOwnLocalPreference() throws Exception {
    List<IceCandidate> candidates = HostCandidates.forAddresses(
        List.of(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("192.0.2.1")), 4000);

    assertThat(candidates).extracting(IceCandidate::address).containsExactly(
        new InetSocketAddress("2001:db8::1", 4000), new InetSocketAddress("192.0.2.1", 4000));
    assertThat(candidates).extracting(c -> HostCandidates.localPreference(c.priority()))
        .containsExactly(65_535, 65_534);
    assertThat(candidates).allSatisfy(c -> {
      assertThat(c.type()).isEqualTo("host");
      assertThat(c.protocol()).isEqualTo("udp");
      assertThat(c.component()).isEqualTo(1);
    });
    assertThat(candidates.get(0).foundation()).isNotEqualTo(candidates.get(1).foundation());
  }

  @Test
  void listsUpInterfaceAddressesWithLoopbackAndIpv6OnlyWhenAsked() {
    List<InetAddress> plain = HostCandidates.addresses(false, false);
    List<InetAddress> all = HostCandidates.addresses(true, true);

    assertThat(plain).noneMatch(a -> a.isLoopbackAddress() || a instanceof Inet6Address);
    assertThat(all).containsAll(plain);
    assertThat(all).anyMatch(InetAddress::isLoopbackAddress); // every test host has lo up
    assertThat(all).noneMatch(a -> a.isLinkLocalAddress() || a.isAnyLocalAddress());
    int firstV4 = indexOf(all, false);
    int lastV6 = lastIndexOfNonLoopbackV6(all);
    assertThat(lastV6).isLessThan(firstV4 < 0 ? Integer.MAX_VALUE : firstV4); // RFC 8421: IPv6 first
    assertThat(all.get(all.size() - 1).isLoopbackAddress()).isTrue(); // loopback last
    assertThat(HostCandidates.gather(5000, true, true)).hasSameSizeAs(all);
  }

  private static int indexOf(List<InetAddress> list, boolean v6) {
    for (int i = 0; i < list.size(); i++) {
      if ((list.get(i) instanceof Inet6Address) == v6 && !list.get(i).isLoopbackAddress()) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexOfNonLoopbackV6(List<InetAddress> list) {
    int last = -1;
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) instanceof Inet6Address && !list.get(i).isLoopbackAddress()) {
        last = i;
      }
    }
    return last;
  }
}
