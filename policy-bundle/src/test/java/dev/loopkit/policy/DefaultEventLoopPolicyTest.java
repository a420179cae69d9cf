package dev.loopkit.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * asyncio's policy tests ({@code test_events.PolicyTests}) for {@link DefaultEventLoopPolicy}, with
 * the loops and policies found through ServiceLoader as outside OSGi.
 */
public class DefaultEventLoopPolicyTest {

    private final List<EventLoop> loops = new ArrayList<>();
    private DefaultEventLoopPolicy policy;

    @Before
    public void designateThisThreadAsMain() {
        ProcessWide.get().mainContext().designate(Thread.currentThread());
        policy = new DefaultEventLoopPolicy();
    }

    @After
    public void cleanUp() {
        ProcessWide.get().childWatchers().setExplicit(null);
        ProcessWide.get().mainContext().designate(null);
        Asyncio.setEventLoopPolicy(null);
        loops.forEach(EventLoop::close);
    }

    private EventLoop track(EventLoop loop) {
        loops.add(loop);
        return loop;
    }

    @Test
    public void theMainContextCreatesALoopImplicitlyWithAWarning() {
        try (LogCapture log = LogCapture.of("dev.loopkit.policy")) {
            EventLoop loop = track(policy.getEventLoop());
            assertTrue(loop instanceof SelectorEventLoop);
            assertSame(loop, policy.getEventLoop());
            assertEquals(List.of("WARNING There is no current event loop"), log.messages());
        }
    }

    @Test
    public void noImplicitLoopAfterSetEventLoopNull() {
        policy.setEventLoop(null);
        IllegalStateException e = assertThrows(IllegalStateException.class, policy::getEventLoop);
        assertEquals("There is no current event loop in thread '" + Thread.currentThread().getName() + "'.", e.getMessage());
    }

    @Test
    public void noImplicitLoopInOtherThreads() throws Exception {
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread worker = new Thread(() -> error.set(assertThrows(IllegalStateException.class, policy::getEventLoop)), "worker-1");
        worker.start();
        worker.join();
        assertEquals("There is no current event loop in thread 'worker-1'.", error.get().getMessage());
    }

    @Test
    public void setEventLoopIsPerThread() throws Exception {
        EventLoop mine = track(policy.newEventLoop());
        policy.setEventLoop(mine);
        AtomicReference<EventLoop> theirs = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            EventLoop own = policy.newEventLoop();
            policy.setEventLoop(own);
            theirs.set(policy.getEventLoop());
        });
        worker.start();
        worker.join();
        track(theirs.get());
        assertSame(mine, policy.getEventLoop());
        assertNotSame(mine, theirs.get());
    }

    @Test
    public void newEventLoopLeavesTheCurrentLoopAlone() {
        EventLoop current = track(policy.newEventLoop());
        policy.setEventLoop(current);
        EventLoop fresh = track(policy.newEventLoop());
        assertNotSame(current, fresh);
        assertSame(current, policy.getEventLoop());
        assertFalse(fresh.isClosed());
    }

    @Test
    public void theRunningLoopWinsOverThePolicy() throws Exception {
        Asyncio.setEventLoopPolicy(policy);
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            EventLoop loop = policy.newEventLoop(); // not set: the policy would raise in this thread
            try {
                loop.callSoon(() -> {
                    seen.set(Asyncio.getEventLoop() == loop);
                    loop.stop();
                });
                loop.runForever();
            } finally {
                loop.close();
            }
        });
        worker.start();
        worker.join();
        assertEquals(Boolean.TRUE, seen.get());
    }

    @Test
    public void theFacadeIsASingletonUntilReplacedAndNullRestoresTheRanking() {
        EventLoopPolicyRanking.expectDefaultFirst();
        assertSame(Asyncio.getEventLoopPolicy(), Asyncio.getEventLoopPolicy());
        Asyncio.setEventLoopPolicy(policy);
        assertSame(policy, Asyncio.getEventLoopPolicy());
        Asyncio.setEventLoopPolicy(null);
        assertTrue(Asyncio.getEventLoopPolicy() instanceof DefaultEventLoopPolicy);
        assertNotSame(policy, Asyncio.getEventLoopPolicy());
    }

    @Test
    public void eachPolicyMakesItsOwnKindOfLoop() {
        assertTrue(track(new SelectorEventLoopPolicy().newEventLoop()) instanceof SelectorEventLoop);
        assertTrue(track(new ProactorEventLoopPolicy().newEventLoop()) instanceof ProactorEventLoop);
        assertEquals("selector", new DefaultEventLoopPolicy().loopFactoryName());
    }

    @Test
    public void aSubclassAsInTheAsyncioDocs() {
        // asyncio's documentation: class MyEventLoopPolicy(asyncio.DefaultEventLoopPolicy)
        class MyEventLoopPolicy extends DefaultEventLoopPolicy {
            int gets;

            @Override
            public EventLoop getEventLoop() {
                gets++;
                return super.getEventLoop();
            }
        }
        MyEventLoopPolicy mine = new MyEventLoopPolicy();
        Asyncio.setEventLoopPolicy(mine);
        EventLoop loop = track(Asyncio.newEventLoop());
        Asyncio.setEventLoop(loop);
        assertSame(loop, Asyncio.getEventLoop());
        assertEquals(1, mine.gets);
    }

    @Test
    public void asyncioRunUsesAFreshLoopAndClosesIt() {
        Asyncio.setEventLoopPolicy(policy);
        AtomicReference<EventLoop> used = new AtomicReference<>();
        String result = Asyncio.run(loop -> {
            used.set(loop);
            return CompletableFuture.supplyAsync(() -> "ran", loop);
        });
        assertEquals("ran", result);
        assertTrue(used.get().isClosed());
        assertThrows(IllegalStateException.class, policy::getEventLoop); // asyncio.run leaves set_event_loop(None)
    }

    @Test
    public void setEventLoopInTheMainContextAttachesTheWatcher() throws Exception {
        Asyncio.setEventLoopPolicy(policy);
        RecordingWatcher watcher = new RecordingWatcher();
        policy.setChildWatcher(watcher);
        assertSame(watcher, policy.getChildWatcher());
        EventLoop loop = track(policy.newEventLoop());
        policy.setEventLoop(loop);
        Thread worker = new Thread(() -> policy.setEventLoop(null));
        worker.start();
        worker.join();
        assertEquals(List.of(loop), watcher.attached);

        RecordingWatcher next = new RecordingWatcher();
        policy.setChildWatcher(next);
        assertTrue("asyncio closes the watcher it replaces", watcher.closed);
        assertFalse(next.closed);
        assertSame("process-wide: SIGCHLD is the process's", next, Asyncio.getChildWatcher());
    }

    @Test
    public void anotherPolicysMainLoopDoesNotTakeTheProcessWideWatcher() {
        RecordingWatcher processWide = new RecordingWatcher();
        ProcessWide.get().childWatchers().setExplicit(processWide);
        List<EventLoop> before = new ArrayList<>(processWide.attached);
        policy.setEventLoop(track(policy.newEventLoop())); // this policy is not the process-wide one
        assertEquals(before, processWide.attached);
        assertSame(processWide, policy.getChildWatcher());
    }

    /**
     * CPython 3.12's {@code test_unix_events.PolicyTests.test_child_watcher_replace_mainloop_existing}
     * with a fresh policy, not the process-wide one: the watcher set on it follows the main context's
     * loop of that instance.
     */
    @Test
    public void childWatcherReplaceMainloopExisting() {
        EventLoop loop = track(policy.getEventLoop());
        RecordingWatcher watcher = new RecordingWatcher();
        policy.setChildWatcher(watcher);
        watcher.attachLoop(loop);
        assertSame(loop, watcher.loop());

        EventLoop newLoop = track(policy.newEventLoop());
        policy.setEventLoop(newLoop);
        assertSame(newLoop, watcher.loop());

        policy.setEventLoop(null);
        assertNull(watcher.loop());
    }

    @Test
    public void aPolicyThatIsNotProcessWideLetsGoOfAWatcherReplacedSince() {
        RecordingWatcher chosenHere = new RecordingWatcher();
        policy.setChildWatcher(chosenHere);
        RecordingWatcher chosenElsewhere = new RecordingWatcher();
        ProcessWide.get().childWatchers().setExplicit(chosenElsewhere);
        List<EventLoop> before = new ArrayList<>(chosenElsewhere.attached);
        EventLoop loop = track(policy.newEventLoop());
        policy.setEventLoop(loop);
        assertFalse("no longer the process-wide watcher", chosenHere.attached.contains(loop));
        assertEquals("not this policy's choice", before, chosenElsewhere.attached);
    }

    @Test
    public void theDefaultPolicyUsesSelectorLoopsOnUnixAndProactorLoopsOnWindows() {
        String os = System.getProperty("os.name");
        try {
            System.setProperty("os.name", "Windows 11");
            assertEquals("proactor", DefaultEventLoopPolicy.platformLoopFactoryName());
            assertEquals("proactor", new DefaultEventLoopPolicy().loopFactoryName());
            System.setProperty("os.name", "Linux");
            assertEquals("selector", new DefaultEventLoopPolicy().loopFactoryName());
        } finally {
            System.setProperty("os.name", os);
        }
    }

    @Test
    public void withoutAWatcherTheErrorSaysWhatToInstall() {
        ProcessWide.get().childWatchers().setExplicit(null);
        IllegalStateException e = assertThrows(IllegalStateException.class, policy::getChildWatcher);
        assertTrue(e.getMessage(), e.getMessage().startsWith("No child watcher is installed"));
    }

    /** The ranking ServiceLoader gives the three built-in policies. */
    private static final class EventLoopPolicyRanking {
        static void expectDefaultFirst() {
            assertEquals(List.of("default", "selector", "proactor"),
                    ProcessWide.get().policies().entries().stream().map(e -> e.name()).toList());
            assertEquals(List.of(100, 50, 10), ProcessWide.get().policies().entries().stream().map(e -> e.ranking()).toList());
        }
    }

    private static final class RecordingWatcher implements ChildWatcher {
        final List<EventLoop> attached = new ArrayList<>();
        boolean closed;

        @Override
        public void addChildHandler(long pid, ChildHandler handler) {
        }

        @Override
        public boolean removeChildHandler(long pid) {
            return false;
        }

        @Override
        public void attachLoop(EventLoop loop) {
            attached.add(loop);
        }

        /** The loop the last {@code attachLoop} gave it (asyncio's {@code watcher._loop}). */
        EventLoop loop() {
            return attached.isEmpty() ? null : attached.get(attached.size() - 1);
        }

        @Override
        public boolean isActive() {
            return true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
