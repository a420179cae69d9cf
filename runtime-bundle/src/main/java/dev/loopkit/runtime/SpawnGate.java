package dev.loopkit.runtime;

import dev.loopkit.api.LoopkitRuntime.Spawn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The spawn gate: the one lock between loops registering children with a child watcher and a switch
 * of watchers moving children from one watcher to another. A spawn holds it shared from spawning to
 * {@code addChildHandler}, a switch holds it exclusively, so a child is never registered with a
 * watcher whose children a switch has already moved.
 *
 * <p>Nothing but the spawn itself and the watchers' own bookkeeping runs under it: no user code
 * (protocol factory, {@code connectionMade}, a future's callbacks), no policy code, no logging. A
 * writer waiting for the gate keeps new readers out, so anything under it that could wait for a
 * loop, a switch or a log handler would stop every loop's spawns, and a switch started from there
 * would wait for its own thread forever. asyncio has no such lock: it runs all of that user code
 * outside its {@code with watcher:} block. What a watcher would say or call under it (a warning, a
 * handler registered with it directly) it hands to {@link #outside}, which runs it once the thread
 * let go of the gate.
 *
 * <p>The watcher is therefore looked up <em>outside</em> the gate (a policy's
 * {@code getChildWatcher} is the policy's code, and a first look-up may load watchers through
 * {@link java.util.ServiceLoader} and switch to them) and validated inside it: a switch that
 * finished between the look-up and the gate makes the spawn look again. A switch that starts later
 * waits for the spawn and then moves its child, since switches move the children of every watcher
 * they have seen to the current one.
 */
public final class SpawnGate {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.runtime.registry");

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** What each thread put off while it held the gate ({@link #outside}), run once it let go. */
    private final ThreadLocal<List<Runnable>> putOff = new ThreadLocal<>();
    /** Switches done; written under the exclusive side, read before a look-up and under the shared side. */
    private volatile long switches;

    /**
     * Looks up the watcher with {@code lookup} (outside the gate), then runs {@code spawn} with it
     * under the gate's shared side, looking again if a switch finished meanwhile.
     */
    public <W, T, E extends Exception> T spawn(Supplier<W> lookup, Spawn<? super W, T, E> spawn) throws E {
        while (true) {
            long seen = switches;
            W watcher = lookup.get();
            lock.readLock().lock();
            try {
                if (switches == seen) {
                    return spawn.spawnWith(watcher);
                }
            } finally {
                lock.readLock().unlock();
                runPutOff();
            }
        }
    }

    /** Whether the calling thread is running a switch's hand-over. */
    public boolean switchingInThisThread() {
        return lock.isWriteLockedByCurrentThread();
    }

    /**
     * Runs {@code handOver} alone: it waits for the spawns under the gate, and spawns wait for it.
     *
     * @throws IllegalStateException when the calling thread is spawning: the switch would wait for
     *         its own thread forever
     */
    public void switchWatchers(Runnable handOver) {
        refuseASwitchWhileSpawning();
        lock.writeLock().lock();
        try {
            handOver.run();
        } finally {
            switches++;
            lock.writeLock().unlock();
            runPutOff();
        }
    }

    /**
     * Refuses a switch asked for on a thread that is spawning: it would wait for that thread's own spawn.
     *
     * @throws IllegalStateException when the calling thread holds the gate's shared side
     */
    public void refuseASwitchWhileSpawning() {
        if (lock.getReadHoldCount() > 0) {
            throw new IllegalStateException("a child watcher switch cannot run while this thread registers a child"
                    + " (from a child watcher's addChildHandler or enterSpawn): switch from a loop callback instead");
        }
    }

    /**
     * Runs {@code action} now, or, when this thread holds the gate, once it has let go of it: what
     * a watcher says or calls under the gate (a log handler, a child handler: user code) could wait
     * for a spawn or a switch on another thread, which waits for this one.
     */
    public void outside(Runnable action) {
        if (!heldByThisThread()) {
            action.run();
            return;
        }
        List<Runnable> actions = putOff.get();
        if (actions == null) {
            actions = new ArrayList<>();
            putOff.set(actions);
        }
        actions.add(action);
    }

    private boolean heldByThisThread() {
        return lock.getReadHoldCount() > 0 || lock.isWriteLockedByCurrentThread();
    }

    // Once this thread let go of the gate (a spawn under a spawn lets go of the inner one first).
    private void runPutOff() {
        List<Runnable> actions = putOff.get();
        if (actions == null || heldByThisThread()) {
            return;
        }
        putOff.remove();
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "what a child watcher put off until the spawn gate opened failed", e);
            }
        }
    }
}
