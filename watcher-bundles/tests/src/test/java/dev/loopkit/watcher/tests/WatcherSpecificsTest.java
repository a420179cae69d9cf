package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What only one watcher does: the fast watcher's hazard, the threaded watcher's idle threads, the
 * multiloop watcher's signal handling.
 */
public class WatcherSpecificsTest {

    private static final Posix POSIX = Posix.get();

    private static final SubprocessOptions QUIET = SubprocessOptions.defaults().withStdin(SubprocessOptions.Redirect.DEVNULL)
            .withStdout(SubprocessOptions.Redirect.DEVNULL).withStderr(SubprocessOptions.Redirect.DEVNULL);

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    private BaseEventLoop loopWith(dev.loopkit.api.ChildWatcher watcher) {
        return Watchers.loopWith(watcher, cleanup);
    }

    private static <T> T run(BaseEventLoop loop, java.util.function.Supplier<java.util.concurrent.CompletionStage<T>> work) {
        return Watchers.runOn(loop, work);
    }

    // ---- fast --------------------------------------------------------------------------------------------

    @Test
    public void theFastWatcherRefusesRegistrationOutsideItsSpawnScope() {
        FastChildWatcher fast = new FastChildWatcher();
        cleanup.add(fast::close);
        assertTrue(assertThrows(IllegalStateException.class, () -> fast.addChildHandler(1234, (p, c) -> { }))
                .getMessage().startsWith("Must use the context manager"));
    }

    @Test
    public void theFastWatcherReapsChildrenNotItsOwnAndSaysSo() throws Exception {
        FastChildWatcher fast = new FastChildWatcher();
        BaseEventLoop loop = loopWith(fast);
        try (LogCapture log = LogCapture.of(FastChildWatcher.class.getName())) {
            // a child nobody registered: waitpid(-1) takes its status all the same
            long stranger = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 3"));
            CompletableFuture<Integer> ours = new CompletableFuture<>();
            run(loop, () -> {
                try (SpawnScope scope = fast.enterSpawn()) {
                    long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 0.2"));
                    fast.addChildHandler(pid, (p, c) -> ours.complete(c));
                } catch (java.io.IOException e) {
                    ours.completeExceptionally(e);
                }
                return ours;
            });
            assertTrue(log.messages().toString(), log.messages().stream().anyMatch(m ->
                    m.equals("WARNING Caught subprocess termination from unknown pid: " + stranger + " -> 3")
                            || m.startsWith("WARNING Caught subprocesses termination from unknown pids: {") && m.contains(stranger + ": 3")));
            assertEquals("the stranger's own parent can no longer wait for it", "ECHILD",
                    assertThrows(dev.loopkit.posix.PosixException.class, () -> POSIX.waitpid(stranger, false)).errnoName());
        }
    }

    @Test
    public void theFastWatcherStealsFromProcessBuilderAndWarnsWhenAttached() throws Exception {
        Process foreign = new ProcessBuilder("/bin/sh", "-c", "read x; exit 3").start();
        FastChildWatcher fast = new FastChildWatcher();
        BaseEventLoop loop;
        try (LogCapture log = LogCapture.of(FastChildWatcher.class.getName())) {
            loop = loopWith(fast);
            assertTrue(log.messages().toString(), log.messages().stream().anyMatch(m ->
                    m.startsWith("WARNING FastChildWatcher attached while the JVM has 1 child process(es) it did not register, pids ["
                            + foreign.pid() + "]")));
        }
        // Each round, a ProcessBuilder child exits while the fast watcher is attached and sweeps for a
        // storm of its own children: the JDK's reaper (blocked in waitpid(pid)) and waitpid(-1) race for
        // the status. Whichever wins, the outcome must be one of two: the JDK reports the real code, or
        // the fast watcher says it took the exit and the JDK reports 0. (Here the JDK's blocked reaper
        // wins nearly always; a tight waitpid(-1) loop, measured, won 7 to 12 rounds of 20.)
        int stolen = 0;
        foreign.getOutputStream().close();
        Process child = foreign;
        for (int round = 0; round < 10; round++, child = new ProcessBuilder("/bin/sh", "-c", "exit 3").start()) {
            Process current = child;
            try (LogCapture log = LogCapture.of(FastChildWatcher.class.getName())) {
                CompletableFuture<Integer> jdk = current.onExit().thenApply(Process::exitValue);
                int reported = run(loop, () -> {
                    List<CompletableFuture<Integer>> storm = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        storm.add(Subprocesses.createSubprocessExec(loop, List.of("/bin/true"), QUIET, 1024)
                                .thenCompose(Subprocess::waitFor).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(storm.toArray(CompletableFuture[]::new)).thenCompose(x -> jdk);
                });
                // taken with no spawn going on, or during one (then named once the spawns are over)
                boolean reapedByFast = !warnings(log, current.pid()).isEmpty();
                assertEquals("reaped by the fast watcher: " + reapedByFast, reapedByFast ? 0 : 3, reported);
                stolen += reapedByFast ? 1 : 0;
            }
        }
        System.out.println("WatcherSpecificsTest: the fast watcher took " + stolen + " of 10 ProcessBuilder exits");
    }

    @Test
    public void anExitTheFastWatcherTakesDuringSpawnsIsWarnedWithItsPidOnceTheSpawnsThenOpenHaveEnded() throws Exception {
        FastChildWatcher fast = new FastChildWatcher();
        BaseEventLoop loop = loopWith(fast);
        try (LogCapture log = LogCapture.of(FastChildWatcher.class.getName())) {
            SpawnScope first = fast.enterSpawn(); // another loop spawning, say
            long stranger = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 3"));
            POSIX.waitid(stranger, false, true); // exited, not reaped yet
            fast.attachLoop(loop); // attaching sweeps: waitpid(-1) takes it, a child of a spawn maybe
            SpawnScope second = fast.enterSpawn(); // spawns go on: the scopes never all close at once
            assertEquals(List.of(), warnings(log, stranger));
            first.close(); // the only scope open when it was taken: it was nobody's
            assertEquals(List.of("WARNING Caught subprocesses termination from unknown pids: {" + stranger + ": 3}"),
                    warnings(log, stranger));
            second.close();
            assertEquals("warned once", 1, warnings(log, stranger).size());
        }
    }

    @Test
    public void anExitTheFastWatcherHoldsWhenItClosesIsWarnedWithItsPid() throws Exception {
        FastChildWatcher fast = new FastChildWatcher();
        BaseEventLoop loop = loopWith(fast);
        try (LogCapture log = LogCapture.of(FastChildWatcher.class.getName())) {
            SpawnScope scope = fast.enterSpawn();
            long stranger = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 4"));
            POSIX.waitid(stranger, false, true);
            fast.attachLoop(loop);
            fast.close();
            scope.close();
            assertEquals(List.of("WARNING Caught subprocesses termination from unknown pids: {" + stranger + ": 4}"),
                    warnings(log, stranger));
        }
    }

    // The fast watcher's warnings of an exit it took that name pid, in plain digits (its attach warning aside).
    private static List<String> warnings(LogCapture log, long pid) {
        return log.messages().stream().filter(m -> m.startsWith("WARNING Caught subprocess") && m.matches(".*\\b" + pid + "\\b.*"))
                .toList();
    }

    // ---- threaded ----------------------------------------------------------------------------------------

    @Test
    public void theThreadedWatcherHandsTheNextChildToAnIdleThreadThatEndsWhenNoneComes() {
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = loopWith(threaded);
        for (int exitCode = 3; exitCode <= 5; exitCode++) {
            int expected = exitCode;
            assertEquals(Integer.valueOf(expected), run(loop, () -> Subprocesses.createSubprocessExec(loop,
                    List.of("/bin/sh", "-c", "exit " + expected), QUIET, 1024).thenCompose(Subprocess::waitFor)));
            assertTrue(Leaks.await(() -> threaded.waitingThreads() == 0 && aWaitpidThreadIsIdle(), 10));
            assertEquals("one thread served every child in turn", 1, Leaks.threads("loopkit-waitpid-").size());
        }
        assertTrue("the idle thread ended: " + Leaks.threads("loopkit-waitpid-"),
                Leaks.await(() -> Leaks.threads("loopkit-waitpid-").isEmpty(), ThreadedChildWatcher.IDLE_SECONDS + 5));
    }

    // The thread that delivered an exit waits for the next child a moment later, once back in the
    // pool's queue: a child spawned before that gets a second thread ("one thread served every child
    // in turn expected:<1> but was:<2>" with the thread made to pause after its delivery).
    private static boolean aWaitpidThreadIsIdle() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(thread -> thread.getKey().getName().startsWith("loopkit-waitpid-")
                && thread.getKey().getState() == Thread.State.TIMED_WAITING
                && Arrays.stream(thread.getValue()).anyMatch(frame -> frame.getMethodName().equals("getTask")));
    }

    @Test
    public void closingTheThreadedWatcherEndsItsIdleThreads() {
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = loopWith(threaded);
        assertEquals(Integer.valueOf(0), run(loop, () -> Subprocesses.createSubprocessExec(loop, List.of("/bin/true"), QUIET, 1024)
                .thenCompose(Subprocess::waitFor)));
        assertTrue(Leaks.await(() -> threaded.waitingThreads() == 0, 10));
        assertEquals(1, Leaks.threads("loopkit-waitpid-").size());
        threaded.close();
        assertEquals(List.of(), Leaks.threads("loopkit-waitpid-"));
    }

    /**
     * A host stops a plugin, and with it the threaded watcher, from an interrupted thread. close() wakes
     * the threads that wait for children and must wait for them before it closes the eventfd they poll:
     * on an interrupted thread it gave up at once, returned with the threads alive, and closed the eventfd
     * under them, whose number the next descriptor opened in the process takes.
     */
    @Test
    public void closingTheThreadedWatcherFromAnInterruptedThreadEndsItsThreadsBeforeClosingTheirEventfd() throws Exception {
        assumeTrue("the threaded watcher wakes its threads through pidfds (Linux 5.3 and later)", POSIX.pidfdSupported());
        Map<Integer, String> before = Leaks.openFds();
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = loopWith(threaded);
        int children = 100; // threads enough that not all have ended when an interrupted close() returns at once
        List<Long> pids = run(loop, () -> {
            List<Long> spawned = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                spawned.add(spawnAndRegister(threaded, "exec sleep 30", (p, c) -> { }));
            }
            return CompletableFuture.completedFuture(spawned);
        });
        try {
            assertTrue("a thread waits for each child", Leaks.await(() -> threaded.waitingThreads() == children, 10));
            List<Thread> waiting = Thread.getAllStackTraces().keySet().stream()
                    .filter(thread -> thread.getName().startsWith("loopkit-waitpid-")).toList();
            closeFromAnInterruptedThread(threaded::close);
            // Read at once: a listing of all threads takes long enough for them to end meanwhile.
            assertEquals("waiting threads alive after close()", 0, waiting.stream().filter(Thread::isAlive).count());
        } finally {
            loop.close();
            for (long pid : pids) {
                POSIX.kill(pid, 9);
                POSIX.waitpid(pid, false);
            }
        }
        assertEquals("descriptors left", Map.of(), Leaks.newFds(before));
    }

    @Test
    public void theThreadedWatcherRefusesRegistrationOutsideARunningLoopAsAsyncioDoes() throws Exception {
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        cleanup.add(threaded::close);
        long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 4"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> threaded.addChildHandler(pid, (p, c) -> { }));
        assertTrue(refused.getMessage(), refused.getMessage().startsWith("no running event loop"));
        assertEquals("nothing was registered: the exit is still ours", 4, POSIX.waitpid(pid, false).returncode());
        assertEquals(Map.of(), threaded.children());
    }

    @Test
    public void theThreadedWatcherDeliversOnTheRegisteringLoopAndWarnsOnceItClosed() throws Exception {
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        BaseEventLoop loop = loopWith(threaded);
        // asyncio's call_soon_threadsafe(callback, pid, returncode): the handler runs on the loop's thread
        CompletableFuture<String> deliveredOn = new CompletableFuture<>();
        run(loop, () -> {
            spawnAndRegister(threaded, "exit 0", (p, c) -> deliveredOn.complete(Thread.currentThread().getName()));
            return deliveredOn;
        });
        assertEquals(Thread.currentThread().getName(), deliveredOn.join());

        CompletableFuture<Integer> never = new CompletableFuture<>();
        long pid = run(loop, () -> CompletableFuture.completedFuture(spawnAndRegister(threaded, "sleep 60", (p, c) -> never.complete(c))));
        try (LogCapture log = LogCapture.of(ThreadedChildWatcher.class.getName())) {
            loop.close();
            POSIX.kill(pid, 9);
            String warning = "WARNING Loop " + loop + " that handles pid " + pid + " is closed";
            assertTrue(log.messages().toString(), Leaks.await(() -> log.messages().equals(List.of(warning)), 20));
        }
        assertTrue("reaped", Leaks.await(() -> threaded.children().isEmpty() && threaded.waitingThreads() == 0, 20));
        assertEquals("ECHILD", assertThrows(PosixException.class, () -> POSIX.waitid(pid, true, true)).errnoName());
        assertFalse("nothing is called for a closed loop", never.isDone());
    }

    @Test
    public void aHandOverGivesTheThreadedWatcherChildrenFromOutsideAnyLoop() throws Exception {
        MultiLoopChildWatcher multiloop = new MultiLoopChildWatcher();
        BaseEventLoop loop = loopWith(multiloop);
        CompletableFuture<Integer> code = new CompletableFuture<>();
        long pid = run(loop, () -> CompletableFuture.completedFuture(spawnAndRegister(multiloop, "sleep 60", (p, c) -> code.complete(c))));
        ThreadedChildWatcher threaded = new ThreadedChildWatcher();
        cleanup.add(threaded::close);
        ((DefaultEventLoopPolicy) Asyncio.getEventLoopPolicy()).setChildWatcher(threaded); // the switch, on this thread
        assertEquals(Map.of(), multiloop.children());
        assertEquals(List.of(pid), List.copyOf(threaded.children().keySet()));
        POSIX.kill(pid, 15);
        assertEquals(Integer.valueOf(-15), run(loop, () -> code));
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

    // ---- pidfd -------------------------------------------------------------------------------------------

    @Test
    public void thePidfdWatcherOutsideARunningLoopAndUnattachedSaysSoInAsyncioWords() throws Exception {
        assumeTrue("no pidfds here", POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        cleanup.add(pidfd::close);
        long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 5"));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> pidfd.addChildHandler(pid, (p, c) -> { }));
        assertEquals("no running event loop: the pidfd child watcher needs a loop: register children from a running loop,"
                + " or attach one with attachLoop", refused.getMessage());
        assertEquals(5, POSIX.waitpid(pid, false).returncode());
    }

    /**
     * A closed pidfd watcher is inactive, and says why in words a user can act on, as the threaded one
     * does: it said "it is not active", the interface's default (the policy review).
     */
    @Test
    public void aClosedPidfdWatcherSaysItIsClosed() {
        assumeTrue("the pidfd watcher needs pidfd_open (Linux 5.3 and later)", POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        assertEquals(null, pidfd.inactiveReason());
        pidfd.close();
        assertFalse(pidfd.isActive());
        assertEquals("it is closed", pidfd.inactiveReason());
    }

    /**
     * A watcher is closed by whatever thread switches watchers or stops its bundle, an interrupted one
     * included (a host stopping a plugin). The pidfd watcher's close wakes the threads that wait for the
     * children of closed loops and joins them before it closes their eventfd: on an interrupted thread it
     * gave up at the first join and left the eventfd open for good (as a loop's close left its helper
     * thread: an outside review).
     */
    @Test
    public void closingThePidfdWatcherFromAnInterruptedThreadEndsItsOrphansThreadsAndClosesTheirEventfd() throws Exception {
        assumeTrue("the pidfd watcher needs pidfd_open (Linux 5.3 and later)", POSIX.pidfdSupported());
        Map<Integer, String> before = Leaks.openFds();
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        BaseEventLoop loop = loopWith(pidfd);
        long pid = run(loop, () -> CompletableFuture.completedFuture(spawnAndRegister(pidfd, "exec sleep 30", (p, c) -> { })));
        loop.close(); // its child is waited for on a thread of its own now
        String orphans = "loopkit-pidfd-orphan-";
        assertTrue("an orphan's thread: " + Leaks.threads(orphans), Leaks.await(() -> Leaks.threads(orphans).size() == 1, 10));
        try {
            closeFromAnInterruptedThread(pidfd::close);
            assertEquals(List.of(), Leaks.threads(orphans));
        } finally {
            POSIX.kill(pid, 9);
            POSIX.waitpid(pid, false);
        }
        assertEquals("descriptors left", Map.of(), Leaks.newFds(before));
    }

    // ---- multiloop ---------------------------------------------------------------------------------------

    @Test
    public void multiloopDeliversToAWorkerLoopWhileTheMainThreadIsBlocked() throws Exception {
        // CPython's bpo-38323: with the loop in a worker thread and the main thread in join(), the
        // exit was never delivered. Here the main (test) thread blocks in join() the whole time.
        MultiLoopChildWatcher multiloop = new MultiLoopChildWatcher();
        cleanup.add(multiloop::close);
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(multiloop);
        Asyncio.setEventLoopPolicy(policy);
        multiloop.attachLoop(null);
        CompletableFuture<Integer> code = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            BaseEventLoop loop = new SelectorEventLoop();
            try {
                code.complete(run(loop, () -> Subprocesses.createSubprocessExec(loop,
                        List.of("/bin/sh", "-c", "sleep 0.1; exit 5"), SubprocessOptions.defaults(), 1024)
                        .thenCompose(Subprocess::waitFor)));
            } catch (RuntimeException e) {
                code.completeExceptionally(e);
            } finally {
                loop.close();
            }
        });
        worker.start();
        worker.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse("the worker's loop never got the exit", worker.isAlive());
        assertEquals(Integer.valueOf(5), code.get(1, TimeUnit.SECONDS));
    }

    @Test
    public void multiloopRestoresTheSigchldHandlerAndWarnsWhenOutsideCodeReplacedIt() {
        Signal sigchld = new Signal("CHLD");
        SignalHandler mine = signal -> { };
        SignalHandler before = Signal.handle(sigchld, mine);
        try {
            MultiLoopChildWatcher multiloop = new MultiLoopChildWatcher();
            assertFalse(multiloop.isActive());
            multiloop.attachLoop(null);
            assertTrue(multiloop.isActive());
            multiloop.close();
            assertEquals("the previous handler is back", mine, Signal.handle(sigchld, mine));

            MultiLoopChildWatcher again = new MultiLoopChildWatcher();
            again.attachLoop(null);
            SignalHandler outside = signal -> { };
            Signal.handle(sigchld, outside);
            try (LogCapture log = LogCapture.of("dev.loopkit.loop")) {
                again.close();
                assertEquals(List.of("WARNING SIGCHLD handler was changed by outside code"), log.messages());
            }
            assertEquals("outside code's handler is left in place", outside, Signal.handle(sigchld, mine));
        } finally {
            Signal.handle(sigchld, before);
        }
    }

    @Test
    public void multiloopDetachedByAHandOverGivesSigchldBackAndTakesItAgainWhenAttached() throws Exception {
        // java.lang.ProcessImpl's initialisation resets SIGCHLD; it must not reset ours
        Class.forName("java.lang.ProcessImpl", true, null);
        Signal sigchld = new Signal("CHLD");
        SignalHandler mine = signal -> { };
        SignalHandler before = Signal.handle(sigchld, mine);
        try {
            MultiLoopChildWatcher multiloop = new MultiLoopChildWatcher();
            cleanup.add(multiloop::close);
            multiloop.attachLoop(null);
            multiloop.detachLoop(); // attachLoop(null) would install the handler, not remove it
            assertFalse(multiloop.isActive());
            assertEquals("the previous handler is back", mine, Signal.handle(sigchld, mine));
            multiloop.attachLoop(null);
            assertTrue(multiloop.isActive());
            SignalHandler installed = Signal.handle(sigchld, mine);
            Signal.handle(sigchld, installed);
            assertNotSame("ours is installed again", mine, installed);
        } finally {
            Signal.handle(sigchld, before);
        }
    }

    /**
     * The threads that wait for children (the pidfd watcher's orphans, after their loop
     * closed; the threaded watcher's waitpid threads) outlive the plugin that spawned or closed: they must
     * not keep the starting thread's context loader (a plugin's), as the blocked-loop checker and the
     * signal reader no longer do.
     */
    @Test
    public void theThreadsWaitingForChildrenKeepNoContextClassLoaderOfAPlugin() throws Exception {
        ClassLoader plugin = new java.net.URLClassLoader(new java.net.URL[0], null);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        List<String> wrong = new java.util.ArrayList<>();
        Thread.currentThread().setContextClassLoader(plugin);
        try {
            ThreadedChildWatcher threaded = new ThreadedChildWatcher();
            BaseEventLoop loop = loopWith(threaded);
            long pid = run(loop, () -> CompletableFuture.completedFuture(spawnAndRegister(threaded, "exec sleep 30", (p, c) -> { })));
            try {
                assertTrue(Leaks.await(() -> !threadsNamed("loopkit-waitpid-").isEmpty(), 10));
                for (Thread t : threadsNamed("loopkit-waitpid-")) {
                    if (t.getContextClassLoader() == plugin) {
                        wrong.add(t.getName() + " keeps the plugin's loader");
                    }
                }
            } finally {
                POSIX.kill(pid, 9);
                loop.close();
                threaded.close();
            }
            if (POSIX.pidfdSupported()) {
                PidfdChildWatcher pidfd = new PidfdChildWatcher();
                BaseEventLoop second = loopWith(pidfd);
                long pid2 = run(second, () -> CompletableFuture.completedFuture(spawnAndRegister(pidfd, "exec sleep 30", (p, c) -> { })));
                second.close();
                try {
                    assertTrue(Leaks.await(() -> !threadsNamed("loopkit-pidfd-orphan-").isEmpty(), 10));
                    for (Thread t : threadsNamed("loopkit-pidfd-orphan-")) {
                        if (t.getContextClassLoader() == plugin) {
                            wrong.add(t.getName() + " keeps the plugin's loader");
                        }
                    }
                } finally {
                    POSIX.kill(pid2, 9);
                    pidfd.close();
                }
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        assertEquals(List.of(), wrong);
    }

    private static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
    }

    /** {@code close} run with the interrupt status set, as a host stopping a plugin may: the status is left set. */
    private static void closeFromAnInterruptedThread(Runnable close) {
        Thread.currentThread().interrupt();
        try {
            close.run();
        } finally {
            assertTrue("the interrupt status is left set", Thread.interrupted());
        }
    }
}
