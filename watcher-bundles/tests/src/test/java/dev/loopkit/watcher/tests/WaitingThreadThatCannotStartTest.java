package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.testsupport.NoNewThreads;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/**
 * The threaded watcher at the host's limit of threads: the child's waiting thread cannot start. The
 * watcher had put the pid in its table and among the pids a thread waits for before the start
 * failed, and kept both: the child stayed listed for good, and a later child given the same pid by
 * the kernel was registered as "a replaced handler" with no thread waiting for it, never reaped, its
 * exit never delivered (an outside review, with the pids cycled: the child a zombie). Now the
 * registration is undone and the failure goes to the spawn, which kills and reaps the child.
 */
public class WaitingThreadThatCannotStartTest {

    @Test
    public void aChildWhoseThreadCannotStartIsForgottenAndItsPidWaitedForWhenRegisteredAgain() throws Exception {
        ThreadedChildWatcher watcher = new ThreadedChildWatcher();
        SelectorEventLoop loop = new SelectorEventLoop();
        Process child = new ProcessBuilder("sleep", "30").start();
        try (NoNewThreads limit = NoNewThreads.join()) {
            AtomicReference<Throwable> refused = new AtomicReference<>();
            AtomicReference<Map<Long, ChildHandler>> listed = new AtomicReference<>();
            LoopFuture<Integer> exited = loop.createFuture();
            loop.callSoon(() -> {
                limit.during(() -> {
                    try {
                        watcher.addChildHandler(child.pid(), (pid, returncode) -> { });
                    } catch (Throwable e) {
                        refused.set(e);
                    }
                });
                listed.set(watcher.children());
                watcher.addChildHandler(child.pid(), (pid, returncode) -> exited.setResult(returncode));
                child.destroyForcibly();
            });
            loop.callLater(20, () -> {
                if (!exited.isDone()) {
                    exited.setException(new AssertionError("the child registered again was not waited for"));
                }
            });
            loop.runUntilComplete(exited);
            NoNewThreads.assumeItFailed(refused.get());
            assertEquals("the watcher listed the child it could not wait for", Map.of(), listed.get());
        } finally {
            child.destroyForcibly();
            loop.close();
            watcher.close();
        }
    }
}
