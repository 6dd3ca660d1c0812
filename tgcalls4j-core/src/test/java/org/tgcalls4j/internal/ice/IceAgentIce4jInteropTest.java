package org.tgcalls4j.internal.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connects our controlled agent over a real loopback UDP socket to ice4j acting as a full controlling
 * agent behind a {@link SinglePortUdpHarvester}, the way Telegram's SFU (a Jitsi-style bridge) learns
 * a client only from the client's own checks (group-call.md §4.1).
 */
class IceAgentIce4jInteropTest {
  static {
    // Keep ice4j off the EC2 metadata address; the mapping harvesters are process-global.
    System.setProperty("ice4j.harvest.mapping.aws.enabled", "false");
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void connectsToIce4jControllingAgentThatLearnsUsPeerReflexively() throws Exception {
    IceCredentials ours = IceCredentials.generate(new SecureRandom());
    SinglePortUdpHarvester harvester =
        new SinglePortUdpHarvester(new TransportAddress("127.0.0.1", 0, Transport.UDP));
    Agent ice4j = new Agent();
    try (DatagramChannel channel = DatagramChannel.open();
        Selector selector = Selector.open()) {
      ice4j.setControlling(true);
      ice4j.setUseDynamicPorts(false);
      ice4j.addCandidateHarvester(harvester);
      IceMediaStream stream = ice4j.createMediaStream("audio");
      stream.setRemoteUfrag(ours.ufrag());
      stream.setRemotePassword(ours.pwd());
      Component component = ice4j.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
      LocalCandidate ice4jCandidate = component.getLocalCandidates().get(0);
      InetSocketAddress ice4jAddress = new InetSocketAddress(
          ice4jCandidate.getTransportAddress().getAddress(), ice4jCandidate.getTransportAddress().getPort());
      ice4j.startConnectivityEstablishment(); // no remote candidates: it must learn us

      channel.bind(new InetSocketAddress("127.0.0.1", 0));
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ);
      InetSocketAddress ourAddress = (InetSocketAddress) channel.getLocalAddress();
      List<IceState> states = new ArrayList<>();
      IceAgent.Output output = new IceAgent.Output() {
        @Override
        public void sendDatagram(InetSocketAddress to, byte[] data, int offset, int length) {
          try {
            channel.send(ByteBuffer.wrap(data, offset, length), to);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }

        @Override
        public void onStateChange(IceState state) {
          states.add(state);
        }

        @Override
        public void onSelectedPair(InetSocketAddress remote) {
        }
      };
      IceCandidate remote = new IceCandidate("1", 1, "udp", ice4jCandidate.getPriority(), ice4jAddress, "host");
      IceAgent agent = new IceAgent(IceConfig.defaults(),
          ours, new IceCredentials(ice4j.getLocalUfrag(), ice4j.getLocalPassword()),
          List.of(remote), new SecureRandom().nextLong(), output);

      agent.start(System.nanoTime());
      ByteBuffer buffer = ByteBuffer.allocate(1500);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline
          && !(agent.state() == IceState.CONNECTED && ice4j.getState().isEstablished())
          && agent.state() != IceState.FAILED) {
        long waitNanos = Math.min(agent.nextTimeoutNanos() - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(50));
        selector.selectedKeys().clear();
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
        InetSocketAddress from;
        while ((from = (InetSocketAddress) channel.receive(buffer.clear())) != null) {
          agent.handleStun(buffer.array(), 0, buffer.position(), from, System.nanoTime());
        }
        long now = System.nanoTime();
        if (now >= agent.nextTimeoutNanos()) {
          agent.handleTimeout(now);
        }
      }

      assertThat(agent.state()).isEqualTo(IceState.CONNECTED);
      assertThat(states).containsExactly(IceState.CHECKING, IceState.CONNECTED);
      assertThat(agent.selectedRemote()).isEqualTo(ice4jAddress);
      assertThat(agent.droppedMessages()).isZero();
      assertThat(ice4j.getState().isEstablished()).isTrue();
      CandidatePair ice4jSelected = component.getSelectedPair();
      assertThat(ice4jSelected).isNotNull();
      TransportAddress learned = ice4jSelected.getRemoteCandidate().getTransportAddress();
      assertThat(new InetSocketAddress(learned.getAddress(), learned.getPort())).isEqualTo(ourAddress);
      agent.close();
    } finally {
      ice4j.free();
      harvester.close();
    }
  }
}
