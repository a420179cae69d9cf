package dev.loopkit.subprocess;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.ReadTransport;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.api.WriteTransport;
import dev.loopkit.streams.PipeStreams;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.streams.StreamWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * asyncio's {@code SubprocessStreamProtocol}: a {@link StreamReader} on each of the child's output
 * pipes, a {@link StreamWriter} on its stdin, and the transport closed once the child exited and
 * both output pipes reached EOF.
 */
public final class SubprocessStreamProtocol implements SubprocessProtocol {

    private final EventLoop loop;
    private final int limit;
    private final PipeStreams stdinFlow;
    private final LoopFuture<Integer> exited;
    private final List<Integer> openPipes = new ArrayList<>();
    private SubprocessTransport transport;
    private StreamWriter stdin;
    private StreamReader stdout;
    private StreamReader stderr;
    private boolean processExited;

    public SubprocessStreamProtocol(EventLoop loop, int limit) {
        this.loop = loop;
        this.limit = limit;
        this.stdinFlow = new PipeStreams(loop);
        this.exited = loop.createFuture();
    }

    @Override
    public void connectionMade(SubprocessTransport made) {
        transport = made;
        if (made.getPipeTransport(1) instanceof ReadTransport out) {
            stdout = new StreamReader(loop, limit);
            stdout.setTransport(out);
            openPipes.add(1);
        }
        if (made.getPipeTransport(2) instanceof ReadTransport err) {
            stderr = new StreamReader(loop, limit);
            stderr.setTransport(err);
            openPipes.add(2);
        }
        if (made.getPipeTransport(0) instanceof WriteTransport in) {
            stdin = stdinFlow.writer(in, loop);
        }
    }

    @Override
    public void pipeDataReceived(int fd, ByteBuffer data) {
        StreamReader reader = fd == 1 ? stdout : fd == 2 ? stderr : null;
        if (reader != null) {
            reader.feedData(data);
        }
    }

    @Override
    public void pipeConnectionLost(int fd, Exception exc) {
        if (fd == 0) {
            if (stdin != null) {
                stdin.close();
            }
            stdinFlow.pipeLost(exc);
            return;
        }
        StreamReader reader = fd == 1 ? stdout : fd == 2 ? stderr : null;
        if (reader != null) {
            if (exc == null) {
                reader.feedEof();
            } else {
                reader.setException(exc);
            }
        }
        openPipes.remove(Integer.valueOf(fd));
        maybeCloseTransport();
    }

    @Override
    public void pauseWriting() {
        stdinFlow.pauseWriting();
    }

    @Override
    public void resumeWriting() {
        stdinFlow.resumeWriting();
    }

    @Override
    public void processExited() {
        processExited = true;
        if (!exited.isDone()) {
            exited.setResult(transport.getReturncode());
        }
        maybeCloseTransport();
    }

    private void maybeCloseTransport() {
        if (openPipes.isEmpty() && processExited && transport != null) {
            transport.close();
        }
    }

    StreamWriter stdin() {
        return stdin;
    }

    StreamReader stdout() {
        return stdout;
    }

    StreamReader stderr() {
        return stderr;
    }

    /** Completes with the return code once the child exited. */
    LoopFuture<Integer> exited() {
        return exited;
    }
}
