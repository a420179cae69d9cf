package dev.loopkit.loop.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link FileChannel} of the user's (a wrapper, say for metrics) over a real one, whose reads,
 * transfers and moves of the position throw {@code bug}: the file a {@code sendfile} is handed is
 * user code too. Its size, writes and the rest are the real channel's.
 */
final class ThrowingFileChannel extends FileChannel {

    private final FileChannel real;
    private final Throwable bug;

    ThrowingFileChannel(FileChannel real, Throwable bug) {
        this.real = real;
        this.bug = bug;
    }

    private RuntimeException fail() {
        return LoopTestSupport.thrown(bug);
    }

    @Override
    public int read(ByteBuffer dst) {
        throw fail();
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
        throw fail();
    }

    @Override
    public int read(ByteBuffer dst, long position) {
        throw fail();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
        throw fail();
    }

    @Override
    public long position() {
        throw fail();
    }

    @Override
    public FileChannel position(long newPosition) {
        throw fail();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return real.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return real.write(srcs, offset, length);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return real.write(src, position);
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        real.force(metaData);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return real.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
