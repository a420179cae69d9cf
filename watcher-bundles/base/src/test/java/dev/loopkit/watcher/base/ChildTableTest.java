package dev.loopkit.watcher.base;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.posix.Posix;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.SpawnSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.Test;

/**
 * The table with real children (posix_spawn, waitpid) and handlers of the test's own: exits are
 * delivered once, and outside the table's lock, so that a handler may use the table (or the watcher
 * built on it) from any thread.
 */
public class ChildTableTest {

    private static final Posix POSIX = Posix.get();

    private final ChildTable<Child> table = new ChildTable<>(ChildWatcher.class);

    // A child that has exited with `code` and is still unreaped (waitid WNOWAIT).
    private static long exitedChild(int code) throws PosixException {
        long pid = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "exit " + code));
        POSIX.waitid(pid, false, true);
        return pid;
    }

    /**
     * The handler runs {@code use} on another thread and waits for it: had the table delivered under
     * its lock, that thread would block on the lock the handler's thread holds, and the handler
     * would wait for it forever (the join's timeout reports it).
     */
    private void assertHandlerMayUseTheTable(Consumer<ChildTable<Child>> use) throws Exception {
        long pid = exitedChild(7);
        CompletableFuture<Integer> delivered = new CompletableFuture<>();
        ChildHandler handler = (p, returncode) -> {
            Thread other = new Thread(() -> use.accept(table), "table-user");
            other.start();
            try {
                other.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (other.isAlive()) {
                delivered.completeExceptionally(new AssertionError("the table's lock was held while the handler ran"));
            } else {
                delivered.complete(returncode);
            }
        };
        table.put(new Child(pid, handler, null));
        table.waitpidAndDeliver(pid);
        assertEquals(Integer.valueOf(7), delivered.get(30, TimeUnit.SECONDS));
    }

    @Test
    public void aHandlerMayAddAChild() throws Exception {
        long other = POSIX.spawn(SpawnSpec.of("/bin/true"));
        assertHandlerMayUseTheTable(t -> t.put(new Child(other, (p, c) -> { }, null)));
        assertEquals(List.of(other), new ArrayList<>(table.children().keySet()));
        table.close();
        POSIX.waitpid(other, false);
    }

    @Test
    public void aHandlerMayRemoveReadAndTakeTheChildren() throws Exception {
        assertHandlerMayUseTheTable(t -> {
            t.remove(12345);
            t.children();
            t.isEmpty();
            t.takeAll();
        });
    }

    @Test
    public void aHandlerMaySweepAndCloseTheTable() throws Exception {
        assertHandlerMayUseTheTable(t -> {
            t.waitpidAndDeliverAll();
            t.close();
        });
    }

    @Test
    public void aSweepDeliversEachExitOnceAndLeavesRunningChildren() throws Exception {
        long first = exitedChild(3);
        long second = exitedChild(4);
        long running = POSIX.spawn(SpawnSpec.of("/bin/sh", "-c", "sleep 30"));
        List<String> deliveries = new ArrayList<>();
        ChildHandler record = (pid, returncode) -> deliveries.add(pid + ":" + returncode);
        for (long pid : new long[] {first, second, running}) {
            table.put(new Child(pid, record, null));
        }
        table.waitpidAndDeliverAll();
        table.waitpidAndDeliverAll();
        deliveries.sort(null);
        List<String> expected = new ArrayList<>(List.of(first + ":3", second + ":4"));
        expected.sort(null);
        assertEquals(expected, deliveries);
        assertEquals(Map.of(running, record), table.children());
        POSIX.kill(running, 9);
        POSIX.waitid(running, false, true);
        table.waitpidAndDeliverAll();
        assertTrue(deliveries.contains(running + ":-9"));
        assertTrue(table.isEmpty());
    }

    @Test
    public void aChildTakenByTheHandOverIsNotReapedAfter() throws Exception {
        long pid = exitedChild(5);
        AtomicInteger calls = new AtomicInteger();
        table.put(new Child(pid, (p, c) -> calls.incrementAndGet(), null));
        assertEquals(1, table.takeAll().size());
        table.waitpidAndDeliver(pid);
        assertEquals(0, calls.get());
        assertEquals("still unreaped: the successor's to take", 5, POSIX.waitpid(pid, false).returncode());
    }

    @Test
    public void aReapOnlyTakesTheChildItWasAskedFor() throws Exception {
        Child first = new Child(42, (p, c) -> { }, null);
        Child replacement = new Child(42, (p, c) -> { }, null);
        table.put(first);
        assertEquals(first, table.put(replacement));
        assertNull("replaced", table.reap(first, child -> 0));
        assertEquals(replacement, table.reap(replacement, child -> 0).child());
        assertTrue(table.isEmpty());
    }
}
