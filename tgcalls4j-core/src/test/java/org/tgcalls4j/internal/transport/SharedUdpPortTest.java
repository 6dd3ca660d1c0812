package org.tgcalls4j.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.stun.StunMessage;
import org.tgcalls4j.internal.stun.StunMessageBuilder;

class SharedUdpPortTest {
  private static final byte[] KEY = "0123456789abcdefghijkl".getBytes(StandardCharsets.US_ASCII);

  private static byte[] bindingRequest(String username) {
    return new StunMessageBuilder(StunMessage.BINDING_REQUEST, new byte[12]).addUsername(username)
        .addPriority(1).addIceControlling(7).build(KEY, true);
  }

  @Test
  void theReceiversUfragIsUsernameUpToTheColon() {
    // RFC 8445 §7.2.2: the sender puts the receiver's ufrag first
    assertThat(SharedUdpPort.recipientUfrag(bindingRequest("ourUfrag:theirs"), 
        bindingRequest("ourUfrag:theirs").length)).isEqualTo("ourUfrag");
  }

  @Test
  void notABindingRequestOrNoColonOrTruncatedYieldsNothing() {
    byte[] request = bindingRequest("nocolon");
    assertThat(SharedUdpPort.recipientUfrag(request, request.length)).isNull();

    byte[] valid = bindingRequest("abcd:efgh");
    byte[] response = valid.clone();
    response[1] = 0x01;
    response[0] = 0x01; // 0x0101: a Binding success response
    assertThat(SharedUdpPort.recipientUfrag(response, response.length)).isNull();
    // cut inside the USERNAME value: the attribute's length runs past the datagram
    assertThat(SharedUdpPort.recipientUfrag(valid, 26)).isNull();
    assertThat(SharedUdpPort.recipientUfrag(Arrays.copyOf(valid, 19), 19)).isNull();
    assertThat(SharedUdpPort.recipientUfrag(new byte[] {(byte) 0x80, 111}, 2)).isNull();
  }
}
