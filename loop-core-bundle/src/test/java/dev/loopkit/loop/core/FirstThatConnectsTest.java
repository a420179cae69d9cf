package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;

import dev.loopkit.api.LoopFuture;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.After;
import org.junit.Test;

/**
 * asyncio's create_connection when every address fails: the one error if they all say the same, else
 * "Multiple exceptions: " and every error, a repeated one too. A refusal repeated among others was
 * listed once (an outside review).
 */
public class FirstThatConnectsTest {

    private final ParkingEventLoop loop = new ParkingEventLoop();

    @After
    public void close() {
        loop.close();
    }

    @Test
    public void everyErrorIsListedARepeatedOneToo() {
        Throwable failed = failureOver(List.of(address(1), address(2), address(1)));
        assertEquals("Multiple exceptions: " + refusal(1) + ", " + refusal(2) + ", " + refusal(1), failed.getMessage());
    }

    @Test
    public void errorsThatAllSayTheSameAreTheFirstOne() {
        List<SocketAddress> twice = List.of(address(1), address(1));
        Throwable failed = failureOver(twice);
        assertSame(ConnectException.class, failed.getClass());
        assertEquals(refusal(1), failed.getMessage());
    }

    private Throwable failureOver(List<SocketAddress> addresses) {
        LoopFuture<List<SocketAddress>> resolved = loop.createFuture();
        resolved.setResult(addresses);
        CompletionStage<AutoCloseable> connecting = Networks.firstThatConnects(loop, resolved, null, (address, locals) -> {
            LoopFuture<AutoCloseable> refused = loop.createFuture();
            refused.setException(new ConnectException(refusal(((InetSocketAddress) address).getPort())));
            return refused;
        });
        return assertThrows(CompletionException.class, () -> loop.runUntilComplete(connecting)).getCause();
    }

    private static SocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static String refusal(int port) {
        return "Connect call failed ('127.0.0.1', " + port + "): Connection refused";
    }
}
