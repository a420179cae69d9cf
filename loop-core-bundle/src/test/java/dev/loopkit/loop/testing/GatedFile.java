package dev.loopkit.loop.testing;

import dev.loopkit.testsupport.ForwardingFileChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * A file {@code sendfile} can only send through asyncio's fallback (no descriptor the loop can find
 * for {@code sendfile(2)}, and {@link #transferTo} refuses), whose first positional read waits in the
 * executor until {@link #release()}: a test cancels or closes at that step, where a block is read but
 * not written yet. {@link #entered} completes once that read waits, {@link #returned} once it returned.
 */
public final class GatedFile extends ForwardingFileChannel {

    public final CompletableFuture<Void> entered = new CompletableFuture<>();
    public final CompletableFuture<Integer> returned = new CompletableFuture<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private long position;

    public GatedFile(FileChannel file) {
        super(file);
    }

    /** Lets the waiting read (and every later one) go on. */
    public void release() {
        gate.countDown();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        entered.complete(null);
        LoopTestSupport.awaitQuietly(gate);
        int read = real.read(dst, position);
        returned.complete(read);
        return read;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        throw new IOException("not a file sendfile(2) can read");
    }

    // Only positional I/O: this channel's position is its own.

    @Override
    public int read(ByteBuffer dst) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int write(ByteBuffer src) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long position() {
        return position;
    }

    /** Its own, not the open file's: the loop's search for the file's descriptor by its offset finds nothing. */
    @Override
    public FileChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    protected void implCloseChannel() throws IOException {
        release();
        super.implCloseChannel();
    }
}
