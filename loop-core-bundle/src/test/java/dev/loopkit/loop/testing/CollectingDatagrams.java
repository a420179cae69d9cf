package dev.loopkit.loop.testing;

import dev.loopkit.api.DatagramProtocol;
import dev.loopkit.api.DatagramTransport;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The client side of the UDP tests: keeps a copy of every datagram, every error, and the loss of the endpoint. */
public class CollectingDatagrams implements DatagramProtocol {

    public final CompletableFuture<DatagramTransport> made = new CompletableFuture<>();
    public final CompletableFuture<Exception> lost = new CompletableFuture<>();
    public final List<byte[]> datagrams = new ArrayList<>();
    public final List<SocketAddress> senders = new ArrayList<>();
    public final List<Exception> errors = new ArrayList<>();
    /** Completed with the first error received. */
    public final CompletableFuture<Exception> error = new CompletableFuture<>();
    /** Completed once {@link #expect} datagrams arrived. */
    public final CompletableFuture<List<byte[]>> all = new CompletableFuture<>();
    public int lostCalls;
    private final int expect;

    public CollectingDatagrams(int expect) {
        this.expect = expect;
    }

    @Override
    public void connectionMade(DatagramTransport transport) {
        made.complete(transport);
    }

    @Override
    public void datagramReceived(ByteBuffer data, SocketAddress addr) {
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        datagrams.add(copy);
        senders.add(addr);
        if (datagrams.size() >= expect) {
            all.complete(datagrams);
        }
    }

    @Override
    public void errorReceived(Exception exc) {
        errors.add(exc);
        error.complete(exc);
    }

    @Override
    public void connectionLost(Exception exc) {
        lostCalls++;
        lost.complete(exc);
    }
}
