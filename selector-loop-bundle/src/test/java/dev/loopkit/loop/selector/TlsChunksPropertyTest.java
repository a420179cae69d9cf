package dev.loopkit.loop.selector;

import static dev.loopkit.loop.testing.LoopTestSupport.runFor;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertNull;

import dev.loopkit.api.BufferedProtocol;
import dev.loopkit.api.Connection;
import dev.loopkit.api.ConnectionOptions;
import dev.loopkit.api.Server;
import dev.loopkit.api.ServerOptions;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.EchoProtocol;
import dev.loopkit.loop.testing.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Any sequence of writes of any sizes goes through TLS and back byte for byte, to a plain protocol or
 * to a {@link BufferedProtocol} whose buffers are any size (down to one byte: the TLS layer then hands
 * one record's bytes over in many pieces).
 */
class TlsChunksPropertyTest {

    private SelectorEventLoop loop;
    private Server server;

    @BeforeProperty
    void openLoop() {
        loop = new SelectorEventLoop();
        server = runFor(loop, loop.createServer(EchoProtocol::new, "127.0.0.1", 0,
                ServerOptions.defaults().withSsl(TestCertificates.serverContext())));
    }

    @AfterProperty
    void closeLoop() {
        server.close();
        loop.close();
    }

    /** Fills buffers of one size, as a BufferedProtocol's reader would. */
    private static final class SmallBuffers extends CollectingProtocol implements BufferedProtocol {
        private final ByteBuffer buffer;

        SmallBuffers(int expect, int bufferSize) {
            super(expect, false);
            buffer = ByteBuffer.allocate(bufferSize);
        }

        @Override
        public ByteBuffer getBuffer(int sizeHint) {
            return buffer.clear();
        }

        @Override
        public void bufferUpdated(int nbytes) {
            dataReceived(buffer.flip());
        }
    }

    @Property(tries = 25)
    void writesOfAnySizeEchoByteExact(@ForAll @Size(min = 1, max = 12) List<@IntRange(min = 1, max = 70_000) Integer> sizes,
            @ForAll @IntRange(min = 0, max = 20_000) int bufferSize, @ForAll long seed) throws IOException {
        int total = sizes.stream().mapToInt(Integer::intValue).sum();
        byte[] data = new byte[total];
        new Random(seed).nextBytes(data);
        CollectingProtocol client = bufferSize == 0 ? new CollectingProtocol(total, false) : new SmallBuffers(total, bufferSize);
        int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
        Connection<CollectingProtocol> connection = runFor(loop, loop.createConnection(() -> client, "127.0.0.1", port,
                ConnectionOptions.ssl(TestCertificates.clientContext())));
        int offset = 0;
        for (int size : sizes) {
            connection.transport().write(ByteBuffer.wrap(data, offset, size));
            offset += size;
        }
        assertArrayEquals(data, runFor(loop, client.all));
        connection.transport().close();
        assertNull(runFor(loop, client.lost));
    }
}
