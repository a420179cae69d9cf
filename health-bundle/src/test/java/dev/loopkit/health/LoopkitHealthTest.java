package dev.loopkit.health;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.felix.hc.api.Result;
import org.apache.felix.hc.api.Result.Status;
import org.junit.Test;

/** Each check fires and clears on what it looks at: registries fed by hand, and a real loop blocked in a callback. */
public class LoopkitHealthTest {

    @Test
    public void noPolicyIsCriticalAndAProcessWideOneIsOk() {
        RankedRegistry<EventLoopPolicy> none = new RankedRegistry<>(EventLoopPolicy.class, "event loop policy", null);
        none.attachExternalSource("test");
        Result critical = LoopkitHealth.policy(none);
        assertEquals(Status.CRITICAL, critical.getStatus());
        assertEquals("no event loop policy is installed: no event loop can be made", text(critical));

        Result ok = LoopkitHealth.policy(ProcessWide.get().policies());
        assertEquals(Status.OK, ok.getStatus());
        assertEquals("process-wide event loop policy: default (ranked)", text(ok));
    }

    @Test
    public void noActiveWatcherIsCriticalUntilOneComes() {
        RankedRegistry<ChildWatcher> watchers = new RankedRegistry<>(ChildWatcher.class, "child watcher", null);
        watchers.attachExternalSource("test");
        Result none = LoopkitHealth.watcher(watchers, () -> Map.of(4001L, "waiting"));
        assertEquals(Status.CRITICAL, none.getStatus());
        assertEquals("no child watcher is installed: no child process can be spawned; 1 children wait for one, unreaped", text(none));

        ChildWatcher inactive = watcher("its main loop is closed");
        watchers.register(inactive, "safe", 20, 1, "test");
        Result notActive = LoopkitHealth.watcher(watchers, Map::of);
        assertEquals(Status.CRITICAL, notActive.getStatus());
        assertEquals("child watcher safe is inactive: its main loop is closed", text(notActive));

        watchers.register(watcher(null), "threaded", 40, 2, "test");
        Result ok = LoopkitHealth.watcher(watchers, Map::of);
        assertEquals(Status.OK, ok.getStatus());
        assertEquals("child watcher threaded is active (ranked), 0 children", text(ok));
    }

    @Test
    public void aLoopBlockedInACallbackWarnsUntilTheCallbackReturns() throws Exception {
        EventLoop loop = Asyncio.newEventLoop();
        try {
            assertEquals(Status.OK, LoopkitHealth.loops(ProcessWide.get().loopFactories()).getStatus());
            CountDownLatch inCallback = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            LoopFuture<String> done = loop.createFuture();
            loop.callSoon(() -> {
                inCallback.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                done.setResult("released");
            });
            Thread runner = new Thread(() -> loop.runUntilComplete(done), "health-test-loop");
            runner.start();
            assertTrue(inCallback.await(30, TimeUnit.SECONDS));
            Result busy = LoopkitHealth.loops(ProcessWide.get().loopFactories());
            release.countDown();
            runner.join(30_000);
            assertEquals(Status.WARN, busy.getStatus());
            assertTrue(text(busy), text(busy).matches("(?s)SelectorEventLoop #\\d+ on thread health-test-loop is busy in a callback:"
                    + " its thread did not answer within a second\n\\d+ live loops"));
            assertEquals(Status.OK, LoopkitHealth.loops(ProcessWide.get().loopFactories()).getStatus());
        } finally {
            loop.close();
        }
    }

    private static String text(Result result) {
        return String.join("\n", StreamSupport.stream(result.spliterator(), false).map(e -> e.getMessage()).toList());
    }

    private static ChildWatcher watcher(String inactiveReason) {
        return new ChildWatcher() {
            @Override
            public void addChildHandler(long pid, ChildHandler handler) {
            }

            @Override
            public boolean removeChildHandler(long pid) {
                return false;
            }

            @Override
            public void attachLoop(EventLoop loop) {
            }

            @Override
            public boolean isActive() {
                return inactiveReason == null;
            }

            @Override
            public String inactiveReason() {
                return inactiveReason;
            }

            @Override
            public void close() {
            }
        };
    }
}
