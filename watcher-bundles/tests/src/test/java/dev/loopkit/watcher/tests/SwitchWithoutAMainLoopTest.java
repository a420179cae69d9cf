package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

/**
 * A switch to a watcher that needs a main loop (the safe, fast and multiloop watchers install their
 * SIGCHLD handler when attached) while none is set: a running child stays with the watcher that
 * delivers its exit. It moved to the new watcher, which was never attached nor active, and became a
 * zombie for good, while the log said "1 children moved" (an outside review).
 */
public class SwitchWithoutAMainLoopTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void toSafe() throws Exception {
        assertExitHeardAfterASwitchWithoutAMainLoop(SafeChildWatcher::new);
    }

    @Test
    public void toFast() throws Exception {
        assertExitHeardAfterASwitchWithoutAMainLoop(FastChildWatcher::new);
    }

    @Test
    public void toMultiLoop() throws Exception {
        assertExitHeardAfterASwitchWithoutAMainLoop(MultiLoopChildWatcher::new);
    }

    private void assertExitHeardAfterASwitchWithoutAMainLoop(Supplier<ChildWatcher> target) throws Exception {
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        Asyncio.setEventLoopPolicy(policy);
        policy.setEventLoop(null); // no main loop
        Asyncio.setChildWatcher(new ThreadedChildWatcher());
        ChildOnItsOwnLoop a = new ChildOnItsOwnLoop("sleep 0.5; exit 3");
        cleanup.add(a);
        ChildWatcher switchedTo = target.get();
        cleanup.add(switchedTo::close);
        Asyncio.setChildWatcher(switchedTo);
        assertEquals("the exit of the child, after a switch to " + switchedTo + " with no main loop", Integer.valueOf(3),
                a.returncode());
    }
}
