package org.tgcalls4j.testsfu;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Response;
import org.ice4j.stack.StunStack;
import org.ice4j.util.Buffer;

/**
 * ice4j's single-port harvester (the one Jitsi Videobridge uses: a remote address is accepted only
 * once it sent a Binding Request for our ufrag, i.e. learned peer-reflexively) plus a "not
 * registered yet" window: until {@link #rejectUntil} the first check from a new address is answered
 * with a 401 Binding Error Response (RFC 5389 §10.1.2, group-call.md §4.1 timing quirk) and not
 * accepted, so ice4j never sees it. ice4j offers no request hook, so this overrides its protected
 * {@code maybeAcceptNewSession} and answers through a throw-away per-remote socket of the listener
 * (which shares the harvester's bound port). Called on ice4j's listener thread.
 */
final class RejectingHarvester extends SinglePortUdpHarvester {
  private final StunStack stunStack;
  private volatile long rejectUntilNanos;
  private volatile boolean rejecting;

  RejectingHarvester(String ip, StunStack stunStack) throws IOException {
    super(new TransportAddress(ip, 0, Transport.UDP));
    this.stunStack = stunStack;
  }

  /** Starts the window: checks arriving within {@code millis} from now are rejected. */
  void rejectFor(long millis) {
    rejectUntilNanos = System.nanoTime() + millis * 1_000_000L;
    rejecting = millis > 0;
  }

  @Override
  protected MySocket maybeAcceptNewSession(
      Buffer buf, InetSocketAddress remoteAddress, String ufrag) {
    if (rejecting && System.nanoTime() - rejectUntilNanos < 0) {
      sendUnauthorized(buf, remoteAddress, ufrag);
      return null;
    }
    return super.maybeAcceptNewSession(buf, remoteAddress, ufrag);
  }

  private void sendUnauthorized(Buffer buf, InetSocketAddress remoteAddress, String ufrag) {
    MySocket socket = null;
    try {
      Message request = Message.decode(buf.getBuffer(), buf.getOffset(), buf.getLength());
      Response response = MessageFactory.createBindingErrorResponse(
          ErrorCodeAttribute.UNAUTHORIZED, "Unauthorized");
      response.setTransactionID(request.getTransactionID());
      byte[] bytes = response.encode(stunStack);
      socket = addSocket(remoteAddress, ufrag, ignored -> { });
      socket.send(new DatagramPacket(bytes, bytes.length, remoteAddress));
    } catch (Exception e) {
      // A malformed check or a closed socket: the check is simply dropped.
    } finally {
      if (socket != null) {
        socket.close();
      }
    }
  }
}
