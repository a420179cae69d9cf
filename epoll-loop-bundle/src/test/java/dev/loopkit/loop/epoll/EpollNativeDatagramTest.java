package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.DatagramEndpoint;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.CollectingDatagrams;
import dev.loopkit.loop.testing.DatagramEcho;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

/**
 * The epoll loop's UDP endpoints are sockets of its own in its epoll set: no helper selector thread
 * carries their datagrams, and closing them closes their descriptors.
 */
public class EpollNativeDatagramTest extends LoopTestSupport {

    private static final String CHANNEL_WATCHER = "loopkit-channels-";

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Override
    protected boolean unexpectedErrorsFail() {
        return true;
    }

    private DatagramEndpoint<DatagramEcho> echoServer(String host) {
        return runFor(loop.createDatagramEndpoint(DatagramEcho::new, new InetSocketAddress(host, 0), null));
    }

    private void exchange(String host) {
        DatagramEndpoint<DatagramEcho> server = echoServer(host);
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = runFor(loop.createDatagramEndpoint(() -> client, null,
                (InetSocketAddress) server.transport().getExtraInfo("sockname")));
        assertEquals("both endpoints are in the loop's own epoll set",
                watchedBefore + 2, loop.watchedFileDescriptors());
        byte[] ping = ("ping over " + host).getBytes(StandardCharsets.US_ASCII);
        endpoint.transport().sendto(ping, null);
        assertArrayEquals(ping, runFor(client.all).get(0));
        assertEquals("no helper selector thread while datagram endpoints are open and busy", List.of(),
                Leaks.threads(CHANNEL_WATCHER + loop.id()));
        server.transport().close();
        endpoint.transport().close();
        runFor(client.lost);
        assertEquals(watchedBefore, loop.watchedFileDescriptors());
    }

    private int watchedBefore;

    @Test
    public void ipv4EndpointsAreNativeSocketsInTheEpollSetWithNoHelperThread() {
        watchedBefore = loop.watchedFileDescriptors();
        exchange("127.0.0.1");
    }

    @Test
    public void ipv6EndpointsAreNativeSocketsInTheEpollSetWithNoHelperThread() {
        watchedBefore = loop.watchedFileDescriptors();
        exchange("::1");
    }

    /**
     * asyncio's {@code _ensure_fd_no_transport} for the loop's own UDP sockets: the descriptor number of
     * an endpoint (found in {@code /proc/self/fd}) is refused to the user's readers and writers, as a
     * TCP transport's is; the endpoint still receives.
     */
    @Test
    public void theDescriptorNumberOfAnEndpointIsRefusedToTheUsersReadersAndWriters() {
        Map<Integer, String> before = Leaks.openFds();
        DatagramEndpoint<DatagramEcho> server = echoServer("127.0.0.1");
        int number = Leaks.openFds().entrySet().stream()
                .filter(fd -> fd.getValue().startsWith("socket:") && !fd.getValue().equals(before.get(fd.getKey())))
                .mapToInt(Map.Entry::getKey).findFirst().orElseThrow();
        String used = "File descriptor " + number + " is used by transport " + server.transport();
        assertEquals(used, assertThrows(IllegalStateException.class, () -> loop.addReader(number, () -> { })).getMessage());
        assertEquals(used, assertThrows(IllegalStateException.class, () -> loop.removeReader(number)).getMessage());
        assertEquals(used, assertThrows(IllegalStateException.class, () -> loop.addWriter(number, () -> { })).getMessage());
        assertEquals(used, assertThrows(IllegalStateException.class, () -> loop.removeWriter(number)).getMessage());
        CollectingDatagrams client = new CollectingDatagrams(1);
        DatagramEndpoint<CollectingDatagrams> endpoint = runFor(loop.createDatagramEndpoint(() -> client, null,
                (InetSocketAddress) server.transport().getExtraInfo("sockname")));
        endpoint.transport().sendto(new byte[] {3}, null);
        assertArrayEquals("the endpoint still receives (and echoes)", new byte[] {3}, runFor(client.all).get(0));
        server.transport().close();
        endpoint.transport().close();
        runFor(client.lost);
    }

    @Test
    public void closedEndpointsAndTheClosedLoopLeaveNoDescriptorAndNoThread() {
        Map<Integer, String> before = Leaks.openFds();
        watchedBefore = loop.watchedFileDescriptors();
        exchange("127.0.0.1");
        assertEquals("the endpoints' sockets are closed", Map.of(), Leaks.newFds(before));
        DatagramEndpoint<DatagramEcho> leftOpen = echoServer("127.0.0.1");
        CompletableFuture<Void> turn = new CompletableFuture<>();
        loop.callSoon(() -> turn.complete(null));
        runFor(turn);
        assertTrue(leftOpen.transport().getExtraInfo("sockname") instanceof InetSocketAddress);
        loop.close(); // closes the endpoint left open, with the loop's own descriptors
        assertEquals("the loop's descriptors and the endpoint left open are closed", Map.of(), Leaks.newFds(fdsBefore));
        assertTrue(Leaks.await(() -> Leaks.threads("loopkit-").stream().noneMatch(n -> n.endsWith("-" + loop.id())), 10));
    }
}
