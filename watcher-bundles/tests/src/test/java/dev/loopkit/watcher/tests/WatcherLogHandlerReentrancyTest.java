package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import dev.loopkit.testsupport.OtherThread;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.After;
import org.junit.Test;

/**
 * A log handler is user code, and a watcher's warnings run it: like every callback, it may hand any
 * public call to another thread and wait for it. So no warning is said under a lock that the
 * watcher's public methods take ({@code children()}, {@code isActive()}, a spawn's
 * {@code addChildHandler}), nor under the spawn gate that spawns and switches take; nor is a
 * handler registered with the watcher directly called there.
 */
public class WatcherLogHandlerReentrancyTest {

    private static final Posix POSIX = Posix.get();
    private static final long WAIT_SECONDS = OtherThread.WAIT_SECONDS;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    /** asyncio's "Unknown child process pid N, will report returncode 255": said while reaping. */
    @Test(timeout = 60_000)
    public void theUnknownPidWarningLetsAnotherThreadListTheChildren() throws Exception {
        MultiLoopChildWatcher multiloop = new MultiLoopChildWatcher();
        cleanup.add(multiloop::close);
        long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 3"));
        POSIX.waitpid(pid, false); // reaped here: the watcher's waitpid finds ECHILD
        CompletableFuture<Integer> code = new CompletableFuture<>();
        try (WaitingHandler handler = WaitingHandler.on(MultiLoopChildWatcher.class, "Unknown child process pid",
                multiloop::children)) {
            multiloop.addChildHandler(pid, (p, c) -> code.complete(c));
            handler.assertTheCallReturned();
        }
        assertEquals(Integer.valueOf(255), code.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    /** asyncio's "registered but not finished child processes": said while the threaded watcher closes. */
    @Test(timeout = 60_000)
    public void theClosedWithChildrenWarningLetsAnotherThreadAskTheThreadedWatcherIfItIsActive() throws Exception {
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        cleanup.add(threaded::close);
        BaseEventLoop loop = newLoop();
        long pid = Watchers.runOn(loop, () -> CompletableFuture.completedFuture(spawnAndRegister(threaded, "sleep 60", (p, c) -> { })));
        cleanup.add(() -> reap(pid));
        try (WaitingHandler handler = WaitingHandler.on(ThreadedChildWatcher.class, "registered but not finished",
                threaded::isActive)) {
            threaded.close();
            handler.assertTheCallReturned();
        }
    }

    /** asyncio's "A loop is being detached from a child watcher with pending handlers". */
    @Test(timeout = 60_000)
    public void theDetachedWithChildrenWarningLetsAnotherThreadAskTheMultiloopWatcherIfItIsActive() throws Exception {
        MultiLoopChildWatcher multiloop = new MultiLoopChildWatcher();
        cleanup.add(multiloop::close);
        long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 60"));
        cleanup.add(() -> reap(pid));
        multiloop.addChildHandler(pid, (p, c) -> { });
        cleanup.add(() -> multiloop.removeChildHandler(pid));
        multiloop.attachLoop(null);
        try (WaitingHandler handler = WaitingHandler.on(MultiLoopChildWatcher.class, "pending handlers",
                multiloop::isActive)) {
            multiloop.detachLoop();
            handler.assertTheCallReturned();
        }
    }

    /** The same warning from the safe watcher, detached from its loop by its user. */
    @Test(timeout = 60_000)
    public void theDetachedWithChildrenWarningLetsAnotherThreadAttachTheSafeWatcher() throws Exception {
        SafeChildWatcher safe = new SafeChildWatcher();
        cleanup.add(safe::close);
        BaseEventLoop loop = newLoop();
        long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 60"));
        cleanup.add(() -> reap(pid));
        safe.addChildHandler(pid, (p, c) -> { });
        cleanup.add(() -> safe.removeChildHandler(pid));
        safe.attachLoop(loop);
        try (WaitingHandler handler = WaitingHandler.on(SafeChildWatcher.class, "pending handlers",
                () -> safe.attachLoop(null))) {
            safe.attachLoop(null);
            handler.assertTheCallReturned();
        }
    }

    /** asyncio's "exit status already read": said by the pidfd watcher while reaping. */
    @Test(timeout = 60_000)
    public void thePidfdWatchersAlreadyReadWarningLetsAnotherThreadListTheChildren() throws Exception {
        assumeTrue("this kernel has no pidfds (Linux 5.3 or later): the pidfd watcher cannot run", POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        cleanup.add(pidfd::close);
        BaseEventLoop loop = newLoop();
        CompletableFuture<Integer> code = new CompletableFuture<>();
        try (WaitingHandler handler = WaitingHandler.on(PidfdChildWatcher.class, "exit status already read",
                pidfd::children)) {
            Watchers.runOn(loop, () -> {
                long pid = spawnAndRegister(pidfd, "exit 5", (p, c) -> code.complete(c));
                reap(pid); // under the watcher's nose: its waitid finds the exit taken
                return code;
            });
            handler.assertTheCallReturned();
        }
        assertEquals(Integer.valueOf(255), code.get(WAIT_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * asyncio's "Loop ... that handles pid N is closed", said by the pidfd watcher for a child of a
     * loop that closes after the child exited and before the loop heard of it. The loop's close
     * releases the child's watch; while it closes, a close() on another thread waits for it, so the
     * warning must not be said in the middle of the close.
     */
    @Test(timeout = 60_000)
    public void thePidfdWatchersLoopClosedWarningLetsAnotherThreadCloseTheLoop() throws Exception {
        assumeTrue("this kernel has no pidfds (Linux 5.3 or later): the pidfd watcher cannot run", POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        cleanup.add(pidfd::close);
        BaseEventLoop loop = newLoop();
        pidfd.attachLoop(loop);
        long pid = Watchers.runOn(loop, () -> CompletableFuture.completedFuture(
                spawnAndRegister(pidfd, "sleep 60", (p, c) -> { })));
        cleanup.add(() -> reap(pid));
        POSIX.kill(pid, 9); // once the loop has stopped, so that it cannot hear of the exit
        assertTrue("the child exited, and its loop has not heard of it", Leaks.await(() -> Watchers.isZombie(pid), WAIT_SECONDS));
        try (WaitingHandler handler = WaitingHandler.on(PidfdChildWatcher.class, "that handles pid", loop::close)) {
            loop.close();
            handler.assertTheCallReturned();
        }
        assertFalse("reaped once, as the loop closed", Watchers.isZombie(pid));
    }

    /**
     * The fast watcher's warning about children it did not register, said as a switch attaches it
     * to the main loop: the switch holds the spawn gate, and a spawn on another thread waits for it.
     */
    @Test(timeout = 60_000)
    public void theFastWatchersForeignChildrenWarningDuringASwitchLetsAnotherThreadSpawn() throws Exception {
        runAsMainLoop(newLoop());
        long foreign = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 60"));
        cleanup.add(() -> reap(foreign));
        FastChildWatcher fast = new FastChildWatcher();
        cleanup.add(fast::close);
        cleanup.add(() -> ProcessWide.get().childWatchers().setExplicit(null));
        try (WaitingHandler handler = WaitingHandler.on(FastChildWatcher.class, "did not register",
                () -> ProcessWide.get().spawn(() -> fast, watcher -> 0L))) {
            ProcessWide.get().childWatchers().setExplicit(fast);
            handler.assertTheCallReturned();
        }
    }

    /**
     * A handler registered with a watcher directly (not through a loop's transport) is user code
     * too: the safe watcher's sweep on attach, under the spawn gate of the main context's switch,
     * reaps a child that exited while no loop listened, and its handler may wait for a spawn on
     * another thread.
     */
    @Test(timeout = 60_000)
    public void aDirectHandlerCalledBySweepOnAttachLetsAnotherThreadSpawn() throws Exception {
        BaseEventLoop loop = newLoop();
        runAsMainLoop(loop);
        SafeChildWatcher safe = new SafeChildWatcher();
        cleanup.add(safe::close);
        ProcessWide.get().childWatchers().setExplicit(safe);
        cleanup.add(() -> ProcessWide.get().childWatchers().setExplicit(null));
        ProcessWide.get().watcherSwitch().attachMainContextLoop(null); // as setEventLoop(null): no loop sweeps
        long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 60"));
        cleanup.add(() -> reap(pid));
        CompletableFuture<Boolean> spawnReturned = new CompletableFuture<>();
        CompletableFuture<Integer> code = new CompletableFuture<>();
        safe.addChildHandler(pid, (p, c) -> {
            spawnReturned.complete(OtherThread.returns(() -> ProcessWide.get().spawn(() -> safe, watcher -> 0L)));
            code.complete(c);
        });
        POSIX.kill(pid, 9);
        assertTrue("the child exited, unreaped", Leaks.await(() -> Watchers.isZombie(pid), WAIT_SECONDS));
        assertFalse("safe is detached", safe.isActive());
        ProcessWide.get().watcherSwitch().attachMainContextLoop(loop); // as setEventLoop(loop): safe sweeps
        assertEquals(Integer.valueOf(-9), code.get(WAIT_SECONDS * 2, TimeUnit.SECONDS));
        assertTrue("the other thread's spawn returned while the handler ran", spawnReturned.get());
    }

    private Thread runAsMainLoop(BaseEventLoop loop) {
        Thread runner = new Thread(loop::runForever, "main-loop-of-the-switch");
        runner.start();
        cleanup.add(() -> {
            loop.callSoonThreadsafe(loop::stop);
            runner.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        });
        assertTrue(Leaks.await(loop::isRunning, WAIT_SECONDS));
        ProcessWide.get().mainContext().designate(runner, loop);
        cleanup.add(() -> ProcessWide.get().mainContext().designate(null));
        return runner;
    }

    private BaseEventLoop newLoop() {
        BaseEventLoop loop = new SelectorEventLoop();
        cleanup.add(loop::close);
        return loop;
    }

    // On a running loop: spawns /bin/sh -c script and registers it; returns its pid.
    private static long spawnAndRegister(ChildWatcher watcher, String script, ChildHandler handler) {
        try (SpawnScope scope = watcher.enterSpawn()) {
            long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", script));
            watcher.addChildHandler(pid, handler);
            return pid;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Kills and reaps a child the test left to itself; one already gone is fine.
    private static void reap(long pid) {
        try {
            POSIX.kill(pid, 9);
        } catch (Exception gone) {
            // reaped already
        }
        try {
            POSIX.waitpid(pid, false);
        } catch (Exception gone) {
            // reaped already
        }
    }

    /**
     * A log handler on a watcher's logger that, on the first record whose message contains a
     * fragment, hands a call to another thread and waits for it, as long as a test may.
     */
    private static final class WaitingHandler extends Handler implements AutoCloseable {
        private final Logger logger;
        private final String fragment;
        private final Runnable call;
        private final CompletableFuture<Boolean> returned = new CompletableFuture<>();

        private WaitingHandler(Logger logger, String fragment, Runnable call) {
            this.logger = logger;
            this.fragment = fragment;
            this.call = call;
        }

        static WaitingHandler on(Class<?> watcher, String fragment, Runnable call) {
            WaitingHandler handler = new WaitingHandler(Logger.getLogger(watcher.getName()), fragment, call);
            handler.logger.addHandler(handler);
            return handler;
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getMessage() == null || !record.getMessage().contains(fragment) || returned.isDone()) {
                return;
            }
            returned.complete(OtherThread.returns(call));
        }

        void assertTheCallReturned() throws Exception {
            assertTrue("the warning was said", returned.isDone());
            assertTrue("the other thread's call returned while the warning was said", returned.get());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
