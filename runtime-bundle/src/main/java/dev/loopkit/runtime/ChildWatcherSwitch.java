package dev.loopkit.runtime;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopkitRuntime.Spawn;
import dev.loopkit.api.SpawnScope;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Replaces one child watcher with another while children run, so that no exit is lost and none is
 * delivered twice (the hand-over protocol, docs/HANDOVER.md):
 *
 * <ol>
 * <li>Spawning stops: a loop holds the {@linkplain #spawnGate() spawn gate} from spawning its child
 * to registering it, and a switch waits for every such spawn to finish, so no child is registered
 * with the old watcher after its children were counted.</li>
 * <li>Inside the new watcher's spawn scope (the fast watcher keeps what it reaps before it knows the
 * pid), the new watcher is attached to the main loop first: from now on it sees every exit.</li>
 * <li>The old watcher hands its children over ({@link ChildWatcher#handOverChildren}): each leaves
 * the old one before it joins the new one, and each watcher reaps only children it holds (the fast
 * watcher stops reaping before it gives them away), so an exit is reaped once, by one of them. A
 * child that exits in the gap is a zombie until the new watcher, registering it, reaps it. A new
 * watcher that reaps others' children too ({@link ChildWatcher#reapsOthersChildren()}, the fast
 * one) is attached only after it holds them: attached earlier it could take an exit the old watcher
 * is about to reap.</li>
 * <li>The old watcher is detached.</li>
 * </ol>
 *
 * With no new watcher the children wait in an orphanage, unreaped, and go to the next watcher that
 * comes.
 */
public final class ChildWatcherSwitch {

    /** Told what each hand-over did, once the spawn gate is open again (for monitoring: JFR, JMX). */
    @FunctionalInterface
    public interface HandOverListener {
        /**
         * @param from the watcher the hand-over was started for (the previous current one, or one
         *        leaving with children); {@code null} when none
         * @param to the watcher that holds the children now; {@code null} for the orphanage
         * @param moved how many children changed hands
         * @param reason why the hand-over ran
         */
        void handedOver(ChildWatcher from, ChildWatcher to, int moved, String reason);
    }

    private static final System.Logger LOG = System.getLogger("dev.loopkit.runtime.registry");

    private final SpawnGate spawnGate;
    private final RankedRegistry<ChildWatcher> watchers;
    private final Supplier<EventLoop> mainLoop;
    private final Orphanage orphans = new Orphanage();
    /**
     * Every watcher the registry has shown or made current (an explicit choice is not among its
     * entries), and every watcher a spawn registered a child with, held weakly: one that left the
     * registry may still hold children until its own notification is handled, and another thread's
     * switch must take them. Spawns add to it under the gate's shared side, several at once.
     */
    private final Set<ChildWatcher> known = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final List<HandOverListener> listeners = new CopyOnWriteArrayList<>();
    /**
     * The watcher the last switch gave every child to and attached, with the registry's change it
     * switched for; written under the gate. The registry shows a new choice before its switch has run,
     * and that watcher is not attached yet: a spawn must not be handed it (SpawnsDuringASwitchTest).
     */
    private volatile Settled settled;
    /** Hand-overs begun, a switch nested in another included; under the gate's exclusive side. */
    private long handOvers;
    /** Rounds of one switch whose watchers' own code keeps changing the choice, before it gives up. */
    private static final int MAX_ROUNDS = 8;

    /** @param watcher {@code null}: the orphanage */
    private record Settled(ChildWatcher watcher, long change) {
    }

    /**
     * @param spawnGate the gate every loop spawns through
     * @param watchers the registry whose current watcher receives every child
     * @param mainLoop the main context's loop, which the current watcher is attached to ({@code null} when none runs)
     */
    public ChildWatcherSwitch(SpawnGate spawnGate, RankedRegistry<ChildWatcher> watchers, Supplier<EventLoop> mainLoop) {
        this.spawnGate = Objects.requireNonNull(spawnGate, "spawnGate");
        this.watchers = Objects.requireNonNull(watchers, "watchers");
        this.mainLoop = Objects.requireNonNull(mainLoop, "mainLoop");
    }

    /**
     * The watcher spawns register children with: the registry's choice, but while the switch to that
     * choice is on its way, the one the last switch handed every child to and attached. A spawn that
     * looked it up then finds the switch done under the gate and looks again. Once the switch has run,
     * failed or not, and whatever the registry forgot meanwhile, the choice is the answer ({@code null}:
     * none): a failed switch or a reset registry left a closed watcher answered (a second review).
     */
    public ChildWatcher inUse() {
        ChildWatcher chosen = watchers.current(); // first: outside OSGi it may find the watchers, and switch
        Settled last = settled;
        boolean switchOnItsWay = last != null && last.change() != watchers.changeCount();
        return switchOnItsWay && last.watcher() != null ? last.watcher() : chosen;
    }

    /** The spawn gate every loop spawns through and every switch takes alone. */
    public SpawnGate spawnGate() {
        return spawnGate;
    }

    /**
     * A loop's spawn through the {@linkplain #spawnGate() gate}, its watcher remembered: a watcher
     * made current and given a child before any switch saw it (the switch that would have waits for
     * the gate on another thread) must still be emptied by whichever switch runs first, or the fast
     * watcher attached by that switch could take the child's exit (ChildWatcherSwitchProperties).
     */
    public <W, T, E extends Exception> T spawn(Supplier<W> lookup, Spawn<? super W, T, E> spawn) throws E {
        return spawnGate.spawn(lookup, watcher -> {
            if (watcher instanceof ChildWatcher childWatcher) {
                known.add(childWatcher);
            }
            return spawn.spawnWith(watcher);
        });
    }

    /**
     * Whether this thread is handing children from one watcher to another: the new watcher's
     * {@code addChildHandler} is then called outside any running loop (asyncio would refuse that),
     * for children whose handlers already pass the exit on to their own loop.
     */
    public boolean handingOverInThisThread() {
        return spawnGate.switchingInThisThread();
    }

    /**
     * Gives every child to the registry's current watcher (the orphanage if there is none): from
     * {@code previous} (which may have left the registry already), from any other watcher the
     * registry ever showed that still holds children, and from the orphanage. Services come and go
     * on several threads (SCR enables components on its own), so the registry's notifications may
     * arrive out of order: this looks at what is, not at what a notification said, and any order of
     * calls ends with every child in the current watcher.
     */
    public void reconcile(ChildWatcher previous, String reason) {
        HandOver handOver = new HandOver(previous, true);
        spawnGate.switchWatchers(() -> handOverToCurrent(previous, handOver, mainLoop.get()));
        // logged once the gate is open again: a log handler may block, and every spawn waits meanwhile
        handOver.log(reason);
    }

    /**
     * Waits for every spawn under the gate, then gives whatever children {@code leaving} holds to the
     * registry's current watcher (as {@link #reconcile} would); once {@code leaving} is out of the
     * registry, no spawn registers a child with it after this returns (one that looked it up before
     * looks again), so it may close. A spawn may be registering a child with a watcher that is no
     * longer current: it looked the watcher up, then another thread made another one current, and
     * that thread's switch waits for the spawn. Checking the watcher's children without the gate
     * would find none yet, and the watcher would close under the spawn.
     */
    public void retire(ChildWatcher leaving, String reason) {
        HandOver handOver = new HandOver(leaving, false);
        handOver.leaving = leaving;
        spawnGate.switchWatchers(() -> {
            if (!leaving.children().isEmpty()) {
                handOverToCurrent(leaving, handOver, mainLoop.get());
            }
        });
        if (handOver.to != null) {
            handOver.log(reason);
        }
    }

    /**
     * asyncio's {@code attach_loop} from {@code set_event_loop} in the main context: attaches the
     * current watcher to {@code loop} ({@code null}: detaches it), under the spawn gate as a switch.
     * Outside the gate the main context could attach a watcher the registry has just made current
     * while the switch that gives it the children still waits for the gate: the fast watcher's
     * {@code waitpid(-1)} would then reap children another watcher holds (their exits lost, or
     * reported as 255 by the holder), and a watcher read before a switch would be attached after it.
     * So this is a switch too: every child goes to the current watcher first, which is then attached
     * in the switch's order.
     */
    public void attachMainContextLoop(EventLoop loop) {
        HandOver handOver = new HandOver(null, false);
        spawnGate.switchWatchers(() -> {
            ChildWatcher to = handOverToCurrent(null, handOver, loop);
            if (loop == null && to != orphans) {
                attach(to, null, handOver);
            }
        });
        handOver.log("the main context's loop was set");
    }

    /**
     * Under the gate: every child to the registry's current watcher (the orphanage if none), which is
     * attached to loop (none if null); returns that watcher.
     *
     * <p>A watcher's own code may change the choice while a switch calls it ({@code attachLoop},
     * {@code handOverChildren}: it registers another watcher). The registry's listener then runs a
     * switch inside this one, on this thread (the gate is reentrant for it, and no other thread can
     * switch meanwhile), which gives the children to the newer choice; what this switch does after it
     * may give some back to the older one, and left that one answered by {@link #inUse} (an outside
     * review's probe: every later spawn met a closed watcher). So a round in which another switch
     * ran is followed by one more, to what is current then. asyncio's {@code set_child_watcher} from
     * such code leaves the watcher set last in use; so does this.
     */
    private ChildWatcher handOverToCurrent(ChildWatcher previous, HandOver handOver, EventLoop loop) {
        for (int round = 1; ; round++) {
            long mine = ++handOvers;
            ChildWatcher to = handOverOnce(previous, handOver, loop, mine);
            if (handOvers == mine) {
                return to;
            }
            if (round == MAX_ROUNDS) {
                handOver.refused("the choice of child watcher changed during each of " + MAX_ROUNDS + " hand-overs in a row"
                        + " (a watcher's own code changes it when it is attached or hands its children over); the last"
                        + " gave them to " + describe(to), null);
                return to;
            }
        }
    }

    // One hand-over to the current watcher; what it settled on is left to a switch nested in it, if one ran.
    private ChildWatcher handOverOnce(ChildWatcher previous, HandOver handOver, EventLoop loop, long mine) {
        long change = watchers.changeCount(); // before the choice: a later change makes its own switch
        ChildWatcher current = watchers.current();
        ChildWatcher to = current != null ? current : orphans;
        if (previous != null) {
            known.add(previous);
        }
        if (current != null) {
            // an explicit choice is current without being among the entries: once another is current,
            // only this remembers that it may still hold children
            known.add(current);
        }
        watchers.entries().forEach(e -> known.add(e.service()));
        Set<ChildWatcher> from = Collections.newSetFromMap(new IdentityHashMap<>());
        synchronized (known) {
            from.addAll(known);
        }
        from.add(orphans);
        from.remove(to);
        try {
            switchTo(to, new ArrayList<>(from), handOver, loop);
        } finally {
            if (handOvers == mine) {
                settled = new Settled(current, change);
            }
        }
        return to;
    }

    private void switchTo(ChildWatcher to, List<ChildWatcher> from, HandOver handOver, EventLoop mainLoop) {
        handOver.to = to;
        if (mainLoop == null && to != orphans && !to.isActive()) {
            // No main loop to attach it to, and it needs one (the safe, fast and multiloop watchers' SIGCHLD
            // handler): it would hold the children unreaped, zombies for good. They stay with the watcher
            // that delivers their exits, and move when a main loop is set; only a leaving watcher's go now.
            String reason = to.inactiveReason();
            from = from.stream().filter(source -> {
                if (source == handOver.leaving || childrenOf(source, handOver).isEmpty()) {
                    return true;
                }
                for (long pid : childrenOf(source, handOver).keySet()) {
                    handOver.refused(describe(to) + " refused child " + pid + "; it stays with " + describe(source) + " ("
                            + describe(to) + " is not active: " + reason + "; and no main loop is set to attach it to)", null);
                }
                return false;
            }).toList();
        }
        for (ChildWatcher source : from) {
            handOver.moved += childrenOf(source, handOver).size();
        }
        try (SpawnScope scope = to.enterSpawn()) {
            boolean attachFirst = !to.reapsOthersChildren();
            if (attachFirst && mainLoop != null) {
                attach(to, mainLoop, handOver);
            }
            // the children move even if attaching failed: a watcher must never be left holding
            // children it is about to lose when its bundle stops
            for (ChildWatcher source : from) {
                if (source != to && !childrenOf(source, handOver).isEmpty()) {
                    try {
                        source.handOverChildren(new Successor(to, source, handOver));
                    } catch (RuntimeException e) {
                        handOver.failed(source, "handing the children of", " over", e, Level.WARNING);
                    }
                }
            }
            if (!attachFirst && mainLoop != null) {
                attach(to, mainLoop, handOver);
            }
        }
        for (ChildWatcher source : from) {
            // one that took refused children back keeps its loop, to deliver their exits
            if (source != orphans && source != to && childrenOf(source, handOver).isEmpty()) {
                detach(source, handOver);
            }
        }
    }

    /**
     * What a source hands its children to: the new watcher, and for a child it refuses (it is closed,
     * or it is the pidfd watcher and the switch has no loop for it) the source again, or the orphanage
     * if the source refuses too. Never nobody: a refused child used to be in no watcher, its exit never
     * delivered and the child left a zombie (ChildrenNeverLostTest).
     */
    final class Successor implements ChildWatcher {
        private final ChildWatcher to;
        private final ChildWatcher source;
        private final HandOver handOver;

        Successor(ChildWatcher to, ChildWatcher source, HandOver handOver) {
            this.to = to;
            this.source = source;
            this.handOver = handOver;
        }

        @Override
        public void addChildHandler(long pid, ChildHandler handler) {
            try {
                to.addChildHandler(pid, handler);
                return;
            } catch (RuntimeException refused) {
                handOver.moved--; // counted before the hand-over; it did not move to the new watcher
                handOver.refused(describe(to) + " refused child " + pid + "; it stays with " + describe(source), refused);
            }
            // in the source's own spawn scope: the fast watcher takes a child only inside one
            try (SpawnScope back = source.enterSpawn()) {
                source.addChildHandler(pid, handler);
            } catch (RuntimeException alsoRefused) {
                handOver.refused(describe(source) + " refused child " + pid + " back; it waits in the orphanage for the"
                        + " next watcher", alsoRefused);
                orphans.addChildHandler(pid, handler);
            }
        }

        /** The new watcher behind it. */
        ChildWatcher target() {
            return to;
        }

        @Override
        public boolean removeChildHandler(long pid) {
            return to.removeChildHandler(pid);
        }

        @Override
        public void attachLoop(EventLoop loop) {
            to.attachLoop(loop);
        }

        @Override
        public boolean isActive() {
            return to.isActive();
        }

        @Override
        public Map<Long, ChildHandler> children() {
            return to.children();
        }

        @Override
        public void close() {
            to.close();
        }
    }

    // A watcher that fails to say what it holds (a third-party one, one closed under the switch) is
    // taken as holding nothing: it must not stop the hand-overs of the others (BrokenWatcherTest).
    private Map<Long, ChildHandler> childrenOf(ChildWatcher source, HandOver handOver) {
        try {
            return source.children();
        } catch (RuntimeException e) {
            handOver.failed(source, "listing the children of", "", e, Level.WARNING);
            return Map.of();
        }
    }

    // The main loop may be closing (its policy changed, its bundle stopping) at this very moment: the
    // main context then attaches the current watcher to the loop that replaces it, under the gate
    // (attachMainContextLoop), so a loop that closed before or during the attach is no failure.
    private void attach(ChildWatcher watcher, EventLoop loop, HandOver handOver) {
        if (loop != null && loop.isClosed()) {
            return;
        }
        try {
            watcher.attachLoop(loop);
        } catch (RuntimeException e) {
            handOver.failed(watcher, "attaching", " to " + loop, e, loop != null && loop.isClosed() ? Level.DEBUG : Level.WARNING);
        }
    }

    private void detach(ChildWatcher watcher, HandOver handOver) {
        try {
            watcher.detachLoop();
        } catch (RuntimeException e) {
            handOver.failed(watcher, "detaching", "", e, Level.WARNING);
        }
    }

    public void addHandOverListener(HandOverListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeHandOverListener(HandOverListener listener) {
        listeners.remove(listener);
    }

    /** What a switch did, told once the spawn gate is open again. */
    private final class HandOver {
        final ChildWatcher from;
        /** A watcher whose bundle stops ({@link #retire}): its children go, whatever the new watcher is. */
        ChildWatcher leaving;
        /** Whether listeners hear of it when no child moved: a watcher change, not a main loop's. */
        final boolean toldWhenNoneMoved;
        ChildWatcher to;
        int moved;
        private final List<Runnable> failures = new ArrayList<>();

        HandOver(ChildWatcher from, boolean toldWhenNoneMoved) {
            this.from = from;
            this.toldWhenNoneMoved = toldWhenNoneMoved;
        }

        void failed(ChildWatcher watcher, String what, String where, RuntimeException e, Level level) {
            failures.add(() -> LOG.log(level, what + " " + describe(watcher) + where + " failed", e));
        }

        void refused(String what, RuntimeException e) {
            failures.add(() -> LOG.log(Level.WARNING, what, e));
        }

        void log(String reason) {
            failures.forEach(Runnable::run);
            LOG.log(moved > 0 ? Level.INFO : Level.DEBUG, "child watcher hand-over to {0}: {1} children moved ({2})",
                    describe(to), Integer.toString(moved), reason);
            if (moved == 0 && !toldWhenNoneMoved) {
                return;
            }
            ChildWatcher holder = to == orphans ? null : to;
            for (HandOverListener listener : listeners) {
                try {
                    listener.handedOver(from, holder, moved, reason);
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "a hand-over listener failed", e);
                }
            }
        }
    }

    /**
     * Every watcher that may hold children: the registry's, the current one (an explicit choice is
     * not among the entries), and those seen before that may still keep some (a switch's refused ones).
     */
    Set<ChildWatcher> holders() {
        Set<ChildWatcher> holders = Collections.newSetFromMap(new IdentityHashMap<>());
        watchers.entries().forEach(e -> holders.add(e.service()));
        ChildWatcher current = watchers.current();
        if (current != null) {
            holders.add(current);
        }
        synchronized (known) {
            holders.addAll(known);
        }
        holders.remove(orphans);
        return holders;
    }

    /** Children waiting for a watcher, because none is installed. */
    public Map<Long, ChildHandler> orphans() {
        return this.orphans.children();
    }

    /**
     * Puts a child in the orphanage, where it waits for the next watcher: one an earlier runtime of
     * this process left waiting there (a refresh of the runtime bundle). Before any watcher is tracked.
     */
    public void adoptOrphan(long pid, ChildHandler handler) {
        orphans.addChildHandler(pid, handler);
    }

    String describe(ChildWatcher watcher) {
        if (watcher == null || watcher == orphans) {
            return "none";
        }
        String simpleName = watcher.getClass().getSimpleName(); // empty for an anonymous class
        return watchers.entryOf(watcher).map(e -> "'" + e.name() + "'")
                .orElse(simpleName.isEmpty() ? watcher.getClass().getName() : simpleName);
    }
}
