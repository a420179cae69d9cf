package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.SpawnSpec;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.After;
import org.junit.Test;

/**
 * The pidfd watcher (the default one) with bad luck: a pid that is not our child, a child removed
 * before the watch queued on its loop ran, and the attached loop closing before it ran it (an outside
 * review found each losing an exit or taking over a user's descriptor).
 */
public class PidfdWatcherRacesTest {

    private static final Posix POSIX = Posix.get();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    /**
     * The pidfd watcher and a live pid that is not our child. The threaded, safe and multiloop watchers
     * report 255 at once (ChildrenNeverLostTest); the pidfd watcher waits for that process to end.
     */
    @Test
    public void pidfdWatcherReports255ForAPidThatIsNotOurChild() throws Exception {
        assumeTrue(POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        BaseEventLoop loop = Watchers.loopWith(pidfd, cleanup);
        long notOurChild = ProcessHandle.current().pid();
        CompletableFuture<Integer> code = new CompletableFuture<>();
        Integer got = Watchers.runOn(loop, () -> {
            pidfd.addChildHandler(notOurChild, (p, c) -> code.complete(c));
            return code.orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
        });
        assertEquals("handler for non-child pid " + notOurChild + "; still held: " + pidfd.children().keySet(),
                Integer.valueOf(255), got);
    }

    /**
     * A child registered with the pidfd watcher from a thread that runs no loop (the attached loop
     * reads its pidfd) and removed on the loop's thread before the loop ran the queued watch: the
     * queued watch then adds a reader for a pidfd that is already closed.
     */
    @Test
    public void pidfdRemovedOnTheLoopBeforeItsQueuedWatchRan() throws Exception {
        assumeTrue(POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        cleanup.add(pidfd::close);
        BaseEventLoop loop = new SelectorEventLoop();
        List<Object> handled = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> handled.add(context));
        Thread loopThread = new Thread(loop::runForever, "review-loop");
        loopThread.start();
        assertTrue(Leaks.await(loop::isRunning, 10));
        pidfd.attachLoop(loop);
        long[] child = waitingChild(3);
        CountDownLatch registered = new CountDownLatch(1);
        CompletableFuture<Boolean> removed = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> {
            try {
                registered.await(10, TimeUnit.SECONDS);
                removed.complete(pidfd.removeChildHandler(child[0]));
            } catch (InterruptedException e) {
                removed.completeExceptionally(e);
            }
        });
        pidfd.addChildHandler(child[0], (p, c) -> { }); // from this thread: the watch is queued on the loop
        registered.countDown();
        assertTrue(removed.get(10, TimeUnit.SECONDS));
        CompletableFuture<Void> turn = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> turn.complete(null));
        turn.get(10, TimeUnit.SECONDS);
        loop.stop();
        loopThread.join(10_000);
        loop.close();
        POSIX.close((int) child[1]);
        POSIX.waitpid(child[0], false);
        Thread.sleep(300);
        List<String> orphanThreads = Leaks.threads("loopkit-pidfd-orphan-");
        assertEquals("loop exception handler calls (orphan threads left: " + orphanThreads + ")", List.of(), handled);
    }

    /**
     * The same race, with the closed pidfd's number reused by the user's own pipe, which the user
     * watches with addReader on the same loop: the watcher's queued watch takes that descriptor over.
     */
    @Test
    public void pidfdQueuedWatchTakesOverAUsersReaderOnAReusedDescriptorNumber() throws Exception {
        assumeTrue(POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        cleanup.add(pidfd::close);
        BaseEventLoop loop = new SelectorEventLoop();
        List<Object> handled = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> handled.add(context.get("message") + ": " + context.get("exception")));
        Thread loopThread = new Thread(loop::runForever, "review-loop");
        loopThread.start();
        assertTrue(Leaks.await(loop::isRunning, 10));
        pidfd.attachLoop(loop);
        long[] child = waitingChild(3);
        CountDownLatch registered = new CountDownLatch(1);
        CompletableFuture<int[]> userPipe = new CompletableFuture<>();
        CompletableFuture<String> userReaderCalled = new CompletableFuture<>();
        java.util.Set<Integer> pidfdsBefore = new java.util.HashSet<>();
        Leaks.openFds().forEach((fd, target) -> {
            if (target.contains("[pidfd]")) {
                pidfdsBefore.add(fd);
            }
        });
        loop.callSoonThreadsafe(() -> {
            try {
                registered.await(10, TimeUnit.SECONDS);
                int watchedPidfd = Leaks.openFds().entrySet().stream()
                        .filter(e -> e.getValue().contains("[pidfd]") && !pidfdsBefore.contains(e.getKey()))
                        .mapToInt(Map.Entry::getKey).findFirst().orElse(-1);
                pidfd.removeChildHandler(child[0]);
                int[] pipe = POSIX.pipe();
                loop.addReader(pipe[0], () -> {
                    userReaderCalled.complete("user reader called");
                    loop.removeReader(pipe[0]);
                });
                userPipe.complete(new int[] {pipe[0], pipe[1], watchedPidfd});
            } catch (Exception e) {
                userPipe.completeExceptionally(e);
            }
        });
        pidfd.addChildHandler(child[0], (p, c) -> { }); // from this thread: the watch is queued on the loop
        registered.countDown();
        int[] pipe = userPipe.get(10, TimeUnit.SECONDS);
        assumeTrue("the pipe reused the pidfd's number " + pipe[2] + " (got " + pipe[0] + ")", pipe[0] == pipe[2]);
        CompletableFuture<Void> turn = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> turn.complete(null));
        turn.get(10, TimeUnit.SECONDS);
        POSIX.write(pipe[1], java.nio.ByteBuffer.wrap(new byte[] {1})); // the user's data arrives
        String got;
        try {
            got = userReaderCalled.get(3, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            got = "the user's reader was never called";
        }
        loop.callSoonThreadsafe(loop::stop);
        loopThread.join(10_000);
        loop.close();
        Thread.sleep(300);
        List<String> orphanThreads = Leaks.threads("loopkit-pidfd-orphan-");
        POSIX.close((int) child[1]);
        POSIX.waitpid(child[0], false);
        POSIX.close(pipe[1]);
        assertEquals("fd " + pipe[0] + ": " + got + "; exception handler " + handled + "; orphan threads after the loop closed "
                + orphanThreads, "user reader called", got);
    }

    /**
     * A child registered with the pidfd watcher from a thread that runs no loop (the attached loop will
     * read its pidfd: the watch is queued on it), and the attached loop is stopped and closed before it
     * ran the queued watch. The child's loop-less handler should still get the exit (as
     * ChildLifecycleTest.aChildHandedOverOutsideAnyLoopStillReachesItsLoopWhenTheAttachedLoopCloses).
     */
    @Test
    public void pidfdAttachedLoopClosesBeforeItRanTheQueuedWatch() throws Exception {
        assumeTrue(POSIX.pidfdSupported());
        PidfdChildWatcher pidfd = new PidfdChildWatcher();
        cleanup.add(pidfd::close);
        BaseEventLoop loop = new SelectorEventLoop();
        List<Object> handled = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> handled.add(context.get("message")));
        Thread loopThread = new Thread(loop::runForever, "review-loop");
        loopThread.start();
        assertTrue(Leaks.await(loop::isRunning, 10));
        pidfd.attachLoop(loop);
        long[] child = waitingChild(6);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch registered = new CountDownLatch(1);
        loop.callSoonThreadsafe(() -> { // the watch queued meanwhile comes after this iteration, which stops the loop
            running.countDown();
            try {
                registered.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop.stop();
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
        CompletableFuture<Integer> code = new CompletableFuture<>();
        try (LogCapture log = LogCapture.of("dev.loopkit")) {
            pidfd.addChildHandler(child[0], (p, c) -> code.complete(c)); // queued on the attached loop
            registered.countDown();
            loopThread.join(10_000);
            loop.close();
            POSIX.close((int) child[1]);
            Integer got;
            try {
                got = code.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                got = null;
            }
            String state = procState(child[0]);
            List<String> said = log.messages();
            if (got == null) {
                POSIX.waitpid(child[0], false);
            }
            assertEquals("pid " + child[0] + ": pidfd holds " + pidfd.children().keySet() + ", /proc " + state
                    + ", orphan threads " + Leaks.threads("loopkit-pidfd-orphan-") + ", log " + said
                    + ", exception handler " + handled, Integer.valueOf(6), got);
        }
    }

    /** Spawns {@code sh -c 'read x; exit code'}: returns {pid, write end of its stdin}. */
    private static long[] waitingChild(int code) throws IOException {
        int[] stdin = POSIX.pipe();
        try {
            long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "read x; exit " + code)
                    .withStdin(dev.loopkit.posix.Redirect.fd(stdin[0])));
            return new long[] {pid, stdin[1]};
        } finally {
            POSIX.close(stdin[0]);
        }
    }

    private static String procState(long pid) {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("State:")).findFirst().orElse("?");
        } catch (IOException e) {
            return "gone";
        }
    }
}
