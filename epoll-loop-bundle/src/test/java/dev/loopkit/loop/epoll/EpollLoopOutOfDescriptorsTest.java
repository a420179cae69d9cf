package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.testing.FailedConstruction;
import dev.loopkit.testsupport.NoFreeDescriptors;
import org.junit.Test;

/**
 * A process out of descriptors is a passing condition, not a machine where the epoll loop cannot
 * work: the loop's constructor said {@code UnsupportedOperationException: the epoll loop cannot work
 * here: ... Too many open files}, which a caller takes for asyncio's NotImplementedError (the
 * platform's main thread ended on it; an outside review).
 */
public class EpollLoopOutOfDescriptorsTest {

    /** Nor is the loop not made warned about later as an unclosed loop, once the GC finds it. */
    @Test(timeout = 60_000)
    public void aLoopMadeWithNoDescriptorLeftFailsWithTheSystemsError() throws Exception {
        assertNull(EpollEventLoop.unavailableReason()); // and native access is loaded before the descriptors run out
        IllegalStateException refused = FailedConstruction.leavesNoUnclosedLoop(EpollEventLoop::new,
                IllegalStateException.class, () -> NoFreeDescriptors.during(EpollEventLoop::new));
        assertTrue(refused.getMessage(), refused.getMessage().startsWith("cannot create the loop's epoll set: Too many open files"));
        new EpollEventLoop().close(); // and once descriptors are free again, it can
    }
}
