package dev.loopkit.posix;

import dev.loopkit.testsupport.ForwardingFileChannel;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

/**
 * A real {@link FileChannel} that another thread closes at the {@code closeAt}-th move of its position
 * (counted from 1): that move fails as it would then, with {@link ClosedChannelException}.
 */
final class ClosingFileChannel extends ForwardingFileChannel {

    private final int closeAt;
    private int moves;

    ClosingFileChannel(FileChannel real, int closeAt) {
        super(real);
        this.closeAt = closeAt;
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        if (++moves == closeAt) {
            real.close();
            throw new ClosedChannelException();
        }
        return super.position(newPosition);
    }
}
