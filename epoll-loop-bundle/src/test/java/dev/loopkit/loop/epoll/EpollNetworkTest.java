package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Connection;
import dev.loopkit.api.Server;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.api.TransportSocket;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.EchoProtocol;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.ReadinessNetworkContract;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

/**
 * The network contract on the epoll loop: its transports and servers on native sockets in its own
 * epoll set; {@code sock*} and readers on JDK channels through its helper selector.
 */
public class EpollNetworkTest extends ReadinessNetworkContract {

    private static final String CHANNEL_THREAD = "loopkit-channels-";

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    /**
     * asyncio's {@code create_server(start_serving=False)} binds and listens only in {@code start_serving}
     * ({@code Server._start_serving}): until then a client is refused, not left waiting in a backlog.
     * The epoll loop listened at once, as the JDK's channels do (an outside review's gap, in
     * ASYNCIO-DIFFERENCES until then). The other loops still do.
     */
    @Test
    public void aServerNotYetServingRefusesClientsUntilItStarts() throws Exception {
        Server server = runFor(loop.createServer(EchoProtocol::new, LOCALHOST, 0,
                ServerOptions.defaults().withStartServing(false)));
        int port = port(server);
        assertThrows(java.net.ConnectException.class, () -> new java.net.Socket(LOCALHOST, port).close());
        server.startServing();
        CollectingProtocol client = new CollectingProtocol(2, false);
        Connection<CollectingProtocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, port));
        connection.transport().write("hi".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hi", new String(runFor(client.all), StandardCharsets.US_ASCII));
        connection.transport().close();
        server.close();
        runFor(server.waitClosed());
    }

    /**
     * Bound but not listening, two servers may share a port (SO_REUSEADDR); the second to start serving
     * is refused by the system then, as asyncio's {@code start_serving} raises {@code OSError} from
     * {@code listen}.
     */
    @Test
    public void aServerThatCannotListenWhenItStartsServingSaysWhy() {
        Server first = runFor(loop.createServer(EchoProtocol::new, LOCALHOST, 0, ServerOptions.defaults().withStartServing(false)));
        Server second = runFor(loop.createServer(EchoProtocol::new, LOCALHOST, port(first),
                ServerOptions.defaults().withStartServing(false)));
        first.startServing();
        java.io.UncheckedIOException refused = assertThrows(java.io.UncheckedIOException.class, second::startServing);
        assertTrue(refused.getMessage(), refused.getMessage().contains("Address already in use"));
        second.close();
        first.close();
        runFor(first.waitClosed());
    }

    /**
     * Native sockets cost no thread; JDK channels one, from the first watched until the loop closes. It
     * ended with the last channel and was made again, with a selector, for the next: every waiting
     * {@code sock*} on a JDK channel started a thread (533 a second where the selector loop did 6,451,
     * and a loop one descriptor short of the limit could not wait at all; an outside review).
     */
    @Test
    public void nativeSocketsCostNoThreadAndJdkChannelsOneFromTheFirstUntilTheLoopCloses() throws Exception {
        String helper = CHANNEL_THREAD + loop.id();
        Server server = echoServer();
        byte[] message = "no helper".getBytes(StandardCharsets.US_ASCII);
        CollectingProtocol client = new CollectingProtocol(message.length, false);
        Connection<CollectingProtocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, port(server)));
        connection.transport().write(message);
        runFor(client.all);
        assertEquals("a transport and a server on native sockets", List.of(), Leaks.threads(helper));
        assertEquals("the loop's thread is the only one it has", List.of(), Leaks.threads("loopkit-executor-" + loop.id() + "-"));

        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.sink().configureBlocking(false);
        loop.addReader(pipe.source(), () -> { });
        Thread first = helperThread();
        assertEquals(helper, first.getName());
        assertTrue(loop.removeReader(pipe.source()));
        loop.addWriter(pipe.sink(), () -> { });
        assertTrue(loop.removeWriter(pipe.sink()));
        NetworkChannel listener = openListeningSocket();
        NetworkChannel sender = openStreamSocket();
        runFor(loop.sockConnect(sender, listener.getLocalAddress()));
        NetworkChannel receiver = runFor(loop.sockAccept(listener));
        for (int i = 0; i < 20; i++) {
            var receiving = loop.sockRecv(receiver, ByteBuffer.allocate(1)); // waits: nothing sent yet
            assertSame("the same helper for every wait", first, helperThread());
            runFor(loop.sockSendall(sender, ByteBuffer.wrap(new byte[] {1})));
            assertEquals(Integer.valueOf(1), runFor(receiving));
        }
        for (NetworkChannel channel : List.of(listener, sender, receiver)) {
            channel.close();
        }
        connection.transport().close();
        server.close();
        loop.close();
        assertEquals("ended with the loop", List.of(), Leaks.threads(helper));
        pipe.source().close();
        pipe.sink().close();
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    /**
     * asyncio's {@code _ensure_fd_no_transport} for the loop's own sockets: the descriptor number of a
     * socket transport (found in {@code /proc/self/fd}, the one way a user has) is refused to the
     * user's readers and writers ("File descriptor N is used by transport ..."), as a pipe's is. A
     * reader of the user's would replace the transport's in the epoll set, and the stream would hang.
     */
    @Test
    public void theDescriptorNumberOfASocketTransportIsRefusedToTheUsersReadersAndWriters() throws Exception {
        Server server = echoServer();
        Map<Integer, String> before = Leaks.openFds();
        CollectingProtocol client = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> connection = runFor(loop.createConnection(() -> client, LOCALHOST, port(server)));
        List<String> refusals = new ArrayList<>();
        for (Map.Entry<Integer, String> fd : Leaks.openFds().entrySet()) {
            if (fd.getValue().startsWith("socket:") && !fd.getValue().equals(before.get(fd.getKey()))) {
                int number = fd.getKey();
                String used = assertThrows(IllegalStateException.class, () -> loop.addReader(number, () -> { })).getMessage();
                assertTrue(used, used.startsWith("File descriptor " + number + " is used by transport <"));
                assertEquals(used, assertThrows(IllegalStateException.class, () -> loop.removeReader(number)).getMessage());
                assertEquals(used, assertThrows(IllegalStateException.class, () -> loop.addWriter(number, () -> { })).getMessage());
                assertEquals(used, assertThrows(IllegalStateException.class, () -> loop.removeWriter(number)).getMessage());
                refusals.add(used);
            }
        }
        assertEquals("the client's socket and the one the server accepted: " + refusals, 2, refusals.size());
        assertTrue(refusals.toString(), refusals.stream().anyMatch(used -> used.endsWith(" " + connection.transport())));
        connection.transport().write(new byte[] {9});
        assertArrayEquals("the transport still reads", new byte[] {9}, runFor(client.all));
        connection.transport().close();
        assertNull(runFor(client.lost));
        server.close();
        runFor(server.waitClosed());
    }

    @Test
    public void aReaderOnAJdkChannelRunsOnTheLoopThreadAsLongAsItIsReadable() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.sink().write(ByteBuffer.wrap(new byte[] {7}));
        List<String> threads = new ArrayList<>();
        CompletableFuture<Void> thrice = new CompletableFuture<>();
        // level-triggered, as asyncio's selectors: a reader that does not read is called again
        loop.addReader(pipe.source(), () -> {
            threads.add(Thread.currentThread().getName());
            if (threads.size() == 3) {
                loop.removeReader(pipe.source());
                thrice.complete(null);
            }
        });
        runFor(thrice);
        assertEquals(List.of(Thread.currentThread().getName()), threads.stream().distinct().toList());
        ByteBuffer into = ByteBuffer.allocate(1);
        assertEquals(1, pipe.source().read(into));
        pipe.source().close();
        pipe.sink().close();
    }

    /**
     * Reentrancy: a reader that removes itself from inside its own callback (the channel is deregistered
     * from the helper's selector there and then) and adds another right after: the channel is
     * registered again, and the new reader runs, on the same helper.
     */
    @Test
    public void aReaderThatReplacesItselfFromItsCallbackIsCalledOnTheSameHelper() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        CompletableFuture<Thread> second = new CompletableFuture<>();
        List<Thread> helpersSeen = new ArrayList<>();
        loop.addReader(pipe.source(), () -> {
            helpersSeen.add(helperThread());
            assertTrue(loop.removeReader(pipe.source()));
            loop.addReader(pipe.source(), () -> {
                second.complete(helperThread());
                loop.removeReader(pipe.source());
            });
        });
        Thread secondHelper = runFor(second);
        assertSame(helpersSeen.get(0), secondHelper);
        pipe.source().close();
        pipe.sink().close();
    }

    /** The loop's helper thread for JDK channels, or {@code null}. */
    private Thread helperThread() {
        String name = CHANNEL_THREAD + loop.id();
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst().orElse(null);
    }

    @Test
    public void closingTransportsAndServersClosesTheirSocketsWhileTheLoopRuns() throws Exception {
        Map<Integer, String> withTheLoop = Leaks.openFds();
        Path path = Files.createTempDirectory("loopkit-epoll").resolve("s.sock");
        Server tcp = echoServer();
        Server unix = runFor(loop.createUnixServer(EchoProtocol::new, path));
        List<CollectingProtocol> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CollectingProtocol client = new CollectingProtocol(2, false);
            Connection<CollectingProtocol> connection = i % 2 == 0
                    ? runFor(loop.createConnection(() -> client, LOCALHOST, port(tcp)))
                    : runFor(loop.createUnixConnection(() -> client, path));
            connection.transport().write(new byte[] {1, 2});
            runFor(client.all);
            connection.transport().close();
            assertNull(runFor(client.lost));
            clients.add(client);
        }
        tcp.close();
        unix.close();
        runFor(tcp.waitClosed());
        runFor(unix.waitClosed());
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(withTheLoop));
        assertFalse(Files.exists(path));
        assertEquals(0, loop.watchedFileDescriptors());
    }

    @Test
    public void aUnixTransportNamesItsPathAndItsSocketIsNotTheChannel() throws Exception {
        Path path = Files.createTempDirectory("loopkit-epoll").resolve("named.sock");
        Server server = runFor(loop.createUnixServer(EchoProtocol::new, path));
        CollectingProtocol client = new CollectingProtocol(1, false);
        Connection<CollectingProtocol> connection = runFor(loop.createUnixConnection(() -> client, path));
        assertEquals(UnixDomainSocketAddress.of(path), connection.transport().getExtraInfo("peername"));
        assertEquals(UnixDomainSocketAddress.of(path), server.sockets().get(0).localAddress());
        TransportSocket socket = (TransportSocket) connection.transport().getExtraInfo("socket");
        assertEquals(UnixDomainSocketAddress.of(path), socket.remoteAddress());
        assertFalse("the channel itself is not handed out", (Object) socket instanceof NetworkChannel);
        connection.transport().close();
        runFor(client.lost);
        assertFalse(socket.isOpen());
        server.close();
        runFor(server.waitClosed());
    }
}
