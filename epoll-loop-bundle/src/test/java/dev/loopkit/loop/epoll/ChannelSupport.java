package dev.loopkit.loop.epoll;

import static org.junit.Assume.assumeNoException;

import dev.loopkit.loop.core.BaseEventLoop;
import java.io.IOException;
import java.nio.channels.DatagramChannel;

/** For the contracts that need java.nio channels: skipped (not failed) while the epoll loop refuses them. */
final class ChannelSupport {

    private ChannelSupport() {
    }

    static void assumeTheLoopWatchesChannels(BaseEventLoop loop) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.configureBlocking(false);
            loop.addReader(probe, () -> { });
            loop.removeReader(probe);
        } catch (UnsupportedOperationException notYet) {
            assumeNoException("the epoll loop does not watch java.nio channels yet", notYet);
        }
    }
}
