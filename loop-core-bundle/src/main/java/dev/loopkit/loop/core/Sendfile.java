package dev.loopkit.loop.core;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Transport;
import dev.loopkit.loop.core.ZeroCopySocket.FileSending;
import dev.loopkit.loop.core.scheduling.Scheduler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NetworkChannel;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * asyncio's {@code sendfile} and {@code sock_sendfile}: zero-copy where the bytes can go from the file
 * to a socket the loop writes itself (a {@link ZeroCopySocket}: {@link FileChannel#transferTo} into a
 * non-blocking JDK socket, {@code sendfile(2)} into a loop's own; the bytes never enter the JVM), else asyncio's
 * fallback, which reads the file in blocks in the default executor and writes them (a proactor's
 * asynchronous socket, a transport that must transform what it sends). The fallback's reads are the
 * only bytes copied through the JVM's memory here, and the loop counts them
 * ({@link BaseEventLoop#sendfileBytesCopied()}).
 */
final class Sendfile {

    /**
     * The fallback's smallest block for transports: asyncio's {@code _sendfile_fallback} reads 16 KiB at
     * a time. Each block is one hop to the executor and back, so a block here is as large as the
     * transport's high-water mark allows, up to {@link #SOCKET_BLOCK} (asyncio's limits hold as in asyncio: the buffer never holds more
     * than the mark and one block); 64 KiB with the default mark. A mark of 1 GiB made a block of the
     * whole count, allocated at once (an outside review). On the proactor loop, against the C
     * {@code sendfile(2)} program of the same run (loaded quick runs of the benchmarks' sendfile section):
     * 16 KiB heap blocks 0.11×, 64 KiB direct ones (no copy between the file and a heap array) 0.21×,
     * 256 KiB direct ones 0.27×.
     */
    static final int TRANSPORT_BLOCK = 16 * 1024;
    /** asyncio's {@code SENDFILE_FALLBACK_READBUFFER_SIZE}: {@code sock_sendfile}'s fallback's block, and the largest for transports. */
    static final int SOCKET_BLOCK = 256 * 1024;

    private final BaseEventLoop loop;
    private final FileChannel file;
    private final long offset;
    /** Where to stop: {@code Long.MAX_VALUE} for the end of the file. */
    private final long end;
    private final LoopFuture<Long> result;
    private long position;
    /** The fallback's write of the block in hand, until done: a cancel cancels it too. */
    private CompletableFuture<?> writing;

    private Sendfile(BaseEventLoop loop, FileChannel file, long offset, Long count) {
        this.loop = loop;
        this.file = file;
        this.offset = offset;
        this.end = count == null || count > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + count;
        this.position = offset;
        this.result = loop.createFuture();
        // asyncio leaves the file's position after what was sent also when cancelled, both ways
        // (_sock_sendfile_update_filepos; _sendfile_fallback's finally)
        result.addDoneCallback(f -> {
            if (f.isCancelled()) {
                leaveFilePositionQuietly();
                if (writing != null) {
                    // asyncio's cancellation reaches the awaited sock_sendall: the rest of the block is not sent
                    writing.cancel(false);
                }
            }
        });
    }

    /** asyncio's {@code _check_sendfile_params}, with its words. */
    static void checkParams(FileChannel file, long offset, Long count) {
        if (file == null) {
            throw new NullPointerException("file");
        }
        if (count != null && count <= 0) {
            throw new IllegalArgumentException("count must be a positive integer (got " + count + ")");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be a non-negative integer (got " + offset + ")");
        }
    }

    // ---- loop.sendfile ---------------------------------------------------------------------------------

    static LoopFuture<Long> overTransport(BaseEventLoop loop, Transport transport, FileChannel file, long offset, Long count) {
        if (transport.isClosing()) {
            throw new IllegalStateException("Transport is closing");
        }
        if (!(transport instanceof SendfileTransport socketTransport)) {
            throw new IllegalStateException("sendfile is not supported for transport " + transport);
        }
        if (transport.getProtocol() instanceof SendfileFallbackProtocol) {
            // Another sendfile's fallback runs (the zero-copy way refuses through its empty waiter). asyncio
            // would stand in a second protocol for the first stand-in; whichever finished last left a
            // stand-in as the transport's protocol, which failed the connection on the next byte received.
            throw new IllegalStateException("Empty waiter is already set");
        }
        Sendfile sending = new Sendfile(loop, file, offset, count);
        ZeroCopySocket socket = socketTransport instanceof ZeroCopyTransport direct ? direct.zeroCopySocket() : null;
        if (socket != null) {
            sending.zeroCopyThrough((ZeroCopyTransport) socketTransport, socket);
        } else {
            sending.fallbackThrough(socketTransport);
        }
        return sending.result;
    }

    // asyncio's _sendfile_native: reading paused, the write buffer drained first, writes refused meanwhile;
    // a file that cannot go to the socket directly takes the fallback once all that is undone.
    private void zeroCopyThrough(ZeroCopyTransport transport, ZeroCopySocket socket) {
        LoopFuture<Void> drained = transport.makeEmptyWaiter(); // refuses a second sendfile before anything changed
        boolean resumeReading = transport.isReading();
        transport.pauseReading();
        Runnable restore = new Runnable() {
            private boolean restored; // before the fallback, and once done: only the first time counts

            @Override
            public void run() {
                if (!restored) {
                    restored = true;
                    transport.resetEmptyWaiter();
                    if (resumeReading) {
                        transport.resumeReading();
                    }
                }
            }
        };
        result.addDoneCallback(f -> restore.run());
        drained.addDoneCallback(f -> {
            // Asked first: a drain that failed after the caller gave the sendfile up is not a failure nobody retrieved
            Throwable failed = f.isCancelled() ? new CancellationException() : f.exception();
            if (result.isDone()) {
                return; // cancelled meanwhile
            }
            if (failed != null) {
                fail(failed);
            } else {
                zeroCopy(socket, () -> {
                    restore.run();
                    fallbackThrough(transport);
                });
            }
        });
    }

    // asyncio's _sendfile_fallback: block by block, waiting while the transport's buffer is over its high-water mark.
    private void fallbackThrough(SendfileTransport transport) {
        SendfileFallbackProtocol protocol = new SendfileFallbackProtocol(loop, transport);
        result.addDoneCallback(f -> protocol.restore());
        int block = Math.min(SOCKET_BLOCK, Math.max(TRANSPORT_BLOCK, transport.getWriteBufferLimits().high()));
        copyInBlocks(block, next -> protocol.drain().thenRun(() -> {
            if (result.isDone()) {
                // Room may come (a write completing) after a cancel and before restore() ends the wait, whose
                // done callback runs an iteration later: asyncio's cancelled task writes nothing more then
                return;
            }
            if (transport.isClosing()) {
                // Room came, then the transport was closed before this write, which runs an iteration or two
                // later. Written into a closing transport, the block is dropped (a TLS one's rule) while the
                // file's position counts it; asyncio's fallback loses it so. Fail as the next drain would.
                throw new CompletionException(SendfileFallbackProtocol.closedByPeer());
            }
            transport.write(next);
        }));
    }

    // ---- loop.sock_sendfile ------------------------------------------------------------------------------

    /** {@code socket}: where the bytes may go directly, or {@code null} for asyncio's fallback. */
    static LoopFuture<Long> overSocket(BaseEventLoop loop, ZeroCopySocket socket, NetworkChannel channel,
            FileChannel file, long offset, Long count) {
        Sendfile sending = new Sendfile(loop, file, offset, count);
        Runnable fallback = () -> sending.copyInBlocks(SOCKET_BLOCK, block -> loop.sockSendall(channel, block));
        loop.failIfClosedUnder(sending.result, channel); // a zero-copy wait for room would outlive the socket
        if (socket != null) {
            sending.zeroCopy(socket, fallback);
        } else {
            fallback.run();
        }
        return sending.result;
    }

    // ---- the two ways ----------------------------------------------------------------------------------

    /**
     * asyncio's {@code _sock_sendfile_native} on Unix: {@code sendfile(2)}, retried on each
     * writability. Where the file cannot be sent this way, or the first send fails (asyncio: "os.sendfile
     * call failed", {@code SendfileNotAvailableError}), {@code unavailable} runs instead, with nothing
     * sent. A later failure fails the sendfile: the socket took bytes before, or was closed while waited
     * for (asyncio would also fall back then, into a socket it cannot write).
     */
    private void zeroCopy(ZeroCopySocket socket, Runnable unavailable) {
        FileSending sending;
        try {
            sending = socket.sendFrom(file);
        } catch (IOException | RuntimeException notAvailable) {
            unavailable.run();
            return;
        } catch (Error e) { // the file is the user's channel: what else it throws (an assert) fails the sendfile
            fail(e);
            Scheduler.rethrowIfFatal(e);
            return;
        }
        var attempt = new Runnable() {
            private boolean first = true;

            @Override
            public void run() {
                if (result.isDone()) {
                    stop(); // cancelled while the socket was full
                    return;
                }
                try {
                    while (position < end) {
                        long sent = sending.send(position, end - position);
                        if (sent < 0) {
                            socket.whenWritable(this); // the socket's buffer is full: wait for room
                            return;
                        }
                        if (sent == 0) {
                            break; // the end of the file
                        }
                        position += sent;
                    }
                    stop();
                    finish();
                } catch (IOException | RuntimeException e) {
                    stop();
                    if (first && position == offset) {
                        unavailable.run();
                    } else {
                        fail(e);
                    }
                } catch (Error e) {
                    stop();
                    fail(e);
                    Scheduler.rethrowIfFatal(e);
                } finally {
                    first = false;
                }
            }

            // At once, not from a done callback: a loop closing meanwhile runs none, and the file's descriptor must close.
            void stop() {
                socket.stopWaiting();
                sending.close();
            }
        };
        result.addDoneCallback(f -> {
            if (f.isCancelled()) {
                attempt.stop(); // asyncio's cancellation callback: the socket is no longer watched
            }
        });
        attempt.run();
    }

    /**
     * asyncio's fallbacks: reads a block in the default executor (a file read may block), hands it
     * to {@code write} (done once the block may be reused), and goes on until the end or the count.
     */
    private void copyInBlocks(int blockSize, Function<ByteBuffer, CompletionStage<?>> write) {
        ByteBuffer block = ByteBuffer.allocateDirect((int) Math.min(blockSize, end - offset));
        nextBlock(block, write);
    }

    private void nextBlock(ByteBuffer block, Function<ByteBuffer, CompletionStage<?>> write) {
        if (result.isDone()) {
            return;
        }
        int wanted = (int) Math.min(block.capacity(), end - position);
        if (wanted <= 0) {
            finish();
            return;
        }
        long at = position;
        CompletionStage<Integer> reading;
        try {
            reading = loop.runInExecutor(null, () -> file.read(block.clear().limit(wanted), at));
        } catch (RuntimeException refused) {
            // asyncio's run_in_executor raises there ("Executor shutdown has been called"), and the sendfile with
            // it; the transport's protocol comes back as the result's done callbacks run
            fail(refused);
            return;
        }
        reading.whenComplete((read, error) -> {
            if (result.isDone()) {
                return; // cancelled while the block was read: asyncio's await raises there, nothing more is written
            }
            if (error != null) {
                fail(Networks.unwrap(error));
            } else if (read <= 0) {
                finish();
            } else {
                loop.countSendfileCopy(read);
                CompletableFuture<?> written;
                try {
                    written = write.apply(block.flip()).toCompletableFuture();
                } catch (RuntimeException refused) { // a socket sockSendall does not take
                    fail(refused);
                    return;
                }
                writing = written;
                // Counted in the very call that ends the write, as asyncio's fallback counts a block in the
                // step that writes it: a stage of the loop's runs an iteration later, and a cancel in
                // between left the file's position one block short of what the peer got
                // (SendfileContract.cancellingAFallbackSendfileRightAfterItWroteABlockCountsThatBlock).
                inline(written, (ok, failed) -> {
                    writing = null;
                    if (result.isDone()) {
                        return; // cancelled meanwhile
                    }
                    if (failed != null) {
                        fail(Networks.unwrap(failed));
                        return;
                    }
                    position += read;
                    nextBlock(block, write);
                });
            }
        });
    }

    private static <T> void inline(CompletableFuture<T> stage, BiConsumer<? super T, ? super Throwable> action) {
        if (stage instanceof DefaultLoopFuture<T> loopStage) {
            loopStage.whenCompleteInline(action);
        } else {
            stage.whenComplete(action);
        }
    }

    // asyncio leaves the file's position after the last byte sent, also when the sending failed. The
    // caller may have cancelled on another thread since the loop's look at the result: then nothing is
    // completed, and nothing reported (SockCancelledAsTheLoopCompletesTest).
    private void finish() {
        try {
            leaveFilePosition();
            IfStillWaiting.setResult(result, position - offset);
        } catch (IOException e) {
            IfStillWaiting.setException(result, e);
        }
    }

    private void fail(Throwable error) {
        try {
            leaveFilePosition();
        } catch (IOException e) {
            error.addSuppressed(e);
        }
        IfStillWaiting.setException(result, error);
    }

    private void leaveFilePositionQuietly() {
        try {
            leaveFilePosition();
        } catch (IOException e) {
            // the caller's channel closed meanwhile: there is no position to leave
        }
    }

    private void leaveFilePosition() throws IOException {
        if (position > offset) {
            Uninterruptibly.onFile(() -> file.position(position));
        }
    }
}
