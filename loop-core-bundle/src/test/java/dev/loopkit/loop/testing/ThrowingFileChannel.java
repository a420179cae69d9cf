package dev.loopkit.loop.testing;

import dev.loopkit.testsupport.ForwardingFileChannel;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A {@link FileChannel} of the user's (a wrapper, say for metrics) over a real one, whose reads,
 * transfers and moves of the position throw {@code bug}: the file a {@code sendfile} is handed is
 * user code too. Its size, writes and the rest are the real channel's.
 */
final class ThrowingFileChannel extends ForwardingFileChannel {

    private final Throwable bug;

    ThrowingFileChannel(FileChannel real, Throwable bug) {
        super(real);
        this.bug = bug;
    }

    @Override
    public int read(ByteBuffer dst) {
        throw LoopTestSupport.thrown(bug);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
        throw LoopTestSupport.thrown(bug);
    }

    @Override
    public int read(ByteBuffer dst, long position) {
        throw LoopTestSupport.thrown(bug);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
        throw LoopTestSupport.thrown(bug);
    }

    @Override
    public long position() {
        throw LoopTestSupport.thrown(bug);
    }

    @Override
    public FileChannel position(long newPosition) {
        throw LoopTestSupport.thrown(bug);
    }
}
