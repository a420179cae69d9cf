package dev.loopkit.loop.proactor;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.Networks;
import java.lang.System.Logger.Level;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;

/**
 * Keeps one accept pending on a listening socket, as asyncio's proactor server does (NIO.2 allows
 * one at a time). Each completion hands the connection to the loop thread, where the protocol and
 * transport are made, and at once starts the next accept from the group's thread: only the NIO.2
 * call runs there, no user code, and a burst of connections is accepted as fast as the kernel queues
 * them instead of one per loop iteration. Closing the listening socket ends the chain; a failure
 * (out of descriptors, say) stops it and the server decides, on the loop thread, when to start again.
 */
final class Acceptor implements CompletionHandler<AsynchronousSocketChannel, Void> {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");

    private final ProactorServer server;
    private final BaseEventLoop loop;
    private final AsynchronousServerSocketChannel listener;

    Acceptor(ProactorServer server, BaseEventLoop loop, AsynchronousServerSocketChannel listener) {
        this.server = server;
        this.loop = loop;
        this.listener = listener;
    }

    /** Starts accepting: the loop thread, then the group's thread after each completion. */
    void acceptNext() {
        try {
            listener.accept(null, this);
        } catch (RuntimeException e) { // the group is shutting down with the loop: nothing to accept for
            LOG.log(Level.DEBUG, "accept on {0} not started: {1}", listener, e.toString());
        }
    }

    @Override
    public void completed(AsynchronousSocketChannel accepted, Void attachment) {
        try {
            loop.callSoonThreadsafe(() -> server.accepted(listener, accepted));
        } catch (RuntimeException closed) { // "Event loop is closed"
            Networks.closeQuietly(accepted);
            return;
        }
        acceptNext();
    }

    @Override
    public void failed(Throwable error, Void attachment) {
        if (!listener.isOpen()) {
            return; // the server closed: this is how the pending accept ends
        }
        try {
            loop.callSoonThreadsafe(() -> server.acceptFailed(listener, error));
        } catch (RuntimeException closed) {
            LOG.log(Level.DEBUG, "accept failure dropped, {0}: {1}", loop, error.toString());
        }
    }
}
