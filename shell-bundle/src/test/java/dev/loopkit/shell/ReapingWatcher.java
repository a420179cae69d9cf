package dev.loopkit.shell;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.testsupport.HoldingChildWatcher;

/** Reaps each child on a thread of its own and calls its handler there (as a hand-over's are). */
class ReapingWatcher extends HoldingChildWatcher {
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
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
        }, "reaper " + pid);
        reaper.setDaemon(true);
        reaper.start();
    }
}
