package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.subprocess.Subprocesses;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * A spawn when the process is out of file descriptors (EMFILE) fails with the reason or works, as
 * asyncio's ({@code OSError: [Errno 24] Too many open files}): with the pidfd watcher and the selector
 * or proactor loop, the spawn that had descriptors for its pipes but not for the loop's poller hung,
 * and its exit went to a thread that said the loop was closed (an outside review).
 */
@RunWith(Parameterized.class)
public class SubprocessAtTheDescriptorLimitTest {

    @Parameters(name = "{0} loop")
    public static List<Object[]> loops() {
        return Watchers.everyLoop();
    }

    private static final Posix POSIX = Posix.get();
    private final Watchers.Loop loopKind;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    public SubprocessAtTheDescriptorLimitTest(Watchers.Loop loopKind) {
        this.loopKind = loopKind;
    }

    private static void setSoftLimit(int soft) throws Exception {
        Process p = new ProcessBuilder("prlimit", "--pid", Long.toString(ProcessHandle.current().pid()),
                "--nofile=" + soft + ":20000").inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    @After
    public void restore() throws Exception {
        setSoftLimit(20000);
    }

    private static List<Integer> fillDescriptors() {
        List<Integer> fds = new ArrayList<>();
        while (true) {
            try {
                int[] pipe = POSIX.pipe();
                fds.add(pipe[0]);
                fds.add(pipe[1]);
            } catch (PosixException e) {
                try {
                    int fd = POSIX.eventfd();
                    fds.add(fd);
                } catch (PosixException full) {
                    return fds;
                }
            }
        }
    }

    @Test
    public void aSpawnAtTheDescriptorLimitFailsCleanlyOrWorks() throws Exception {
        List<String> outcomes = new ArrayList<>();
        List<Watchers.Kind> kinds = POSIX.pidfdSupported() ? List.of(Watchers.Kind.PIDFD, Watchers.Kind.THREADED) : List.of(Watchers.Kind.THREADED);
        for (Watchers.Kind kind : kinds) {
            outcomes.add("before the limit, " + kind + ": " + spawnWith(kind, 0, false)); // every class the path needs loaded
        }
        setSoftLimit(1024);
        for (int round = 0; round < 11 * kinds.size(); round++) {
            int free = round % 11;
            Watchers.Kind kind = kinds.get(round / 11);
            outcomes.add(kind + ", " + free + " free: " + spawnWith(kind, free, true));
        }
        outcomes.forEach(System.out::println);
        assertTrue(String.join("\n", outcomes), outcomes.stream().noneMatch(o -> o.contains("HUNG")));
        assertTrue("children left: " + ProcessHandle.current().children().map(ProcessHandle::pid).toList(),
                dev.loopkit.loop.testing.Leaks.await(() -> ProcessHandle.current().children().findAny().isEmpty(), 5));
    }

    // One spawn of `sh -c "echo hi"` with three pipes on a new loop with a new watcher of `kind`, with
    // `free` descriptors left when `fill` is set: its outcome, or HUNG.
    private String spawnWith(Watchers.Kind kind, int free, boolean fill) throws Exception {
        BaseEventLoop loop = Watchers.loopWith(loopKind, kind);
        List<Object> reported = new CopyOnWriteArrayList<>();
        loop.setExceptionHandler((l, context) -> reported.add(context.get("exception")));
        loop.runUntilComplete(CompletableFuture.completedFuture(null));
        List<Integer> fillers = fill ? fillDescriptors() : new ArrayList<>();
        for (int i = 0; i < free && !fillers.isEmpty(); i++) {
            POSIX.close(fillers.remove(fillers.size() - 1));
        }
        CompletableFuture<String> outcome = new CompletableFuture<>();
        loop.callSoon(() -> Subprocesses.createSubprocessExec(loop, List.of("/bin/sh", "-c", "echo hi"),
                        SubprocessOptions.defaults(), 1024)
                .thenCompose(p -> p.communicate(null).thenApply(o -> new String(o.stdout()).trim() + " code " + p.returncode()))
                .whenComplete((v, e) -> outcome.complete(e == null ? "ok " + v : "failed: " + e)));
        loop.callLater(5, () -> outcome.complete("HUNG (5 s); reported to the loop: " + reported));
        String result = loop.runUntilComplete(outcome);
        for (int fd : fillers) {
            POSIX.close(fd);
        }
        ChildWatcher watcher = Asyncio.getChildWatcher();
        Watchers.resetAndClose(loop);
        watcher.close();
        return result;
    }
}
