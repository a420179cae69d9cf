package dev.loopkit.loop.core.subprocess;

import dev.loopkit.api.Protocol;
import java.nio.ByteBuffer;

/**
 * asyncio's {@code ReadSubprocessPipeProto} / {@code WriteSubprocessPipeProto}: what a child's pipe
 * transport reports, routed to the child's transport with the pipe's number.
 */
final class SubprocessPipeProtocol implements Protocol {

    private final ChildProcessTransport process;
    private final int fd;
    private boolean disconnected;

    SubprocessPipeProtocol(ChildProcessTransport process, int fd) {
        this.process = process;
        this.fd = fd;
    }

    boolean disconnected() {
        return disconnected;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        process.pipeDataReceived(fd, data);
    }

    @Override
    public void connectionLost(Exception exc) {
        disconnected = true;
        process.pipeConnectionLost(fd, exc);
    }

    @Override
    public void pauseWriting() {
        process.protocol().pauseWriting();
    }

    @Override
    public void resumeWriting() {
        process.protocol().resumeWriting();
    }
}
