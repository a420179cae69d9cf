package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.posix.WaitStatus;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Every child watcher on every loop, with real child processes: asyncio's {@code test_subprocess}
 * and {@code test_unix_events} watcher tests, one suite.
 */
public class ChildWatcherSuiteTest extends EveryWatcherOnEveryLoop {

    private static final double DEADLINE_SECONDS = 30;
    private static final Posix POSIX = Posix.get();

    private BaseEventLoop loop;
    private ChildWatcher watcher;

    public ChildWatcherSuiteTest(Watchers.Kind kind, Watchers.Loop loopKind) {
        super(kind, loopKind);
    }

    @Before
    public void setUp() {
        loop = loopKind.factory.get();
        watcher = kind.factory.get();
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
    }

    @After
    public void tearDown() {
        if (loop == null) {
            return; // assumed away: nothing was made
        }
        Asyncio.setChildWatcher(null); // closes it, as asyncio does
        Asyncio.setEventLoopPolicy(null);
        loop.close();
        assertEquals("children left behind (zombies or running)", List.of(), livingChildren());
        assertTrue("waiting threads left: " + Leaks.threads("loopkit-waitpid-"),
                Leaks.await(() -> Leaks.threads("loopkit-waitpid-").isEmpty(), 10));
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    private static List<Long> livingChildren() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).toList();
    }

    // ---- running things on the loop -------------------------------------------------------------------

    /** Runs {@code work} on the running loop (the safe and fast watchers need one) and waits for its result. */
    private <T> T onLoop(Supplier<? extends CompletionStage<T>> work) {
        return Watchers.runOn(loop, work);
    }

    private Subprocess exec(String... args) {
        return onLoop(() -> Subprocesses.createSubprocessExec(loop, List.of(args), SubprocessOptions.defaults(), 64 * 1024));
    }

    private int exitCode(String... args) {
        Subprocess process = exec(args);
        return onLoop(() -> process.communicate(null).thenCompose(out -> process.waitFor()));
    }

    // ---- return codes ---------------------------------------------------------------------------------

    @Test
    public void exitCodesAsAsyncioReportsThem() {
        assertEquals(0, exitCode("/bin/true"));
        assertEquals(7, exitCode("/bin/sh", "-c", "exit 7"));
        assertEquals(255, exitCode("/bin/sh", "-c", "exit 255"));
        assertEquals(-9, exitCode("/bin/sh", "-c", "kill -9 $$"));
    }

    @Test
    public void terminateGivesMinusFifteenAndKillMinusNine() {
        Subprocess sleeper = exec("/bin/sleep", "60");
        assertNull(sleeper.returncode());
        int code = onLoop(() -> {
            sleeper.terminate();
            return sleeper.waitFor();
        });
        assertEquals(-15, code);
        assertEquals(Integer.valueOf(-15), sleeper.returncode());
        sleeper.kill(); // after the exit: nothing happens, its pid may be someone else's
        Subprocess another = exec("/bin/sleep", "60");
        assertEquals(-9, (int) onLoop(() -> {
            another.kill();
            return another.waitFor();
        }));
    }

    @Test
    public void manyWaitersGetTheOneCode() {
        Subprocess process = exec("/bin/sh", "-c", "read x; exit 3");
        List<CompletableFuture<Integer>> waits = new ArrayList<>();
        List<Integer> codes = onLoop(() -> {
            for (int i = 0; i < 10; i++) {
                waits.add(process.waitFor().toCompletableFuture());
            }
            process.stdin().close();
            return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                    .thenApply(x -> waits.stream().map(CompletableFuture::join).toList());
        });
        assertEquals(Collections.nCopies(10, 3), codes);
        onLoop(() -> process.communicate(null));
    }

    // ---- pipes -------------------------------------------------------------------------------------------

    @Test
    public void tenMegabytesThroughCatAndBack() {
        byte[] data = new byte[10 * 1024 * 1024];
        new Random(17).nextBytes(data);
        Subprocess cat = exec("/bin/cat");
        Subprocess.Output output = onLoop(() -> cat.communicate(data));
        assertArrayEquals(data, output.stdout());
        assertEquals(0, output.stderr().length);
        assertEquals(Integer.valueOf(0), cat.returncode());
    }

    @Test
    public void communicateCollectsStderrSeparately() {
        Subprocess process = exec("/bin/sh", "-c", "echo out; echo err >&2; exit 4");
        Subprocess.Output output = onLoop(() -> process.communicate(null));
        assertEquals("out\n", new String(output.stdout(), StandardCharsets.US_ASCII));
        assertEquals("err\n", new String(output.stderr(), StandardCharsets.US_ASCII));
        assertEquals(Integer.valueOf(4), process.returncode());
    }

    @Test
    public void stderrToStdoutAndDevnull() {
        SubprocessOptions merged = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL).withStderr(Redirect.STDOUT);
        Subprocess process = onLoop(() -> Subprocesses.createSubprocessShell(loop, "echo a; echo b >&2; cat", merged, 65536));
        Subprocess.Output output = onLoop(() -> process.communicate(null));
        assertEquals("a\nb\n", new String(output.stdout(), StandardCharsets.US_ASCII));
        assertNull(output.stderr());
        assertNull(process.stdin());
    }

    // ---- the watcher's own contract ------------------------------------------------------------------------

    /** Spawns a child that exits when its stdin closes; returns {pid, write end of its stdin}. */
    private long[] spawnWaitingChild(String exitCode) throws IOException {
        int[] stdin = POSIX.pipe();
        try {
            long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "read x; exit " + exitCode)
                    .withStdin(dev.loopkit.posix.Redirect.fd(stdin[0])));
            return new long[] {pid, stdin[1]};
        } finally {
            POSIX.close(stdin[0]);
        }
    }

    /** Registers {@code pid} the way a loop does: on the loop thread, inside the spawn scope. */
    private void register(long pid, ChildHandler handler) {
        onLoop(() -> {
            try (SpawnScope scope = watcher.enterSpawn()) {
                watcher.addChildHandler(pid, handler);
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    @Test
    public void aReplacedHandlerAndARemovedOne() throws Exception {
        long[] first = spawnWaitingChild("5");
        CompletableFuture<Integer> replaced = new CompletableFuture<>();
        CompletableFuture<Integer> replacement = new CompletableFuture<>();
        register(first[0], (pid, code) -> replaced.complete(code));
        register(first[0], (pid, code) -> replacement.complete(code));
        assertEquals(1, watcher.children().size());
        POSIX.close((int) first[1]);
        assertEquals(Integer.valueOf(5), onLoop(() -> replacement));
        assertFalse("the replaced handler is never called", replaced.isDone());

        long[] second = spawnWaitingChild("6");
        CompletableFuture<Integer> removed = new CompletableFuture<>();
        register(second[0], (pid, code) -> removed.complete(code));
        assertTrue(watcher.removeChildHandler(second[0]));
        assertFalse(watcher.removeChildHandler(second[0]));
        assertFalse(watcher.removeChildHandler(424242));
        POSIX.close((int) second[1]);
        // the watcher leaves a removed child to whoever holds it now: here, us
        assertEquals(6, POSIX.waitpid(second[0], false).returncode());
        assertFalse(removed.isDone());
    }

    @Test
    public void aHandlerMayRegisterAnotherChildAndLookAtTheWatcherFromInsideItsCall() throws Exception {
        // reentrancy: the watcher holds no lock of its own while a handler runs
        long[] first = spawnWaitingChild("13");
        CompletableFuture<Integer> second = new CompletableFuture<>();
        List<Long> seenFromInside = new ArrayList<>();
        register(first[0], (pid, code) -> {
            seenFromInside.addAll(watcher.children().keySet());
            watcher.removeChildHandler(424242);
            try (SpawnScope scope = watcher.enterSpawn()) {
                long next = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit " + (code + 1)));
                watcher.addChildHandler(next, (p, c) -> second.complete(c));
            } catch (IOException | RuntimeException e) {
                second.completeExceptionally(e);
            }
        });
        POSIX.close((int) first[1]);
        assertEquals(Integer.valueOf(14), onLoop(() -> second));
        assertFalse("its own child is no longer held when its handler runs", seenFromInside.contains(first[0]));
        assertEquals(Map.of(), watcher.children());
    }

    @Test
    public void aChildThatDiedBeforeRegistrationIsReported() throws Exception {
        CompletableFuture<Integer> code = new CompletableFuture<>();
        onLoop(() -> {
            // inside the spawn scope, as loops spawn (the fast watcher keeps what it reaps meanwhile)
            try (SpawnScope scope = watcher.enterSpawn()) {
                long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 9"));
                POSIX.waitid(pid, false, true); // exited, still a zombie: nobody reaped it yet
                watcher.addChildHandler(pid, (p, c) -> code.complete(c));
            } catch (IOException e) {
                code.completeExceptionally(e);
            }
            return code;
        });
        assertEquals(Integer.valueOf(9), code.join());
    }

    @Test
    public void twoChildrenExitingTogether() throws Exception {
        // one SIGCHLD may stand for both: the watchers that sweep must find both
        twoChildrenExitTogether((pid, code) -> { });
    }

    @Test
    public void aHandlerThrowingAnErrorStopsNoOtherChildsExit() throws Exception {
        // a failed assertion in user code: before, it left the sweep of the safe and fast watchers,
        // and the other child of the same SIGCHLD waited for a signal that never came
        twoChildrenExitTogether((pid, code) -> {
            throw new AssertionError("the handler of " + pid + " failed");
        });
    }

    /**
     * asyncio calls a child's callback as a loop callback ({@code call_soon_threadsafe(callback, pid,
     * returncode)}; the safe and fast watchers' {@code _sig_chld} hands a failure to
     * {@code call_exception_handler}): what it throws reaches the loop's exception handler. Here it went to
     * the watcher's logger alone, and a program collecting failures through its exception handler missed
     * them (the policy review).
     */
    @Test
    public void aHandlerThatThrowsIsReportedToTheLoopsExceptionHandler() throws Exception {
        List<Map<String, Object>> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context));
        long[] child = spawnWaitingChild("7");
        RuntimeException boom = new IllegalStateException("the handler's bug");
        register(child[0], (pid, code) -> {
            throw boom;
        });
        POSIX.close((int) child[1]);
        CompletableFuture<Void> seen = new CompletableFuture<>();
        Runnable look = new Runnable() {
            @Override
            public void run() {
                if (!reported.isEmpty()) {
                    seen.complete(null);
                } else {
                    loop.callLater(0.01, this);
                }
            }
        };
        onLoop(() -> {
            look.run();
            return seen;
        });
        assertEquals(reported.toString(), 1, reported.size());
        assertEquals(boom, reported.get(0).get("exception"));
    }

    // Both exit before the loop runs again; each handler records its exit, then calls then.
    private void twoChildrenExitTogether(ChildHandler then) throws Exception {
        long[] a = spawnWaitingChild("11");
        long[] b = spawnWaitingChild("12");
        Map<Long, Integer> codes = new ConcurrentHashMap<>();
        CompletableFuture<Void> both = new CompletableFuture<>();
        ChildHandler handler = (pid, code) -> {
            codes.put(pid, code);
            if (codes.size() == 2) {
                both.complete(null);
            }
            then.childExited(pid, code);
        };
        register(a[0], handler);
        register(b[0], handler);
        POSIX.close((int) a[1]);
        POSIX.close((int) b[1]);
        assertTrue("the two children did not exit within 5 s",
                Leaks.await(() -> hasExited(a[0]) && hasExited(b[0]), 5));
        onLoop(() -> both);
        assertEquals(Map.of(a[0], 11, b[0], 12), codes);
    }

    // A zombie, or already reaped by a watcher that waits on threads of its own.
    private static boolean hasExited(long pid) {
        return Watchers.isZombie(pid) || !Files.exists(Path.of("/proc/" + pid));
    }

    @Test
    public void aChildReapedBySomeoneElse() throws Exception {
        long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 3"));
        assertEquals(3, POSIX.waitpid(pid, false).returncode()); // someone else took the status
        CompletableFuture<Integer> code = new CompletableFuture<>();
        try (LogCapture log = LogCapture.of(watcher.getClass().getName())) {
            register(pid, (p, c) -> code.complete(c));
            if (kind == Watchers.Kind.FAST) {
                // asyncio's documented hazard: waitpid(-1) never sees it again, the handler never runs
                CompletableFuture<Integer> otherCode = new CompletableFuture<>();
                onLoop(() -> {
                    try (SpawnScope scope = watcher.enterSpawn()) { // the fast watcher's rule: spawn inside
                        long other = POSIX.spawn(SpawnSpec.of("/bin/true"));
                        watcher.addChildHandler(other, (p, c) -> otherCode.complete(c));
                    } catch (IOException e) {
                        otherCode.completeExceptionally(e);
                    }
                    return otherCode;
                });
                assertFalse("fast: no callback for a child reaped elsewhere", code.isDone());
                assertTrue(watcher.removeChildHandler(pid));
                return;
            }
            assertEquals(Integer.valueOf(255), onLoop(() -> code));
            String expected = kind == Watchers.Kind.PIDFD
                    ? "WARNING child process pid " + pid + " exit status already read:  will report returncode 255"
                    : "WARNING Unknown child process pid " + pid + ", will report returncode 255";
            assertTrue(log.messages().toString(), log.messages().contains(expected));
        }
    }

    @Test
    public void attachingAnotherLoopWhileChildrenRun() throws Exception {
        long[] child = spawnWaitingChild("21");
        CompletableFuture<Integer> code = new CompletableFuture<>();
        register(child[0], (p, c) -> code.complete(c));
        BaseEventLoop other = loopKind.factory.get();
        Thread otherThread = new Thread(other::runForever, "other-loop");
        try {
            otherThread.start();
            assertTrue(Leaks.await(other::isRunning, 10));
            watcher.attachLoop(other); // safe and fast now reap on the other loop's thread
            POSIX.close((int) child[1]);
            // the exit arrives wherever the watcher delivers it: both loops run
            assertEquals(Integer.valueOf(21), onLoop(() -> code));
        } finally {
            watcher.attachLoop(loop);
            other.stop();
            otherThread.join();
            other.close();
        }
    }

    @Test
    public void detachingWithPendingHandlersWarns() throws Exception {
        long[] child = spawnWaitingChild("0");
        CompletableFuture<Integer> code = new CompletableFuture<>();
        register(child[0], (p, c) -> code.complete(c));
        try (LogCapture log = LogCapture.of(watcher.getClass().getName())) {
            watcher.attachLoop(null);
            if (kind.sigchldThroughLoop()) {
                assertEquals(List.of("WARNING A loop is being detached from a child watcher with pending handlers"),
                        log.messages());
            }
        }
        watcher.attachLoop(loop);
        POSIX.close((int) child[1]);
        assertEquals(Integer.valueOf(0), onLoop(() -> code));
    }

    // ---- many children ------------------------------------------------------------------------------------

    @Test
    public void aThousandChildrenHundredAtATimeEachExitExactlyOnce() {
        // fewer with -Dloopkit.suite.children=N: CI's second JDK pass, which checks the code on that JDK
        int total = Integer.getInteger("loopkit.suite.children", 1000);
        LogCapture log = LogCapture.of("dev.loopkit.loop");
        Map<Long, Integer> expected = new ConcurrentHashMap<>();
        Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
        CompletableFuture<Void> all = new CompletableFuture<>();
        int[] started = {0};
        int[] finished = {0};
        Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
            int i = started[0]++;
            String program = i % 2 == 0 ? "/bin/true" : "/bin/false";
            SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                    .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
            Subprocesses.createSubprocessExec(loop, List.of(program), quiet, 1024).thenCompose(process -> {
                expected.put(process.pid(), i % 2);
                return process.waitFor().thenApply(code -> {
                    deliveries.merge(process.pid(), 1, Integer::sum);
                    if (code != i % 2) {
                        all.completeExceptionally(new AssertionError(program + " exited with " + code));
                    }
                    return code;
                });
            }).whenComplete((code, error) -> {
                if (error != null) {
                    all.completeExceptionally(error);
                } else if (++finished[0] == total) {
                    all.complete(null);
                } else if (started[0] < total) {
                    startNext[0].run();
                }
            });
        };
        try (log) {
            onLoop(() -> {
                for (int i = 0; i < 100; i++) {
                    startNext[0].run();
                }
                return all;
            });
        }
        // a second report of an exit reaches the transport, which drops it with a warning
        assertEquals("no exit reported twice", List.of(), log.messages().stream()
                .filter(m -> m.contains("reported exited twice")).toList());
        assertEquals(total, expected.size());
        assertEquals("every exit delivered exactly once", Collections.nCopies(total, 1), new ArrayList<>(deliveries.values()));
        assertEquals(Map.of(), watcher.children());
    }

    @Test
    public void loopsInSeveralThreadsSpawnAtOnce() throws Exception {
        // safe and fast reap on their one attached loop (this test's); the children of the other loops
        // are delivered to them from there
        int threads = 3;
        List<Thread> workers = new ArrayList<>();
        Map<String, Integer> results = new ConcurrentHashMap<>();
        CompletableFuture<Void> attachedRuns = new CompletableFuture<>();
        for (int t = 0; t < threads; t++) {
            int worker = t;
            Thread thread = new Thread(() -> {
                BaseEventLoop own = loopKind.factory.get();
                try {
                    List<CompletableFuture<Integer>> codes = new ArrayList<>();
                    CompletableFuture<Void> done = new CompletableFuture<>();
                    own.callSoon(() -> {
                        for (int i = 0; i < 10; i++) {
                            int code = worker * 10 + i;
                            codes.add(Subprocesses.createSubprocessExec(own, List.of("/bin/sh", "-c", "exit " + code),
                                    SubprocessOptions.defaults(), 1024).toCompletableFuture()
                                    .thenCompose(p -> p.communicate(null).thenCompose(o -> p.waitFor())).toCompletableFuture());
                        }
                        CompletableFuture.allOf(codes.toArray(CompletableFuture[]::new)).whenComplete((x, e) -> done.complete(null));
                    });
                    own.callLater(DEADLINE_SECONDS, () -> done.completeExceptionally(new AssertionError("timed out")));
                    own.runUntilComplete(done);
                    for (int i = 0; i < codes.size(); i++) {
                        results.put(worker + "/" + i, codes.get(i).join());
                    }
                } finally {
                    own.close();
                }
            });
            workers.add(thread);
        }
        // the attached loop runs too, for the watchers that reap through it
        loop.callSoon(() -> {
            workers.forEach(Thread::start);
            new Thread(() -> {
                workers.forEach(w -> {
                    try {
                        w.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                attachedRuns.complete(null);
            }).start();
        });
        loop.callLater(DEADLINE_SECONDS, () -> attachedRuns.completeExceptionally(new AssertionError("timed out")));
        loop.runUntilComplete(attachedRuns);
        Map<String, Integer> expected = new HashMap<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < 10; i++) {
                expected.put(t + "/" + i, t * 10 + i);
            }
        }
        assertEquals(expected, results);
    }

    // ---- what is not the watcher's ------------------------------------------------------------------------

    @Test
    public void anExitNobodyRegisteredIsLeftToItsParent() throws Exception {
        if (kind == Watchers.Kind.FAST) {
            return; // waitpid(-1) takes it: the fast watcher's documented hazard (WatcherSpecificsTest)
        }
        long stranger = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit 9"));
        POSIX.waitid(stranger, false, true); // it has exited (WNOWAIT: still unreaped)
        // a registered child exits after it: SIGCHLD sweeps, waiting threads and pidfds all see activity
        assertEquals(4, exitCode("/bin/sh", "-c", "exit 4"));
        assertEquals("the stranger's status is still its parent's to take", new WaitStatus(stranger, 9),
                POSIX.waitpid(stranger, false));
    }

    @Test
    public void closingWithAChildStillRunningWarnsAndLeavesItsExitToItsParent() throws Exception {
        Subprocess child = exec("/bin/sh", "-c", "read x; exit 3");
        try (LogCapture log = LogCapture.of(watcher.getClass().getName())) {
            watcher.close();
            assertEquals(List.of("WARNING " + watcher.getClass().getSimpleName() + " closed with registered but not"
                    + " finished child processes, pids [" + child.pid() + "]: their exits will not be delivered"), log.messages());
        }
        assertEquals(Map.of(), watcher.children());
        onLoop(() -> {
            child.stdin().close();
            return CompletableFuture.completedFuture(null);
        });
        assertEquals("the closed watcher did not reap it", new WaitStatus(child.pid(), 3), POSIX.waitpid(child.pid(), false));
        assertNull("nor report it", child.returncode());
    }

    @Test
    public void sigchldWatchersAreActiveOnlyWhileTheirLoopRuns() {
        if (kind != Watchers.Kind.SAFE && kind != Watchers.Kind.FAST) {
            return;
        }
        assertFalse(watcher.isActive());
        assertEquals("its loop " + loop + " is not running", watcher.inactiveReason());
        assertTrue(onLoop(() -> CompletableFuture.completedFuture(watcher.isActive())));
        assertEquals(4, exitCode("/bin/sh", "-c", "exit 4"));
    }

    // ---- bad input ---------------------------------------------------------------------------------------

    @Test
    public void badInputIsRefusedClearly() {
        try (SpawnScope scope = watcher.enterSpawn()) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> watcher.addChildHandler(0, (p, c) -> { }))
                    .getMessage().startsWith("pid must be a positive process id"));
            assertThrows(IllegalArgumentException.class, () -> watcher.addChildHandler(-5, (p, c) -> { }));
            assertEquals("handler", assertThrows(NullPointerException.class, () -> watcher.addChildHandler(1, null)).getMessage());
        }
        CompletionException missing = assertThrows(CompletionException.class, () -> exec("nosuchprog"));
        assertEquals("No such file or directory: 'nosuchprog'", missing.getCause().getMessage());
        assertThrows(IllegalArgumentException.class, () -> loop.subprocessExec(() -> null, List.of()));
    }

    @Test
    public void aClosedLoopAndAnInactiveWatcherSpawnNothing() {
        BaseEventLoop closed = loopKind.factory.get();
        closed.close();
        assertEquals("Event loop is closed", assertThrows(IllegalStateException.class,
                () -> Subprocesses.createSubprocessExec(closed, List.of("/bin/true"), SubprocessOptions.defaults(), 1024)).getMessage());
        watcher.close();
        if (kind == Watchers.Kind.PIDFD) {
            return; // asyncio's pidfd watcher is always active: it needs no attached loop
        }
        int before = livingChildren().size();
        IllegalStateException inactive = assertThrows(IllegalStateException.class,
                () -> onLoop(() -> loop.subprocessExec(() -> { throw new AssertionError("no protocol is made"); },
                        List.of("/bin/true"))));
        assertTrue(inactive.getMessage(), inactive.getMessage().startsWith(
                "the child watcher is not activated, subprocess support is not installed ("
                        + watcher.getClass().getSimpleName() + ": " + watcher.inactiveReason() + ")"));
        assertEquals("nothing was spawned", before, livingChildren().size());
    }

    @Test
    public void theThreadedWatchersThreadsEnd() {
        if (kind != Watchers.Kind.THREADED) {
            return;
        }
        ThreadedChildWatcher threaded = (ThreadedChildWatcher) watcher;
        Subprocess process = exec("/bin/sleep", "60");
        assertEquals(1, threaded.waitingThreads());
        assertEquals(1, Leaks.threads("loopkit-waitpid-").size());
        onLoop(() -> {
            process.kill();
            return process.waitFor();
        });
        assertTrue(Leaks.await(() -> threaded.waitingThreads() == 0, 10));
    }
}
