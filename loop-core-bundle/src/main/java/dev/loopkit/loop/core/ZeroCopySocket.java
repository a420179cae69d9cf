package dev.loopkit.loop.core;

import dev.loopkit.api.Handle;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;

/**
 * A socket zero-copy {@code sendfile} writes to itself (asyncio's {@code _sock_sendfile_native}):
 * how a file is sent straight to it, and how to wait until it takes more. A JDK
 * {@link SocketChannel} is one through {@link FileChannel#transferTo} ({@link #transferring}); a
 * loop's own socket through {@code sendfile(2)}. Loop thread only.
 */
public interface ZeroCopySocket {

    /**
     * Starts sending {@code file} to this socket; what that needs (a descriptor of the file) is held
     * until the sending is closed.
     *
     * @throws IOException when the file cannot be sent this way (asyncio's
     *         {@code SendfileNotAvailableError}): {@code sendfile} then takes asyncio's fallback
     */
    FileSending sendFrom(FileChannel file) throws IOException;

    /** Calls {@code onWritable} once the socket takes more, and on until {@link #stopWaiting()}; replaces an earlier one. */
    void whenWritable(Runnable onWritable);

    /**
     * Stops what {@link #whenWritable} started, if anything, and only that: the socket's writer is the
     * sendfile's from {@code whenWritable} until another writer replaces it (the caller's
     * {@code sockSendall} or {@code addWriter} on its socket, the transport flushing a write made once
     * the sendfile was cancelled), and a writer that is no longer its own is left alone.
     */
    void stopWaiting();

    /** A file being sent to the socket. */
    interface FileSending extends Closeable {

        /**
         * Sends up to {@code count} bytes of the file from {@code position}.
         *
         * @return how many were sent; 0 at the end of the file; -1 when the socket takes nothing now
         */
        long send(long position, long count) throws IOException;

        /** Releases what the sending held; never fails. */
        @Override
        void close();
    }

    /**
     * {@code file} into {@code socket} with {@link FileChannel#transferTo}: {@code sendfile(2)} on Linux,
     * inside the JDK.
     *
     * @throws IOException for a file whose size the system gives as 0 (a character device such as
     *         {@code /dev/zero}, a file of {@code /proc}): {@code transferTo} sends nothing past the size
     *         it reads, so the sendfile completed with 0 bytes where asyncio's sends what it is asked
     *         for (SendfileContract); asyncio's fallback, which reads the file, sends it
     */
    static FileSending transferring(FileChannel file, SocketChannel socket) throws IOException {
        if (Uninterruptibly.onFile(file::size) == 0) {
            throw new IOException("the JDK's transferTo sends nothing from a file of size 0 (a device, a /proc file)");
        }
        return new FileSending() {
            @Override
            public long send(long position, long count) throws IOException {
                long sent = Uninterruptibly.onFile(() -> file.transferTo(position, count, socket));
                if (sent == 0) {
                    return position >= Uninterruptibly.onFile(file::size) ? 0 : -1; // transferTo says 0 for both
                }
                return sent;
            }

            @Override
            public void close() {
                // the caller's file: it stays open
            }
        };
    }

    /** A non-blocking JDK socket the loop watches through {@code readiness}: {@code sockSendfile}'s zero-copy target. */
    static ZeroCopySocket of(SocketChannel socket, ChannelReadiness readiness) {
        return new ZeroCopySocket() {
            /** The sendfile's writer; cancelled once replaced or removed. */
            private Handle waiting;

            @Override
            public FileSending sendFrom(FileChannel file) throws IOException {
                return transferring(file, socket);
            }

            @Override
            public void whenWritable(Runnable onWritable) {
                waiting = readiness.addWriter(socket, onWritable);
            }

            @Override
            public void stopWaiting() {
                if (waiting != null && !waiting.isCancelled()) {
                    readiness.removeWriter(socket);
                }
                waiting = null;
            }
        };
    }
}
