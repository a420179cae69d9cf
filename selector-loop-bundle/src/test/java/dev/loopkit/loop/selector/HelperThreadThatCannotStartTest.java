package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;

import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import dev.loopkit.testsupport.NoNewThreads;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * The selector loop's helper for raw descriptors ({@code addReader(int fd)}) when its thread cannot
 * start (the host's thread limit). Its epoll set and eventfd were opened first and never closed: two
 * descriptors per attempt, left open after the loop's close (an outside review, at a cgroup's pids
 * limit). The helpers close what they opened when their thread cannot start, and a later attempt,
 * with threads to spare, works.
 */
public class HelperThreadThatCannotStartTest {

    @Test
    public void aHelperWhoseThreadCannotStartLeavesNoDescriptorOpen() throws Exception {
        SelectorEventLoop loop = new SelectorEventLoop();
        int[] pipe = Posix.get().pipe();
        try (NoNewThreads limit = NoNewThreads.join()) {
            Map<Integer, String> before = Leaks.openFds();
            AtomicReference<Throwable> refused = new AtomicReference<>();
            limit.during(() -> {
                try {
                    loop.addReader(pipe[0], () -> { });
                } catch (Throwable e) {
                    refused.set(e);
                }
            });
            NoNewThreads.assumeItFailed(refused.get());
            assertEquals(OutOfMemoryError.class, refused.get().getClass());
            assertEquals("descriptors left open", Map.of(), Leaks.newFds(before));
            loop.addReader(pipe[0], () -> { });
            loop.removeReader(pipe[0]);
        } finally {
            loop.close();
            Posix.get().close(pipe[0]);
            Posix.get().close(pipe[1]);
        }
    }
}
