package dev.loopkit.loop.testing;

import dev.loopkit.api.Protocol;
import dev.loopkit.api.Transport;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** The server side of the echo tests: writes back what it reads; closes at EOF after echoing. */
public class EchoProtocol implements Protocol {

    public final CompletableFuture<Exception> lost = new CompletableFuture<>();
    protected Transport transport;

    @Override
    public void connectionMade(Transport made) {
        transport = made;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        transport.write(data);
    }

    @Override
    public void connectionLost(Exception exc) {
        lost.complete(exc);
    }
}
