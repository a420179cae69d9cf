package dev.loopkit.loop.core.transports;

import dev.loopkit.api.Connection;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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

    private Pipes() {
    }

    /** asyncio {@code connect_read_pipe}; the loop has checked that it is open. */
    public static <P extends Protocol> CompletionStage<Connection<P>> connectRead(BaseEventLoop loop,
            Supplier<P> protocolFactory, int fd) {
        Posix posix = checkedPipe(loop, fd, protocolFactory);
        P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
        LoopFuture<Connection<P>> made = loop.createFuture();
        try {
            PipeReadTransport transport = new PipeReadTransport(loop, posix, fd, protocol);
            transport.startConnected(() -> made.setResult(new Connection<>(transport, protocol)));
        } catch (PosixException e) {
            made.setException(e);
        }
        return made;
    }

    /** asyncio {@code connect_write_pipe}; the loop has checked that it is open. */
    public static <P extends Protocol> CompletionStage<Connection<P>> connectWrite(BaseEventLoop loop,
            Supplier<P> protocolFactory, int fd) {
        Posix posix = checkedPipe(loop, fd, protocolFactory);
        boolean fifoOrSocket = isFifoOrSocket(fd);
        P protocol = Objects.requireNonNull(protocolFactory.get(), "the protocol factory returned null");
        LoopFuture<Connection<P>> made = loop.createFuture();
        try {
            PipeWriteTransport transport = new PipeWriteTransport(loop, posix, fd, protocol);
            transport.startConnected(fifoOrSocket, () -> made.setResult(new Connection<>(transport, protocol)));
        } catch (PosixException e) {
            made.setException(e);
        }
        return made;
    }

    // asyncio's S_ISFIFO or S_ISSOCK on the descriptor's mode (/proc/self/fd/N leads to pipes too).
    private static boolean isFifoOrSocket(int fd) {
        try {
            int type = (Integer) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:mode") & S_IFMT;
            return type == S_IFIFO || type == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException e) {
            return true; // as before: watched
        }
    }

    /**
     * asyncio's check of the descriptor's mode: a pipe, a FIFO, a socket or a character device, not a
     * regular file or a directory ("Pipe transport is for pipes/sockets only.": a file is always
     * readable, so the loop would spin on it).
     */
    private static Posix checkedPipe(BaseEventLoop loop, int fd, Supplier<?> protocolFactory) {
        Objects.requireNonNull(protocolFactory, "protocolFactory");
        Posix posix = Posix.get();
        if (fd < 0 || !posix.isOpen(fd)) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd);
        }
        // asyncio's words for a descriptor a transport uses: a second transport would take the first's
        // reader (the first never hears of data or EOF), and both would close the descriptor
        loop.transportUsing(fd).ifPresent(holder -> {
            throw BaseEventLoop.usedByTransport(fd, holder);
        });
        BasicFileAttributes attributes;
        try {
            // /proc/self/fd/N leads to what the descriptor is open on, pipes included
            attributes = Files.readAttributes(Path.of("/proc/self/fd/" + fd), BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid file descriptor: " + fd, e);
        }
        if (attributes.isRegularFile() || attributes.isDirectory()) {
            throw new IllegalArgumentException("Pipe transport is for pipes/sockets only.");
        }
        return posix;
    }
}
