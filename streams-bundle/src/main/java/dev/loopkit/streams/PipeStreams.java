package dev.loopkit.streams;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.WriteTransport;
import java.io.IOException;

/**
 * Streams over a child process's pipes, for {@link dev.loopkit.subprocess}: a writer on its
 * stdin whose {@code drain()} follows the pipe's flow control.
 */
public final class PipeStreams implements WriteFlow {

    private final DrainWaiters drainWaiters;
    private final LoopFuture<Void> closed;

    public PipeStreams(EventLoop loop) {
        drainWaiters = new DrainWaiters(loop);
        closed = loop.createFuture();
    }

    /** A writer on {@code stdin}, the write end of a child's standard input. */
    public StreamWriter writer(WriteTransport stdin, EventLoop loop) {
        return new StreamWriter(stdin, this, null, loop);
    }

    public void pauseWriting() {
        drainWaiters.pause();
    }

    public void resumeWriting() {
        drainWaiters.resume();
    }

    /** The pipe closed: {@code exc} is {@code null} for a regular close. */
    public void pipeLost(Exception exc) {
        drainWaiters.connectionLost(exc);
        if (exc == null) {
            IfStillWaiting.setResult(closed, null);
        } else {
            IfStillWaiting.failClosed(closed, exc instanceof IOException ? exc : new IOException(exc));
        }
    }

    @Override
    public LoopFuture<Void> drainHelper() {
        return drainWaiters.drain();
    }

    @Override
    public LoopFuture<Void> closed() {
        return closed;
    }
}
