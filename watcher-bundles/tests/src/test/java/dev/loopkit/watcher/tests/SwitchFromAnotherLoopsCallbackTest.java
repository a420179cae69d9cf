package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

/**
 * A switch made in a callback of loop B moves loop A's running child to the new watcher, and B then
 * closes: A still hears of the exit. The new watcher took the switching thread's running loop, B, as
 * the loop of every child handed over, and the exit went to a closed loop ("Loop ... that handles pid N
 * is closed") or, with B only stopped, waited there for good (an outside review). A handed-over
 * child's handler passes the exit on to its own loop itself.
 */
public class SwitchFromAnotherLoopsCallbackTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void toThreaded() throws Exception {
        assertExitHeardAfterASwitchFromAnotherLoop(ThreadedChildWatcher::new);
    }

    @Test
    public void toMultiLoop() throws Exception {
        assertExitHeardAfterASwitchFromAnotherLoop(MultiLoopChildWatcher::new);
    }

    @Test
    public void toPidfd() throws Exception {
        assertExitHeardAfterASwitchFromAnotherLoop(PidfdChildWatcher::new);
    }

    private void assertExitHeardAfterASwitchFromAnotherLoop(Supplier<ChildWatcher> target) throws Exception {
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        Asyncio.setEventLoopPolicy(policy);
        BaseEventLoop main = new SelectorEventLoop(); // the main context's loop, not running
        cleanup.add(main::close);
        policy.setEventLoop(main);
        cleanup.add(() -> policy.setEventLoop(null));
        Asyncio.setChildWatcher(new ThreadedChildWatcher());
        ChildOnItsOwnLoop a = new ChildOnItsOwnLoop("sleep 0.5; exit 3");
        cleanup.add(a);
        BaseEventLoop b = new SelectorEventLoop();
        b.callSoon(() -> {
            Asyncio.setChildWatcher(target.get());
            b.stop();
        });
        Thread runningB = new Thread(() -> {
            b.runForever();
            b.close();
        }, "loop-b");
        runningB.start();
        runningB.join(10_000);
        assertEquals("the exit of loop A's child, the switch made on loop B, B closed", Integer.valueOf(3), a.returncode());
    }
}
