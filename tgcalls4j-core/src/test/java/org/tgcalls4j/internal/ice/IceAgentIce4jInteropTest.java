package org.tgcalls4j.internal.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.internal.stun.StunMessage;

/**
 * Connects our agent over real loopback UDP sockets to ice4j as an independent full ICE agent behind
 * a {@link SinglePortUdpHarvester} (the way Telegram's SFU, a Jitsi-style bridge, runs it), in both
 * roles, with trickled and peer-reflexive candidates, the RFC 8445 §7.3.1.4 race and IPv6.
 */
class IceAgentIce4jInteropTest {
  static {
    // Keep ice4j off the EC2 metadata address; the mapping harvesters are process-global.
    System.setProperty("ice4j.harvest.mapping.aws.enabled", "false");
  }

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final String V4 = "127.0.0.1";

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void connectsControlledToIce4jControllingThatLearnsUsPeerReflexively() throws Exception {
    IceCredentials ours = IceCredentials.generate(new SecureRandom());
    try (Ice4jPeer peer = new Ice4jPeer(V4, true, ours);
        OurSide side = new OurSide(IceRole.CONTROLLED, ours, peer.credentials(), false)) {
      int port = side.bindHost(V4);
      side.agent.addRemoteCandidate(peer.candidate(), System.nanoTime());
      peer.start(); // no remote candidates: it must learn us

      side.agent.start(System.nanoTime());
      side.runUntil(() -> side.connected() && peer.established(), 15_000);

      assertThat(side.states).containsExactly(IceState.CHECKING, IceState.CONNECTED);
      assertThat(side.agent.selectedRemote()).isEqualTo(peer.address);
      assertThat(side.selectedPort).isEqualTo(port);
      assertThat(side.agent.droppedMessages()).isZero();
      assertThat(peer.selectedRemote()).isEqualTo(side.address(port));
      assertThat(peer.selectedRemoteType()).isEqualTo(CandidateType.PEER_REFLEXIVE_CANDIDATE);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void connectsControllingToIce4jControlledWithSignalledCandidatesBothWays() throws Exception {
    IceCredentials ours = IceCredentials.generate(new SecureRandom());
    try (Ice4jPeer peer = new Ice4jPeer(V4, false, ours);
        OurSide side = new OurSide(IceRole.CONTROLLING, ours, peer.credentials(), false)) {
      int port = side.bindHost(V4);
      peer.addRemote(side.localCandidate(port));
      peer.start();
      side.agent.addRemoteCandidate(peer.candidate(), System.nanoTime());

      side.agent.start(System.nanoTime());
      side.runUntil(() -> side.connected() && peer.established(), 15_000);

      assertThat(side.states).containsExactly(IceState.CHECKING, IceState.CONNECTED);
      assertThat(side.agent.role()).isEqualTo(IceRole.CONTROLLING);
      assertThat(side.sentUseCandidate).isTrue(); // we nominated (RFC 8445 §8.1.1)
      assertThat(side.agent.selectedRemote()).isEqualTo(peer.address);
      assertThat(side.agent.droppedMessages()).isZero();
      assertThat(peer.agent.isControlling()).isFalse();
      assertThat(peer.selectedRemote()).isEqualTo(side.address(port));
      assertThat(peer.selectedRemoteType()).isEqualTo(CandidateType.HOST_CANDIDATE);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void trickleStartsWithoutRemoteCandidatesAndIce4jLearnsUsPeerReflexively() throws Exception {
    IceCredentials ours = IceCredentials.generate(new SecureRandom());
    try (Ice4jPeer peer = new Ice4jPeer(V4, false, ours);
        OurSide side = new OurSide(IceRole.CONTROLLING, ours, peer.credentials(), false)) {
      int port = side.bindHost(V4);
      peer.start(); // never told our candidate
      side.agent.start(System.nanoTime());

      side.runUntil(() -> false, 300);
      assertThat(side.agent.state()).isEqualTo(IceState.CHECKING);
      assertThat(side.requestsSent).isZero(); // nothing to check yet
      side.agent.addRemoteCandidate(peer.candidate(), System.nanoTime()); // trickled after start
      side.runUntil(() -> side.connected() && peer.established(), 15_000);

      assertThat(side.agent.state()).isEqualTo(IceState.CONNECTED);
      assertThat(side.agent.selectedRemote()).isEqualTo(peer.address);
      assertThat(peer.selectedRemote()).isEqualTo(side.address(port));
      assertThat(peer.selectedRemoteType()).isEqualTo(CandidateType.PEER_REFLEXIVE_CANDIDATE);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void learnsIce4jPeerReflexivelyWhenOnlyIce4jGetsOurTrickledCandidate() throws Exception {
    IceCredentials ours = IceCredentials.generate(new SecureRandom());
    try (Ice4jPeer peer = new Ice4jPeer(V4, true, ours);
        OurSide side = new OurSide(IceRole.CONTROLLED, ours, peer.credentials(), false)) {
      int port = side.bindHost(V4);
      // A single-port candidate cannot check first (it needs a packet from the remote): give
      // ice4j an ordinary host socket as well.
      peer.addHostSocket(V4);
      side.agent.start(System.nanoTime()); // we never learn ice4j's candidates by signalling
      peer.start();

      side.runUntil(() -> false, 300);
      peer.trickleRemote(side.localCandidate(port)); // ice4j learns ours after its start
      side.runUntil(() -> side.connected() && peer.established(), 15_000);

      assertThat(side.agent.state()).isEqualTo(IceState.CONNECTED);
      assertThat(side.agent.selectedRemote()).isEqualTo(peer.hostSocketAddress);
      assertThat(side.agent.remoteCandidates()).isNotEmpty()
          .allSatisfy(c -> assertThat(c.type()).isEqualTo("prflx")); // RFC 8445 §7.3.1.3
      assertThat(peer.selectedRemote()).isEqualTo(side.address(port));
    }
  }

  /**
   * RFC 8445 §7.3.1.4: every response to our first check is lost, so that check stays in flight;
   * ice4j's own check (and then its USE-CANDIDATE nomination) arrives meanwhile. Our agent must send
   * a new check at once instead of waiting for the first transaction to time out (6.3 s).
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void requestForAPairInFlightTriggersANewCheckAndSelectsWithoutWaitingForTheLostTransaction()
      throws Exception {
    IceCredentials ours = IceCredentials.generate(new SecureRandom());
    try (Ice4jPeer peer = new Ice4jPeer(V4, true, ours);
        OurSide side = new OurSide(IceRole.CONTROLLED, ours, peer.credentials(), false)) {
      side.bindHost(V4);
      side.agent.addRemoteCandidate(peer.candidate(), System.nanoTime());
      peer.start();
      side.dropIncoming = (message, data) -> side.firstRequestId != null
          && message.type() != StunMessage.BINDING_REQUEST && message.hasTransactionId(side.firstRequestId);

      long start = System.nanoTime();
      side.agent.start(start);
      side.runUntil(() -> side.connected() && peer.established(), 15_000);
      long connectedMillis = (side.connectedAtNanos - start) / MS;

      assertThat(side.agent.state()).isEqualTo(IceState.CONNECTED);
      assertThat(side.droppedResponses).isPositive(); // the first check really was answered and lost
      assertThat(connectedMillis).isLessThan(3_000); // the lost transaction would end at 6.3 s
      assertThat(side.firstRequestTransmissions).isLessThan(7); // cancelled: retransmissions stopped
      assertThat(side.agent.selectedRemote()).isEqualTo(peer.address);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void connectsOverIpv6Loopback() throws Exception {
    assumeTrue(ipv6LoopbackWorks(), "::1 is not usable on this host");
    IceCredentials ours = IceCredentials.generate(new SecureRandom());
    try (Ice4jPeer peer = new Ice4jPeer("::1", false, ours);
        OurSide side = new OurSide(IceRole.CONTROLLING, ours, peer.credentials(), true)) {
      int port = side.bindHost("::1");
      peer.addRemote(side.localCandidate(port));
      peer.start();
      side.agent.addRemoteCandidate(peer.candidate(), System.nanoTime());

      side.agent.start(System.nanoTime());
      side.runUntil(() -> side.connected() && peer.established(), 15_000);

      assertThat(side.agent.state()).isEqualTo(IceState.CONNECTED);
      assertThat(side.agent.selectedRemote()).isEqualTo(new InetSocketAddress("::1", peer.address.getPort()));
      assertThat(peer.selectedRemote()).isEqualTo(side.address(port));
    }
  }

  private static boolean ipv6LoopbackWorks() {
    try (DatagramChannel a = DatagramChannel.open(); DatagramChannel b = DatagramChannel.open()) {
      a.bind(new InetSocketAddress("::1", 0));
      b.bind(new InetSocketAddress("::1", 0));
      b.configureBlocking(false);
      a.send(ByteBuffer.wrap(new byte[] {1}), b.getLocalAddress());
      ByteBuffer buffer = ByteBuffer.allocate(4);
      long deadline = System.nanoTime() + 500 * MS;
      while (System.nanoTime() < deadline) {
        if (b.receive(buffer) != null) {
          return true;
        }
        Thread.sleep(5);
      }
      return false;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Our agent on real sockets, one {@link DatagramChannel} per port id, driven by a bounded loop. */
  private static final class OurSide implements IceAgent.Output, AutoCloseable {
    final IceAgent agent;
    final Selector selector = Selector.open();
    final List<DatagramChannel> channels = new ArrayList<>();
    final List<IceState> states = new ArrayList<>();
    int selectedPort = -1;
    long connectedAtNanos;
    int requestsSent;
    boolean sentUseCandidate;
    byte[] firstRequestId;
    int firstRequestTransmissions;
    int droppedResponses;
    /** Test hook: incoming STUN datagrams for which this answers true are lost. */
    BiPredicate<StunMessage, byte[]> dropIncoming = (m, d) -> false;

    OurSide(IceRole role, IceCredentials ours, IceCredentials theirs, boolean ipv6) throws IOException {
      IceConfig config = new IceConfig(10_000, 2_500, 30_000, ipv6);
      agent = new IceAgent(config, role, ours, theirs, new SecureRandom().nextLong(), this);
    }

    /** Binds a new socket and adds its host candidate; @return its port id */
    int bindHost(String ip) throws IOException {
      DatagramChannel channel = DatagramChannel.open();
      channels.add(channel);
      channel.bind(new InetSocketAddress(ip, 0));
      channel.configureBlocking(false);
      int portId = channels.size() - 1;
      channel.register(selector, SelectionKey.OP_READ, portId);
      agent.addLocalCandidate(localCandidate(portId));
      return portId;
    }

    LocalCandidate localCandidate(int portId) {
      return new LocalCandidate(portId, HostCandidates.host(address(portId), 65_535 - portId));
    }

    InetSocketAddress address(int portId) {
      try {
        return (InetSocketAddress) channels.get(portId).getLocalAddress();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    boolean connected() {
      return agent.state() == IceState.CONNECTED;
    }

    /** Runs I/O and timers until done or {@code millis} pass, or our agent fails. */
    void runUntil(BooleanSupplier done, long millis) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(1500);
      long deadline = System.nanoTime() + millis * MS;
      while (System.nanoTime() < deadline && !done.getAsBoolean() && agent.state() != IceState.FAILED) {
        long waitNanos = Math.min(agent.nextTimeoutNanos() - System.nanoTime(), 20 * MS);
        selector.selectedKeys().clear();
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
        for (int portId = 0; portId < channels.size(); portId++) {
          InetSocketAddress from;
          while ((from = (InetSocketAddress) channels.get(portId).receive(buffer.clear())) != null) {
            byte[] data = Arrays.copyOf(buffer.array(), buffer.position());
            if (drop(data)) {
              continue;
            }
            agent.handleStun(portId, data, 0, data.length, from, System.nanoTime());
          }
        }
        long now = System.nanoTime();
        if (now >= agent.nextTimeoutNanos()) {
          agent.handleTimeout(now);
        }
      }
    }

    private boolean drop(byte[] data) {
      try {
        StunMessage m = StunMessage.parse(data, 0, data.length);
        if (dropIncoming.test(m, data)) {
          droppedResponses++;
          return true;
        }
      } catch (Exception e) {
        // not STUN: the agent counts it
      }
      return false;
    }

    @Override
    public void sendDatagram(int portId, InetSocketAddress to, byte[] data, int offset, int length) {
      try {
        StunMessage m = StunMessage.parse(data, offset, length);
        if (m.type() == StunMessage.BINDING_REQUEST) {
          requestsSent++;
          sentUseCandidate |= m.useCandidate();
          if (firstRequestId == null) {
            firstRequestId = m.transactionId();
          }
          if (m.hasTransactionId(firstRequestId)) {
            firstRequestTransmissions++;
          }
        }
        channels.get(portId).send(ByteBuffer.wrap(data, offset, length), to);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (Exception e) {
        throw new AssertionError("agent sent a datagram that is not STUN", e);
      }
    }

    @Override
    public void onStateChange(IceState state) {
      states.add(state);
      if (state == IceState.CONNECTED) {
        connectedAtNanos = System.nanoTime();
      }
    }

    @Override
    public void onSelectedPair(int portId, InetSocketAddress remote) {
      selectedPort = portId;
    }

    @Override
    public void close() throws IOException {
      agent.close();
      for (DatagramChannel c : channels) {
        c.close();
      }
      selector.close();
    }
  }

  /** An ice4j full agent with one component behind a single-port harvester. */
  private static final class Ice4jPeer implements AutoCloseable {
    final Agent agent = new Agent();
    final SinglePortUdpHarvester harvester;
    final Component component;
    final org.ice4j.ice.LocalCandidate local;
    final InetSocketAddress address;
    InetSocketAddress hostSocketAddress;
    MultiplexingDatagramSocket hostSocket;

    Ice4jPeer(String ip, boolean controlling, IceCredentials remote) throws Exception {
      try {
        harvester = new SinglePortUdpHarvester(new TransportAddress(ip, 0, Transport.UDP));
      } catch (Exception | Error e) {
        agent.free();
        throw e;
      }
      try {
        agent.setControlling(controlling);
        agent.setUseDynamicPorts(false);
        agent.addCandidateHarvester(harvester);
        IceMediaStream stream = agent.createMediaStream("audio");
        stream.setRemoteUfrag(remote.ufrag());
        stream.setRemotePassword(remote.pwd());
        component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, true);
        local = component.getLocalCandidates().get(0);
        address = new InetSocketAddress(local.getTransportAddress().getAddress(),
            local.getTransportAddress().getPort());
      } catch (Exception | Error e) {
        close();
        throw e;
      }
    }

    /** Adds a host candidate on its own socket, as ice4j's host harvester would (before start). */
    void addHostSocket(String ip) throws IOException {
      MultiplexingDatagramSocket socket = new MultiplexingDatagramSocket(new InetSocketAddress(ip, 0));
      hostSocket = socket;
      HostCandidate candidate = new HostCandidate(new IceUdpSocketWrapper(socket), component, Transport.UDP);
      component.addLocalCandidate(candidate);
      if (component.getComponentSocket() != null) {
        component.getComponentSocket().add(socket);
      }
      agent.getStunStack().addSocket(candidate.getStunSocket(null));
      hostSocketAddress = (InetSocketAddress) socket.getLocalSocketAddress();
    }

    IceCredentials credentials() {
      return new IceCredentials(agent.getLocalUfrag(), agent.getLocalPassword());
    }

    IceCandidate candidate() {
      return new IceCandidate("1", 1, "udp", local.getPriority(), address, "host");
    }

    void addRemote(LocalCandidate ours) {
      component.addRemoteCandidate(toRemote(ours));
    }

    void trickleRemote(LocalCandidate ours) {
      component.addUpdateRemoteCandidates(toRemote(ours));
      component.updateRemoteCandidates();
    }

    private RemoteCandidate toRemote(LocalCandidate ours) {
      return new RemoteCandidate(new TransportAddress(ours.address(), Transport.UDP), component,
          CandidateType.HOST_CANDIDATE, ours.candidate().foundation(), ours.candidate().priority(), null);
    }

    void start() {
      agent.startConnectivityEstablishment();
    }

    boolean established() {
      return agent.getState().isEstablished();
    }

    InetSocketAddress selectedRemote() {
      CandidatePair pair = component.getSelectedPair();
      if (pair == null) {
        return null;
      }
      TransportAddress a = pair.getRemoteCandidate().getTransportAddress();
      return new InetSocketAddress(a.getAddress(), a.getPort());
    }

    CandidateType selectedRemoteType() {
      CandidatePair pair = component.getSelectedPair();
      return pair == null ? null : pair.getRemoteCandidate().getType();
    }

    @Override
    public void close() {
      agent.free();
      harvester.close();
      if (hostSocket != null) {
        hostSocket.close(); // normally already closed by free(); idempotent
      }
    }
  }
}
