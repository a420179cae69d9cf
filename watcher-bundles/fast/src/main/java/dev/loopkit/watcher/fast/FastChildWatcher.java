package dev.loopkit.watcher.fast;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.RuntimeHook;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.posix.PosixException;
import dev.loopkit.posix.WaitStatus;
import dev.loopkit.watcher.base.AbstractChildWatcher;
import dev.loopkit.watcher.base.Child;
import dev.loopkit.watcher.base.ChildTable;
import dev.loopkit.watcher.base.OutsideSpawnGate;
import dev.loopkit.watcher.base.SigchldThroughLoop;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongPredicate;
import org.osgi.service.component.annotations.Component;

/**
 * asyncio's {@code FastChildWatcher}: on every SIGCHLD it reaps with {@code waitpid(-1, WNOHANG)}
 * until nothing is left, O(1) per exit. A child reaped before it is registered waits in a zombie
 * table, which is why spawning must happen inside {@link #enterSpawn()}.
 *
 * <p><b>Hazard (asyncio's, real in the JVM):</b> {@code waitpid(-1)} reaps every child of the
 * process, including those of {@link java.lang.ProcessBuilder}, whose {@code Process} then reports
 * exit code 0 instead of the real one, and those of native code, whose own {@code waitpid} then
 * fails with {@code ECHILD}. The JDK waits for each of its children in a thread blocked in
 * {@code waitpid(pid)}, which usually wins the race; a sweep that runs at the wrong moment takes
 * the exit all the same. Attaching logs a warning when such children are alive; a taken exit is
 * logged at WARNING with its pid, once: at once ("Caught subprocess termination from unknown pid")
 * or, when spawns were going on, as soon as none of them can claim it ("Caught subprocesses
 * termination from unknown pids"). Conversely, a registered child that
 * someone else reaps first is lost to this watcher: no handler is ever called for it, since
 * {@code waitpid(-1)} never names it (asyncio's behaviour). Use it only in a JVM where nothing else
 * starts or reaps processes.
 */
@Component(service = ChildWatcher.class, immediate = true)
@ServiceRanking(FastChildWatcher.RANKING)
@LoopkitName(FastChildWatcher.NAME)
public class FastChildWatcher extends AbstractChildWatcher {

    public static final String NAME = "fast";
    public static final int RANKING = 10;

    private final ChildTable<Child> table = new ChildTable<>(getClass());
    private final SigchldThroughLoop sigchld = new SigchldThroughLoop(table, this::doWaitpidAll, log);
    /**
     * asyncio's {@code _lock} for what is the fast watcher's own: taken before the table's, so that a
     * reap and the look-up of its handler, or a hand-over, happen as one.
     */
    private final Object lock = new Object();
    // Guarded by lock, as asyncio's _zombies and _forks; forks counts openScopes.
    private final Map<Long, Integer> zombies = new HashMap<>();
    private int forks;
    private boolean handingOver;
    /**
     * Guarded by lock: the spawn scopes open now, by number, and for each zombie the last scope
     * opened when it was reaped. A zombie can be the child of a scope open then, never of a later
     * one; once those have all closed unclaimed, it was somebody else's, and is warned about then,
     * even while later scopes keep {@code forks} above 0 (asyncio waits for 0, which steady
     * spawning from several loops may never reach).
     */
    private final TreeSet<Long> openScopes = new TreeSet<>();
    private final Map<Long, Long> lastScopeAtReap = new HashMap<>();
    private long scopesOpened;

    /** {@code waitpid(-1)} takes any child's exit. */
    @Override
    public boolean reapsOthersChildren() {
        return true;
    }

    @Override
    public SpawnScope enterSpawn() {
        long scope;
        synchronized (lock) {
            forks++;
            scope = ++scopesOpened;
            openScopes.add(scope);
        }
        return () -> exitSpawn(scope);
    }

    private void exitSpawn(long scope) {
        Map<Long, Integer> collateral;
        synchronized (lock) {
            if (!openScopes.remove(scope)) {
                return; // closed twice
            }
            forks--;
            long oldestOpen = openScopes.isEmpty() ? Long.MAX_VALUE : openScopes.first();
            collateral = takeZombies(lastScope -> lastScope < oldestOpen);
        }
        warnCollateral(collateral);
    }

    // Under the lock: the zombies whose last scope at reap passes the test, out of the tables.
    private Map<Long, Integer> takeZombies(LongPredicate lastScopeAtReapMatches) {
        Map<Long, Integer> taken = new TreeMap<>();
        zombies.entrySet().removeIf(zombie -> {
            if (!lastScopeAtReapMatches.test(lastScopeAtReap.get(zombie.getKey()))) {
                return false;
            }
            taken.put(zombie.getKey(), zombie.getValue());
            lastScopeAtReap.remove(zombie.getKey());
            return true;
        });
        return taken;
    }

    // asyncio's words; each pid is named once, when it is sure that no spawn of ours made it.
    private void warnCollateral(Map<Long, Integer> collateral) {
        if (!collateral.isEmpty()) {
            String pids = pythonDict(collateral);
            OutsideSpawnGate.run(() -> log.log(Level.WARNING, "Caught subprocesses termination from unknown pids: {0}", pids));
        }
    }

    // asyncio prints the dict: {1234: 3, 1235: 0}
    private static String pythonDict(Map<Long, Integer> pidsToReturncodes) {
        StringBuilder text = new StringBuilder("{");
        pidsToReturncodes.forEach((pid, returncode) ->
                text.append(text.length() > 1 ? ", " : "").append(pid).append(": ").append(returncode));
        return text.append('}').toString();
    }

    /** @throws IllegalStateException "Must use the context manager" outside {@link #enterSpawn()} */
    @Override
    public void addChildHandler(long pid, ChildHandler handler) {
        Child child = new Child(pid, handler, null);
        Integer returncode;
        synchronized (lock) {
            if (forks == 0) {
                throw new IllegalStateException("Must use the context manager: spawn and register inside enterSpawn()");
            }
            returncode = zombies.remove(pid);
            lastScopeAtReap.remove(pid);
            if (returncode == null) {
                if (RuntimeHook.get().handingOverInThisThread()) {
                    // a switch attaches the fast watcher after the hand-over (its waitpid(-1) must not
                    // take the children still on their way): closed before, it works again then
                    table.reopen();
                }
                table.put(child);
                if (!handingOver) {
                    return;
                }
            }
        }
        if (returncode == null) {
            // Given back in a switch (the new watcher refused it) after this watcher gave its children
            // away: no waitpid(-1) until attached again, which would take the others' exits, so this
            // child is reaped by its pid, as the safe watcher does, and it may have exited already.
            table.waitpidAndDeliver(pid);
            return;
        }
        table.deliver(child, returncode); // it died before it was registered
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
    public void attachLoop(EventLoop newLoop) {
        if (newLoop != null) {
            warnAboutForeignChildren();
            synchronized (lock) {
                handingOver = false; // reaping resumes only once attached again
            }
        }
        sigchld.attach(newLoop);
    }

    @Override
    public boolean isActive() {
        return sigchld.isActive();
    }

    @Override
    public String inactiveReason() {
        return sigchld.inactiveReason();
    }

    // Each reap and the lookup of its handler happen under the lock: a hand-over can never come
    // between them and take the handler of a child this sweep already reaped.
    private void doWaitpidAll() {
        while (true) {
            long pid;
            int returncode;
            Child child;
            synchronized (lock) {
                // Detached or giving its children away: a SIGCHLD callback still queued on the old loop
                // must not reap with waitpid(-1) the children another watcher holds now.
                if (sigchld.loop() == null) {
                    return;
                }
                if (handingOver) {
                    break; // only the children given back, if any, by their pids
                }
                WaitStatus status;
                try {
                    status = posix.waitpidAny(true);
                } catch (PosixException e) {
                    if ("ECHILD".equals(e.errnoName())) {
                        return; // no child at all
                    }
                    throw new IllegalStateException("waitpid(-1) failed: " + e.getMessage(), e);
                }
                if (status == null) {
                    return; // children left, none exited
                }
                pid = status.pid();
                returncode = status.returncode();
                child = table.remove(pid);
                if (child == null && forks > 0) {
                    zombies.put(pid, returncode); // spawned, not registered yet, or someone else's
                    lastScopeAtReap.put(pid, scopesOpened);
                    continue;
                }
            }
            if (child == null) {
                String unknown = Long.toString(pid);
                String code = Integer.toString(returncode);
                OutsideSpawnGate.run(() -> log.log(Level.WARNING, "Caught subprocess termination from unknown pid: {0} -> {1}",
                        unknown, code));
            } else {
                table.deliver(child, returncode);
            }
        }
        table.waitpidAndDeliverAll(); // as the safe watcher: never another watcher's child
    }

    /**
     * Stops reaping before giving the children away: {@code waitpid(-1)} would otherwise take an
     * exit meant for the successor (who would then wait forever). Children exiting meanwhile stay
     * zombies until the successor, already attached, reaps them.
     */
    @Override
    public void handOverChildren(ChildWatcher successor) {
        List<Child> moving;
        synchronized (lock) {
            handingOver = true;
            moving = table.takeAll();
        }
        moving.forEach(child -> successor.addChildHandler(child.pid(), child.handler()));
    }

    // waitpid(-1) silently steals the exit status of ProcessBuilder's children (measured: a tight
    // waitpid(-1) loop took 7 to 12 of 20 exits from the JDK's reaper thread). Children
    // any Loopkit watcher or the orphanage holds are not foreign: they are being handed over.
    private void warnAboutForeignChildren() {
        Set<Long> ours = new HashSet<>(children().keySet());
        ours.addAll(RuntimeHook.get().registeredChildren());
        List<Long> foreign = new ArrayList<>();
        ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .filter(pid -> !ours.contains(pid)).forEach(foreign::add);
        if (!foreign.isEmpty()) {
            OutsideSpawnGate.run(() -> log.log(Level.WARNING, "FastChildWatcher attached while the JVM has {0} child"
                    + " process(es) it did not register, pids {1}: its waitpid(-1) will reap them too, and a"
                    + " java.lang.Process among them will report exit code 0 instead of its real one",
                    String.valueOf(foreign.size()), foreign));
        }
    }

    /** Drops every child; the exits it took and no spawn claimed are warned about, as at the end of the spawns. */
    @Override
    public void close() {
        table.close();
        Map<Long, Integer> collateral;
        synchronized (lock) {
            collateral = takeZombies(lastScope -> true);
        }
        warnCollateral(collateral);
        sigchld.attach(null);
    }
}
