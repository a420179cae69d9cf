package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.testsupport.HoldingChildWatcher;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Test;

/**
 * {@code set_child_watcher} called by a child watcher's own code while a spawn registers a child with
 * it ({@code addChildHandler}, under the spawn gate's shared side, on the spawning thread): the switch
 * would wait for this very thread's spawn. It was refused inside the registry's listener, which only
 * logged the refusal: the registry showed the new watcher, no switch ran, the call returned as if it
 * had worked, and the watcher in use, the one registering the child, was closed under it; every later
 * spawn failed with "the child watcher is not activated" (an outside review's probe). It is refused
 * to the caller now, before anything changes.
 */
public class SwitchFromAChildWatchersOwnCodeTest {

    private static final long PID = 525252L;

    private final AtomicReference<RuntimeException> refusal = new AtomicReference<>();
    private final ClosingWatcher next = new ClosingWatcher();
    private final ClosingWatcher inUse = new ClosingWatcher() {
        @Override
        public void addChildHandler(long pid, ChildHandler handler) {
            super.addChildHandler(pid, handler);
            try {
                ProcessWide.get().setExplicitChildWatcher(next);
            } catch (RuntimeException e) {
                refusal.set(e);
            }
        }
    };

    @After
    public void cleanUp() {
        inUse.removeChildHandler(PID);
        next.removeChildHandler(PID);
        ProcessWide.get().childWatchers().setExplicit(null);
    }

    @Test
    public void aSwitchAskedForByTheWatcherRegisteringAChildIsRefusedToItsCallerAndChangesNothing() {
        ProcessWide process = ProcessWide.get();
        process.setExplicitChildWatcher(inUse);
        process.spawn(() -> inUse, watcher -> {
            watcher.addChildHandler(PID, (pid, returncode) -> { });
            return null;
        });
        assertNotNull("setExplicitChildWatcher returned as if the switch had run", refusal.get());
        assertTrue(refusal.get().getMessage(), refusal.get() instanceof IllegalStateException
                && refusal.get().getMessage().contains("registers a child"));
        assertSame(inUse, process.childWatchers().current());
        assertSame(inUse, process.watcherSwitch().inUse());
        assertFalse("the watcher in use was closed", inUse.closed);
        assertEquals(java.util.Set.of(PID), inUse.children().keySet());
        assertFalse(next.closed);
    }

    private static class ClosingWatcher extends HoldingChildWatcher {
        volatile boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }
}
