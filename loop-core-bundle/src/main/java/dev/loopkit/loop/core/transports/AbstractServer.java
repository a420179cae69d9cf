package dev.loopkit.loop.core.transports;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Server;
import dev.loopkit.api.Transport;
import dev.loopkit.api.TransportSocket;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.IfStillWaiting;
import dev.loopkit.loop.core.LoopResource;
import dev.loopkit.loop.core.Networks;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * asyncio's {@code Server}: the listening sockets, the connections accepted through them, and
 * {@code wait_closed()}, which completes once the server is closed and its last connection is gone.
 * Loop thread only, as in asyncio; loops supply how to start and stop accepting on a socket.
 */
public abstract class AbstractServer implements Server, LoopResource {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    protected final BaseEventLoop loop;
    private List<NetworkChannel> sockets;
    private final Set<Transport> clients = new LinkedHashSet<>();
    private List<LoopFuture<Void>> waiters = new ArrayList<>();
    private boolean serving;
    private LoopFuture<Void> servingForever;
    private final Consumer<LoopFuture<Void>> closeIfCancelled = f -> {
        if (f.isCancelled()) {
            close(); // asyncio: cancelling serve_forever() closes the server
        }
    };

    protected AbstractServer(BaseEventLoop loop, List<? extends NetworkChannel> sockets) {
        this.loop = loop;
        this.sockets = new ArrayList<>(sockets);
        loop.track(this);
    }

    /** Starts accepting connections on {@code socket}. */
    protected abstract void startAccepting(NetworkChannel socket);

    /** Stops accepting on {@code socket} and closes it. */
    protected abstract void stopAccepting(NetworkChannel socket) throws IOException;

    /**
     * asyncio's report when no transport could be made for an accepted connection: the connection is
     * closed and the loop's exception handler is told; the server goes on accepting.
     */
    protected final void transportCreationFailed(NetworkChannel accepted, Throwable error) {
        Networks.closeQuietly(accepted);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("message", "Error on transport creation for incoming connection");
        context.put("exception", error);
        context.put("socket", new ChannelTransportSocket(accepted));
        loop.callExceptionHandler(context);
    }

    @Override
    public EventLoop getLoop() {
        return loop;
    }

    /** asyncio wraps each listening socket afresh at every call, as this does: the wrapper holds nothing of its own. */
    @Override
    public List<TransportSocket> sockets() {
        List<NetworkChannel> listening = sockets;
        return listening == null ? List.of() : listening.stream().<TransportSocket>map(ChannelTransportSocket::new).toList();
    }

    @Override
    public boolean isServing() {
        return serving;
    }

    @Override
    public void startServing() {
        if (serving || sockets == null) {
            return;
        }
        serving = true;
        sockets.forEach(this::startAccepting);
    }

    @Override
    public CompletionStage<Void> serveForever() {
        if (servingForever != null) {
            throw new IllegalStateException("server " + this + " is already being awaited on serve_forever()");
        }
        if (sockets == null) {
            throw new IllegalStateException("server " + this + " is closed");
        }
        startServing();
        servingForever = loop.createFuture();
        servingForever.addDoneCallback(closeIfCancelled);
        return servingForever;
    }

    @Override
    public void close() {
        List<NetworkChannel> listening = sockets;
        if (listening == null) {
            return;
        }
        sockets = null;
        serving = false;
        for (NetworkChannel socket : listening) {
            try {
                stopAccepting(socket);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing listening socket " + socket, e);
            }
        }
        if (servingForever != null) {
            IfStillWaiting.setResult(servingForever, null); // its caller may cancel it on any thread, in any moment
        }
        servingForever = null; // as asyncio's close: serve_forever() again says "is closed", not "already being awaited"
        if (clients.isEmpty()) {
            closedForGood();
        }
        // else the loop's until its last connection goes: a loop closed meanwhile releases it, which tells
        // its waiters (untracked here, it left them pending for ever: an outside review)
    }

    // Closed, no connection left: nothing of it is the loop's to release, and its waiters are told.
    private void closedForGood() {
        loop.untrack(this);
        wakeUp();
    }

    @Override
    public void closeClients() {
        new ArrayList<>(clients).forEach(Transport::close);
    }

    @Override
    public void abortClients() {
        new ArrayList<>(clients).forEach(Transport::abort);
    }

    @Override
    public CompletionStage<Void> waitClosed() {
        LoopFuture<Void> waiter = loop.createFuture();
        if (waiters == null) {
            waiter.setResult(null);
        } else {
            waiters.add(waiter);
        }
        return waiter;
    }

    /** A connection accepted through this server opened. */
    public void attach(Transport client) {
        clients.add(client);
    }

    /** A connection accepted through this server closed. */
    public void detach(Transport client) {
        clients.remove(client);
        if (clients.isEmpty() && sockets == null) {
            closedForGood();
        }
    }

    /** How many accepted connections are open. */
    public int activeCount() {
        return clients.size();
    }

    private void wakeUp() {
        List<LoopFuture<Void>> done = waiters;
        waiters = null;
        if (done != null) {
            done.forEach(w -> {
                IfStillWaiting.setResult(w, null);
            });
        }
    }

    /**
     * Closes the listening sockets with the loop; its connections go with the loop too. The server is
     * then closed for good, and so for its waiters: {@code serveForever()} and {@code waitClosed()}, asked
     * before or after, are done, as after {@link #close()}. They stayed pending for ever, and a thread
     * waiting for the server's end with them (an outside review).
     */
    @Override
    public void release() {
        List<NetworkChannel> listening = sockets;
        sockets = null;
        serving = false;
        if (listening != null) {
            for (NetworkChannel socket : listening) {
                try {
                    socket.close();
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "releasing listening socket " + socket, e);
                }
            }
        }
        if (servingForever != null) {
            servingForever.removeDoneCallback(closeIfCancelled); // a closed loop runs no callback: not dropped either
            IfStillWaiting.setResult(servingForever, null);
            servingForever = null;
        }
        wakeUp();
    }

    @Override
    public String toString() {
        return "<Server sockets=" + sockets() + ">";
    }
}
