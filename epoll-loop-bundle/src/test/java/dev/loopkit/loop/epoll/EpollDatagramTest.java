package dev.loopkit.loop.epoll;

import static org.junit.Assume.assumeNoException;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.DatagramContract;
import java.io.IOException;
import java.nio.channels.DatagramChannel;
import org.junit.Before;

/**
 * UDP on the epoll loop, through its readiness on java.nio channels: skipped (not failed) while the
 * loop refuses channels ({@code addReader(SelectableChannel)} throws), run as soon as it watches them.
 */
public class EpollDatagramTest extends DatagramContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new EpollEventLoop();
    }

    @Before
    public void assumeTheLoopWatchesChannels() throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.configureBlocking(false);
            loop.addReader(probe, () -> { });
            loop.removeReader(probe);
        } catch (UnsupportedOperationException notYet) {
            assumeNoException("the epoll loop does not watch java.nio channels yet", notYet);
        }
    }
}
