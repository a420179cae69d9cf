package dev.loopkit.loop.core.transports;

import dev.loopkit.api.Connection;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.scheduling.Scheduler;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * asyncio's {@code connect_read_pipe} and {@code connect_write_pipe} for every loop: the descriptor
 * the user owns gets the transport a child's pipe gets, watched by the loop's raw-descriptor set.
 */
public final class Pipes {

    // the file types of stat's st_mode
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFCHR = 0020000;
    // asyncio's words, each transport its own (_UnixReadPipeTransport, _UnixWritePipeTransport)
    private static final String NO_READ_PIPE = "Pipe transport is for pipes/sockets only.";
    private static final String NO_WRITE_PIPE = "Pipe transport is only for pipes, sockets and character devices";

    private Pipes() {
    }

    /** asyncio {@code connect_read_pipe}; the loop has checked that it is open. */
    public static <P extends Protocol> CompletionStage<Connection<P>> connectRead(BaseEventLoop loop,
            Supplier<P> protocolFactory, int fd) {
        checkedFileType(loop, fd, protocolFactory, NO_READ_PIPE);
        Posix posix = Posix.get();
        LoopFuture<Connection<P>> made = loop.createFuture();
        try {
            P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            PipeReadTransport transport = new PipeReadTransport(loop, posix, fd, protocol);
            transport.startConnected(() -> made.setResult(new Connection<>(transport, protocol)));
        } catch (PosixException | RuntimeException | Error e) { // user code: what the factory throws (an assert too)
            made.setException(e);
            Scheduler.rethrowIfFatal(e);
        }
        return made;
    }

    /** asyncio {@code connect_write_pipe}; the loop has checked that it is open. */
    public static <P extends Protocol> CompletionStage<Connection<P>> connectWrite(BaseEventLoop loop,
            Supplier<P> protocolFactory, int fd) {
        boolean fifoOrSocket = isFifoOrSocket(checkedFileType(loop, fd, protocolFactory, NO_WRITE_PIPE));
        Posix posix = Posix.get();
        LoopFuture<Connection<P>> made = loop.createFuture();
        try {
            P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
            PipeWriteTransport transport = new PipeWriteTransport(loop, posix, fd, protocol);
            transport.startConnected(fifoOrSocket, () -> made.setResult(new Connection<>(transport, protocol)));
        } catch (PosixException | RuntimeException | Error e) { // user code: what the factory throws (an assert too)
            made.setException(e);
            Scheduler.rethrowIfFatal(e);
        }
        return made;
    }

    private static boolean isFifoOrSocket(int type) {
        return type == S_IFIFO || type == S_IFSOCK;
    }

    /**
     * The file type bits of what the descriptor is open on (/proc/self/fd/N leads to pipes and anonymous
     * inodes too: an eventfd's mode has none).
     */
    private static int fileType(int fd) {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:mode") & S_IFMT;
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd, e);
        }
    }

    /**
     * asyncio's check of the descriptor's mode: a pipe, a FIFO, a socket or a character device
     * (S_ISFIFO, S_ISSOCK, S_ISCHR), not a regular file, a directory or an eventfd (a file is always
     * readable, so the loop would spin on it).
     *
     * @return the descriptor's file type
     */
    private static int checkedFileType(BaseEventLoop loop, int fd, Supplier<?> protocolFactory, String refusal) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        loop.openDescriptorSet(); // before the check: the transport watches the descriptor later
        if (fd < 0 || !Posix.get().isOpen(fd)) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd);
        }
        // asyncio's words for a descriptor a transport uses: a second transport would take the first's
        // reader (the first never hears of data or EOF), and both would close the descriptor
        loop.transportUsing(fd).ifPresent(holder -> {
            throw BaseEventLoop.usedByTransport(fd, holder);
        });
        int type = fileType(fd);
        if (!isFifoOrSocket(type) && type != S_IFCHR) {
            throw new IllegalArgumentException(refusal);
        }
        return type;
    }
}
