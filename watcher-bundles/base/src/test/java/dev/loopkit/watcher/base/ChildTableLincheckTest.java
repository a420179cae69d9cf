package dev.loopkit.watcher.base;

import dev.loopkit.api.ChildWatcher;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.junit.Test;

/**
 * Lincheck's model checker against the {@link ChildTable}: children register, exit, are reaped (as
 * a SIGCHLD sweep does: a reaper that consumes the exit, as {@code waitpid} does) and are taken by a
 * hand-over, in every interleaving of two threads. Run one at a time the operations never reap a
 * child twice, nor reap one a hand-over took, nor hand over one already reaped; each operation
 * returns what it got, so any interleaving where a child is delivered twice, or delivered and handed
 * over, is not linearizable and is reported.
 *
 * <p>Short by default; {@code -Dlincheck.scale=20} for a long run.
 */
@Param(name = "pid", gen = IntGen.class, conf = "1:2")
public class ChildTableLincheckTest {

    private static final int SCALE = Integer.getInteger("lincheck.scale", 1);

    // Every class the operations use is loaded before the checker runs: class loading during the
    // first interleaving and not the next is what Lincheck reports as non-determinism.
    static {
        ChildTableLincheckTest warm = new ChildTableLincheckTest();
        warm.register(1);
        warm.exit(1);
        warm.reap(1);
        warm.register(2);
        warm.remove(2);
        warm.register(2);
        warm.handOver();
    }

    private final ChildTable<Child> table = new ChildTable<>(ChildWatcher.class);
    /** The exits the kernel holds for us: a reap takes one, once. */
    private final Set<Integer> exited = ConcurrentHashMap.newKeySet();

    @Operation
    public void register(@Param(name = "pid") int pid) {
        table.put(new Child(pid, (p, code) -> { }, null));
    }

    @Operation
    public void exit(@Param(name = "pid") int pid) {
        exited.add(pid);
    }

    /** The pid reaped and delivered, or 0. */
    @Operation
    public int reap(@Param(name = "pid") int pid) {
        ChildTable.Reaped<Child> reaped = table.reap(pid, child -> exited.remove((int) child.pid()) ? 0 : null);
        return reaped == null ? 0 : (int) reaped.child().pid();
    }

    /** The pids handed over. */
    @Operation
    public List<Long> handOver() {
        return table.takeAll().stream().map(Child::pid).toList();
    }

    @Operation
    public boolean remove(@Param(name = "pid") int pid) {
        return table.remove(pid) != null;
    }

    @Test
    public void eachChildIsReapedOrHandedOverExactlyOnce() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(5 * SCALE)
                .invocationsPerIteration(100)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1);
        new LinChecker(ChildTableLincheckTest.class, options).check();
    }
}
