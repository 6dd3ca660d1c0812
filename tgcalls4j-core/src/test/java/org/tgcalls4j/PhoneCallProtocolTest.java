package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol tgcalls4j advertises and the version choice of p2p-call.md §1.6/§6. */
class PhoneCallProtocolTest {
  @Test
  void advertisesBothTransportsLayers65To92AndTheV2Versions() {
    PhoneCallProtocol protocol = PhoneCallProtocol.supported();
    assertThat(protocol.udpP2p()).isTrue();
    assertThat(protocol.udpReflector()).isTrue();
    assertThat(protocol.minLayer()).isEqualTo(65);
    assertThat(protocol.maxLayer()).isEqualTo(92);
    assertThat(protocol.libraryVersions()).containsExactly("9.0.0", "8.0.0");
    assertThatThrownBy(() -> protocol.libraryVersions().add("13.0.0"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void copiesTheVersionList() {
    List<String> versions = new ArrayList<>(List.of("8.0.0"));
    PhoneCallProtocol protocol = new PhoneCallProtocol(true, false, 92, 92, versions);
    versions.add("9.0.0");
    assertThat(protocol.libraryVersions()).containsExactly("8.0.0");
  }

  @Test
  void choosesTheFirstImplementedEntryOfTheFinalList() throws Exception {
    assertThat(PhoneCallProtocol.chooseVersion(List.of("9.0.0"))).isEqualTo("9.0.0");
    assertThat(PhoneCallProtocol.chooseVersion(List.of("8.0.0", "9.0.0"))).isEqualTo("8.0.0");
    // TD's reverse-lexicographic list (§1.6)
    assertThat(PhoneCallProtocol.chooseVersion(
            List.of("9.0.0", "8.0.0", "7.0.0", "5.0.0", "2.7.7", "13.0.0", "12.0.0", "11.0.0", "10.0.0")))
        .isEqualTo("9.0.0");
    assertThat(PhoneCallProtocol.chooseVersion(List.of("13.0.0", "12.0.0", "8.0.0"))).isEqualTo("8.0.0");
  }

  @Test
  void namesTheFieldAndBothListsWhenNothingMatches() {
    assertThatThrownBy(() -> PhoneCallProtocol.chooseVersion(List.of("13.0.0", "4.0.0")))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("protocol.library_versions"))
        .hasMessageContaining("13.0.0")
        .hasMessageContaining("4.0.0")
        .hasMessageContaining("9.0.0, 8.0.0");
    assertThatThrownBy(() -> PhoneCallProtocol.chooseVersion(List.of()))
        .isInstanceOf(InvalidParamsException.class);
  }
}
