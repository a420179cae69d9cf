package dev.loopkit.watcher.safe;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.watcher.base.AbstractChildWatcher;
import dev.loopkit.watcher.base.Child;
import dev.loopkit.watcher.base.ChildTable;
import dev.loopkit.watcher.base.SigchldThroughLoop;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * asyncio's {@code SafeChildWatcher}: on every SIGCHLD (through the attached loop) it calls
 * {@code waitpid(pid, WNOHANG)} for each registered child, so it never reaps another's child, at
 * O(n) per signal. A child registered after it died is caught at once. Handlers run on the loop's
 * thread (or the registering thread, for a child that already exited).
 */
@Component(service = ChildWatcher.class, immediate = true)
@ServiceRanking(SafeChildWatcher.RANKING)
@LoopkitName(SafeChildWatcher.NAME)
public class SafeChildWatcher extends AbstractChildWatcher {

    public static final String NAME = "safe";
    public static final int RANKING = 20;

    private final ChildTable<Child> table = new ChildTable<>(getClass());
    private final SigchldThroughLoop sigchld = new SigchldThroughLoop(table, table::waitpidAndDeliverAll, log);

    @Override
    public void addChildHandler(long pid, ChildHandler handler) {
        table.put(new Child(pid, handler, null));
        table.waitpidAndDeliver(pid); // the child may have exited before it was registered
    }

    @Override
    public boolean removeChildHandler(long pid) {
        return table.remove(pid) != null;
    }

    @Override
    public Map<Long, ChildHandler> children() {
        return table.children();
    }

    @Override
    public void attachLoop(EventLoop loop) {
        sigchld.attach(loop);
    }

    @Override
    public boolean isActive() {
        return sigchld.isActive();
    }

    @Override
    public String inactiveReason() {
        return sigchld.inactiveReason();
    }

    @Override
    public void close() {
        table.close();
        sigchld.attach(null);
    }
}
