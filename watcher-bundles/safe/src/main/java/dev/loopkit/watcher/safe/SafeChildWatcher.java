package dev.loopkit.watcher.safe;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.watcher.base.SigchldChildWatcher;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * asyncio's {@code SafeChildWatcher}: on every SIGCHLD (through the attached loop) it calls
 * {@code waitpid(pid, WNOHANG)} for each registered child, so it never reaps another's child, at
 * O(n) per signal. A child registered after it died is caught at once. Handlers run on the loop's
 * thread (or the registering thread, for a child that already exited).
 */
@Component(service = ChildWatcher.class)
@ServiceRanking(SafeChildWatcher.RANKING)
@LoopkitName(SafeChildWatcher.NAME)
public class SafeChildWatcher extends SigchldChildWatcher {

    public static final String NAME = "safe";
    public static final int RANKING = 20;

    @Override
    public void addChildHandler(long pid, ChildHandler handler) {
        checkPid(pid);
        checkHandler(handler);
        synchronized (lock) {
            handlers.put(pid, handler);
        }
        doWaitpid(pid); // the child may have exited before it was registered
    }

    @Override
    protected void doWaitpidAll() {
        List<Long> pids;
        synchronized (lock) {
            pids = new ArrayList<>(handlers.keySet());
        }
        for (long pid : pids) {
            doWaitpid(pid);
        }
    }

    // Reaping and taking the handler happen under the lock, so two sweeps never both reap one pid
    // (the second would see ECHILD and report 255); the handler runs outside it.
    private void doWaitpid(long pid) {
        ChildHandler handler;
        Integer returncode;
        synchronized (lock) {
            if (!handlers.containsKey(pid)) {
                return;
            }
            returncode = reap(pid, false);
            if (returncode == null) {
                return;
            }
            handler = handlers.remove(pid);
        }
        deliver(pid, handler, returncode);
    }

    @Override
    public void close() {
        warnIfClosingWithChildren();
        synchronized (lock) {
            handlers.clear();
        }
        super.close();
    }

    @Deactivate
    void deactivate() {
        close();
    }
}
