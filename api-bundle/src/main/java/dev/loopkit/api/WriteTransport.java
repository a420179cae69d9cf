package dev.loopkit.api;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.osgi.annotation.versioning.ProviderType;

/** asyncio's {@code WriteTransport}. */
@ProviderType
public interface WriteTransport extends BaseTransport {

    /**
     * Writes {@code data} (its remaining bytes) without blocking; what the socket does not take at
     * once is copied to the write buffer. The caller may reuse {@code data} after the call.
     */
    void write(ByteBuffer data);

    default void write(byte[] data) {
        write(ByteBuffer.wrap(data));
    }

    /**
     * asyncio {@code writelines(list_of_data)}: every buffer is taken before one is written (asyncio
     * joins them, or takes a view of each), so a list with a {@code null} in it writes nothing.
     */
    default void writelines(Iterable<ByteBuffer> data) {
        List<ByteBuffer> buffers = new ArrayList<>();
        for (ByteBuffer buffer : data) {
            buffers.add(Objects.requireNonNull(buffer, () -> "writelines: element " + buffers.size() + " is null"));
        }
        for (ByteBuffer buffer : buffers) {
            write(buffer);
        }
    }

    /** Closes the write end after flushing; reading goes on. */
    void writeEof();

    boolean canWriteEof();

    /** Closes at once, dropping buffered data; {@code connectionLost(null)} follows. */
    void abort();

    /** Bytes waiting in the write buffer. */
    int getWriteBufferSize();

    WriteBufferLimits getWriteBufferLimits();

    /**
     * asyncio {@code set_write_buffer_limits(high, low)}: {@code pauseWriting} above {@code high},
     * {@code resumeWriting} at or below {@code low}.
     */
    void setWriteBufferLimits(int high, int low);
}
