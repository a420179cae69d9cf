package dev.loopkit.loop.testing;

import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.DatagramTransport;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** A UDP echo server's protocol: sends each datagram back to where it came from, from inside {@code datagramReceived}. */
public class DatagramEcho implements DatagramProtocol {

    private DatagramTransport transport;

    @Override
    public void connectionMade(DatagramTransport made) {
        transport = made;
    }

    @Override
    public void datagramReceived(ByteBuffer data, SocketAddress addr) {
        transport.sendto(data, addr);
    }
}
