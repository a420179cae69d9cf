package dev.loopkit.shell;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildHandler;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.HoldingChildWatcher;
import java.util.concurrent.Semaphore;
import org.junit.rules.ExternalResource;

/** Reaps each child on a thread of its own and calls its handler there (as a hand-over's are). */
class ReapingWatcher extends HoldingChildWatcher {
    /** A permit for each child reaped and reported, for a test that waits for a program's exit. */
    final Semaphore reported = new Semaphore(0);

    @Override
    public void addChildHandler(long pid, ChildHandler handler) {
        super.addChildHandler(pid, handler);
        Thread reaper = new Thread(() -> {
            try {
                int returncode = Posix.get().waitpid(pid, false).returncode();
                ChildHandler waiting = held.remove(pid);
                if (waiting != null) {
                    waiting.childExited(pid, returncode);
                }
                reported.release();
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
        }, "reaper " + pid);
        reaper.setDaemon(true);
        reaper.start();
    }

    /** A test's reaping watcher, registered as "reaping" above every other for the test, and the policy reset after it. */
    static final class Installed extends ExternalResource {
        final ReapingWatcher watcher = new ReapingWatcher();

        @Override
        protected void before() {
            ProcessWide.get().childWatchers().register(watcher, "reaping", 1_000, 1_000, "test");
        }

        @Override
        protected void after() {
            ProcessWide.get().childWatchers().unregister(watcher);
            Asyncio.setEventLoopPolicy(null);
        }
    }
}
