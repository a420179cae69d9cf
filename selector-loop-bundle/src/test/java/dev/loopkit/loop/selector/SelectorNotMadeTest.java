package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;

import dev.loopkit.loop.testing.FailedConstruction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import org.junit.Test;

/**
 * A selector loop that cannot open its selector (the process out of descriptors: EMFILE) says why in
 * its own message, as the other loops do, not only in the cause; and the loop not made is not warned
 * about later as unclosed.
 */
public class SelectorNotMadeTest {

    @Test(timeout = 60_000)
    public void aLoopWithoutASelectorSaysWhyAndIsNotWarnedAboutAsUnclosed() throws Exception {
        UncheckedIOException refused = FailedConstruction.leavesNoUnclosedLoop(SelectorEventLoop::new,
                UncheckedIOException.class, () -> new SelectorEventLoop(new OutOfDescriptors()));
        assertEquals("cannot open a selector: Too many open files", refused.getMessage());
    }

    /** The platform's provider, but its selectors cannot be opened, as at the process's descriptor limit. */
    private static final class OutOfDescriptors extends SelectorProvider {
        private final SelectorProvider platform = SelectorProvider.provider();

        @Override
        public AbstractSelector openSelector() throws IOException {
            throw new IOException("Too many open files");
        }

        @Override
        public DatagramChannel openDatagramChannel() throws IOException {
            return platform.openDatagramChannel();
        }

        @Override
        public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
            return platform.openDatagramChannel(family);
        }

        @Override
        public Pipe openPipe() throws IOException {
            return platform.openPipe();
        }

        @Override
        public ServerSocketChannel openServerSocketChannel() throws IOException {
            return platform.openServerSocketChannel();
        }

        @Override
        public SocketChannel openSocketChannel() throws IOException {
            return platform.openSocketChannel();
        }
    }
}
