package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import org.junit.Test;

/** The facade with the runtime but no policy installed. */
public class AsyncioTest {

    @Test
    public void withoutAnyPolicyTheFacadeSaysWhatToInstall() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Asyncio::getEventLoopPolicy);
        // It said to install dev.loopkit.policy, which was active: its policies had gone with the loop
        // bundles they make loops of, stopped (an outside review)
        assertTrue(e.getMessage(), e.getMessage().startsWith("No event loop policy is installed: each comes with the loop"
                + " bundle it makes loops of (dev.loopkit.loop.selector, dev.loopkit.loop.epoll, dev.loopkit.loop.proactor)"));
        assertThrows(IllegalStateException.class, Asyncio::getEventLoop);
        assertThrows(IllegalStateException.class, Asyncio::newEventLoop);
    }

    @Test
    public void noRunningLoopOutsideALoop() {
        assertNull(Asyncio.currentRunningLoop());
        assertEquals("no running event loop", assertThrows(IllegalStateException.class, Asyncio::getRunningLoop).getMessage());
    }

    @Test
    public void anExplicitPolicyIsUsedUntilReset() {
        EventLoopPolicy mine = new EventLoopPolicy() {
            @Override
            public EventLoop getEventLoop() {
                throw new IllegalStateException("mine");
            }

            @Override
            public void setEventLoop(EventLoop loop) {
            }

            @Override
            public EventLoop newEventLoop() {
                throw new UnsupportedOperationException("mine");
            }
        };
        Asyncio.setEventLoopPolicy(mine);
        try {
            assertEquals(mine, Asyncio.getEventLoopPolicy());
            assertEquals("mine", assertThrows(IllegalStateException.class, Asyncio::getEventLoop).getMessage());
            // asyncio's AbstractEventLoopPolicy raises NotImplementedError for what it lacks
            assertThrows(UnsupportedOperationException.class, Asyncio::getChildWatcher);
        } finally {
            Asyncio.setEventLoopPolicy(null);
        }
        assertNull(ProcessWide.get().policies().current());
    }
}
