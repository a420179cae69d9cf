package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.posix.Posix;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The pidfd watcher (the default one) with bad luck (an outside review found each case losing an exit
 * or taking over a user's descriptor): a live process that is not our child, and a child registered
 * from a thread that runs no loop, whose watch is queued on the attached loop and meets a removal or
 * that loop's close before it runs.
 */
public class PidfdWatcherRacesTest {

    private static final Posix POSIX = Posix.get();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final PidfdChildWatcher pidfd = POSIX.pidfdSupported() ? new PidfdChildWatcher() : null;
    /** What the attached loop's exception handler got. */
    private final List<Object> reported = new CopyOnWriteArrayList<>();
    private BaseEventLoop loop;
    private Thread loopThread;

    @Before
    public void pidfdsWork() {
        assumeTrue("pidfd_open is unavailable here: " + POSIX.pidfdUnsupportedReason(), POSIX.pidfdSupported());
        cleanup.add(pidfd::close);
    }

    @After
    public void cleanUp() throws Exception {
        if (loop != null) {
            loop.shutdown("test over");
            loopThread.join(10_000);
            loop.close();
        }
        Watchers.cleanUp(cleanup);
    }

    /**
     * The other watchers report 255 at once for a live process that is not our child, as asyncio's
     * waitpid does (ChildrenNeverLostTest); the pidfd watcher waited for that process to end.
     */
    @Test
    public void aLiveProcessThatIsNotOurChildGets255AtOnce() {
        BaseEventLoop attached = Watchers.loopWith(pidfd, cleanup);
        long notOurChild = ProcessHandle.current().pid();
        CompletableFuture<Integer> code = new CompletableFuture<>();
        Integer got = Watchers.runOn(attached, () -> {
            pidfd.addChildHandler(notOurChild, (pid, returncode) -> code.complete(returncode));
            return code.orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null);
        });
        assertEquals("the handler of pid " + notOurChild + "; still held: " + pidfd.children().keySet(), Integer.valueOf(255), got);
    }

    /** Removed on the loop's thread before its queued watch ran: the watch added a reader on the closed pidfd. */
    @Test
    public void aChildRemovedBeforeItsQueuedWatchRanGetsNoReaderOnItsClosedPidfd() throws Exception {
        startTheAttachedLoop();
        long[] child = Watchers.waitingChild(3);
        CountDownLatch registered = new CountDownLatch(1);
        CompletableFuture<Boolean> removed = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> {
            awaitQuietly(registered);
            removed.complete(pidfd.removeChildHandler(child[0]));
        });
        pidfd.addChildHandler(child[0], (pid, returncode) -> { }); // the watch is queued behind the removal
        registered.countDown();
        assertTrue(removed.get(30, TimeUnit.SECONDS));
        oneTurnOfTheLoop();
        releaseAndReap(child);
        assertEquals("what the loop's exception handler got", List.of(), reported);
    }

    /**
     * The same, and the pidfd's number open again as the user's pipe, which the user watches: the
     * queued watch took the number over, and the user's reader never ran.
     */
    @Test
    public void aQueuedWatchLeavesAUsersReaderOnTheReusedNumberAlone() throws Exception {
        startTheAttachedLoop();
        long[] child = Watchers.waitingChild(3);
        Set<Integer> pidfdsBefore = pidfds();
        CountDownLatch registered = new CountDownLatch(1);
        CompletableFuture<int[]> userPipe = new CompletableFuture<>(); // read end, write end, the pidfd's number
        CompletableFuture<Void> userReaderRan = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> {
            awaitQuietly(registered);
            Set<Integer> watched = pidfds();
            watched.removeAll(pidfdsBefore);
            pidfd.removeChildHandler(child[0]);
            try {
                int[] pipe = POSIX.pipe();
                loop.addReader(pipe[0], () -> {
                    userReaderRan.complete(null);
                    loop.removeReader(pipe[0]);
                });
                userPipe.complete(new int[] {pipe[0], pipe[1], watched.iterator().next()});
            } catch (Exception e) {
                userPipe.completeExceptionally(e);
            }
        });
        pidfd.addChildHandler(child[0], (pid, returncode) -> { });
        registered.countDown();
        int[] pipe = userPipe.get(30, TimeUnit.SECONDS);
        try {
            assumeTrue("the pipe did not get the pidfd's number " + pipe[2] + " (it got " + pipe[0] + ")", pipe[0] == pipe[2]);
            oneTurnOfTheLoop(); // the queued watch's turn
            POSIX.write(pipe[1], ByteBuffer.wrap(new byte[] {1}));
            userReaderRan.get(30, TimeUnit.SECONDS);
            assertEquals("what the loop's exception handler got", List.of(), reported);
        } finally {
            POSIX.close(pipe[1]);
            releaseAndReap(child);
        }
    }

    /**
     * The attached loop stops and closes before it ran the queued watch: the watch was dropped with the
     * loop's other pending callbacks, and the exit never came. A child registered outside any loop has a
     * handler that outlives it (ChildLifecycleTest), and it must get the exit.
     */
    @Test
    public void theExitStillArrivesWhenTheAttachedLoopClosesBeforeRunningTheQueuedWatch() throws Exception {
        startTheAttachedLoop();
        long[] child = Watchers.waitingChild(6);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch registered = new CountDownLatch(1);
        loop.callSoonThreadsafe(() -> { // the watch queued meanwhile comes after this iteration, which stops the loop
            running.countDown();
            awaitQuietly(registered);
            loop.stop();
        });
        assertTrue(running.await(30, TimeUnit.SECONDS));
        CompletableFuture<Integer> code = new CompletableFuture<>();
        pidfd.addChildHandler(child[0], (pid, returncode) -> code.complete(returncode));
        registered.countDown();
        loopThread.join(10_000);
        loop.close();
        POSIX.close((int) child[1]);
        Integer got = code.completeOnTimeout(null, 30, TimeUnit.SECONDS).get();
        String state = Watchers.procState(child[0]);
        if (got == null) {
            POSIX.waitpid(child[0], false);
        }
        assertEquals("pid " + child[0] + " (" + state + "), held by " + pidfd.children().keySet(), Integer.valueOf(6), got);
    }

    /**
     * Reentrancy: the handler of a child whose loop closed first (its exit waited for on the watcher's
     * orphan thread) closes the watcher. The close joined every orphan thread, the calling one too: it
     * waited 5 s for itself, warned "did not end", and left the wake-up eventfd open for good (an
     * outside review). The threaded watcher's close already knew its own threads.
     */
    @Test
    public void closingTheWatcherFromAHandlerOnItsOrphanThreadReturnsAtOnceAndLeavesNoEventfd() throws Exception {
        long eventfdsBefore = Watchers.openOfKind("[eventfd]"); // the loop's own are closed with it
        startTheAttachedLoop();
        long[] child = Watchers.waitingChild(5);
        CompletableFuture<Long> closeTook = new CompletableFuture<>();
        pidfd.addChildHandler(child[0], (pid, returncode) -> {
            long start = System.nanoTime();
            pidfd.close();
            closeTook.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        });
        oneTurnOfTheLoop(); // the watch is on the loop
        loop.shutdown("test over"); // the exit is waited for on an orphan thread now
        loopThread.join(10_000);
        loop.close();
        loop = null;
        POSIX.close((int) child[1]);
        long took = closeTook.get(30, TimeUnit.SECONDS);
        assertTrue("close() from the handler took " + took + " ms", took < 2_000);
        assertTrue("the orphan threads end", Leaks.await(() -> Leaks.threads("loopkit-pidfd-orphan-").isEmpty(), 10));
        assertEquals("eventfds open", eventfdsBefore, Watchers.openOfKind("[eventfd]"));
    }

    // A selector loop running on a thread of its own, the watcher attached to it: this test's thread runs no loop.
    private void startTheAttachedLoop() {
        loop = new SelectorEventLoop();
        loop.setExceptionHandler((closing, context) -> reported.add(context));
        loopThread = new Thread(loop::runForever, "pidfd-watcher-races-loop");
        loopThread.start();
        assertTrue("the loop runs", Leaks.await(loop::isRunning, 10));
        pidfd.attachLoop(loop);
    }

    private void oneTurnOfTheLoop() throws Exception {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> turn.complete(null));
        turn.get(30, TimeUnit.SECONDS);
    }

    private static void releaseAndReap(long[] child) throws Exception {
        POSIX.close((int) child[1]);
        POSIX.waitpid(child[0], false); // removed, it is nobody's to reap but ours
    }

    private static Set<Integer> pidfds() {
        return Leaks.openFds().entrySet().stream().filter(fd -> fd.getValue().contains("[pidfd]"))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
