package dev.loopkit.runtime;

import dev.loopkit.api.ChildHandler;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The hand-over protocol under any order of what happens around it: watchers registered, taken away
 * and chosen explicitly, children spawned, the main context's loop replaced, and the registry's
 * notifications (each a switch that waits for the spawn gate on the thread that changed the
 * registry) delivered late and in any order, as threads that reach the gate in another order do.
 * The switch alone, with fake watchers; the real ones are in the watcher tests.
 *
 * <p>What must hold whatever the order:
 * <ul>
 * <li>a watcher that reaps others' children (the fast watcher's {@code waitpid(-1)}) is never
 * attached while any other watcher still holds a child: it would take that child's exit;</li>
 * <li>a watcher retired (its service went away) holds no child once {@code retire} returns, since
 * it closes then;</li>
 * <li>once every notification is delivered, every child spawned is held exactly once, by the
 * current watcher (the orphanage when there is none), and the current watcher is attached to the
 * main context's loop.</li>
 * </ul>
 */
public class ChildWatcherSwitchProperties {

    /** One thing that happens; {@code watcher} indexes the fakes, {@code order} picks a pending notification. */
    record Step(String what, int watcher, int ranking, int order) {
        @Override
        public String toString() {
            return what + (what.equals("deliver") || what.equals("exit") ? " #" + order
                    : what.equals("spawn") || what.contains("main loop") ? "" : " w" + watcher)
                    + (what.equals("register") ? "@" + ranking : "");
        }
    }

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> step = Arbitraries.of("register", "unregister", "explicit", "no explicit", "spawn", "exit", "main loop",
                        "no main loop", "deliver", "deliver", "deliver")
                .flatMap(what -> Arbitraries.integers().between(0, WATCHERS - 1).tuple3()
                        .map(t -> new Step(what, t.get1(), t.get2() * 10, t.get3())));
        return step.list().ofMaxSize(25);
    }

    private static final int WATCHERS = 4;

    @Property(tries = 3000)
    void noExitIsTakenByAWatcherThatDoesNotHoldItAndEveryChildEndsInTheCurrentWatcher(@ForAll("histories") List<Step> history) {
        new World().play(history);
    }

    /** The registry, the switch and fakes wired as {@link ProcessWide} wires them, with notifications held back. */
    private static final class World {
        final RankedRegistry<ChildWatcher> watchers = new RankedRegistry<>(ChildWatcher.class, "child watcher", null);
        EventLoop mainLoop;
        final ChildWatcherSwitch watcherSwitch = new ChildWatcherSwitch(new SpawnGate(), watchers, () -> mainLoop);
        final List<Fake> fakes = new ArrayList<>();
        /** Switches waiting for the gate: a registry notification (reconcile) or a retire, each with its watcher. */
        final List<Runnable> pending = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        final List<String> played = new ArrayList<>();
        long pids;
        int loops;

        World() {
            watchers.attachExternalSource("test");
            watchers.addListener((previous, current) ->
                    pending.add(() -> watcherSwitch.reconcile(previous, "the current child watcher changed")));
            for (int i = 0; i < WATCHERS; i++) {
                // the last one reaps others' children, as the fast watcher does
                fakes.add(new Fake("w" + i, i == WATCHERS - 1, this));
            }
        }

        void play(List<Step> history) {
            for (Step step : history) {
                played.add(step.toString());
                Fake fake = fakes.get(step.watcher());
                switch (step.what()) {
                    case "register" -> {
                        // a watcher whose service went away closes: a new one comes, never the same again
                        if (!fake.leaving && watchers.entryOf(fake).isEmpty()) {
                            watchers.register(fake, fake.name, step.ranking(), ++pids + 1000, "test");
                        }
                    }
                    case "unregister" -> {
                        // the service goes away: out of the registry now, its retire (then close) on that thread, later
                        if (watchers.entryOf(fake).isPresent()) {
                            watchers.unregister(fake);
                            fake.leaving = true;
                            pending.add(() -> retire(fake));
                        }
                    }
                    case "explicit" -> {
                        if (!fake.leaving) {
                            watchers.setExplicit(fake);
                        }
                    }
                    case "no explicit" -> watchers.setExplicit(null);
                    case "spawn" -> spawn();
                    case "main loop" -> watcherSwitch.attachMainContextLoop(mainLoop = loop("main " + ++loops));
                    case "no main loop" -> watcherSwitch.attachMainContextLoop(mainLoop = null);
                    case "exit" -> exit(step.order());
                    case "deliver" -> {
                        if (!pending.isEmpty()) {
                            pending.remove(step.order() % pending.size()).run();
                        }
                    }
                    default -> throw new IllegalArgumentException(step.what());
                }
                check();
            }
            while (!pending.isEmpty()) {
                pending.remove(0).run();
                check();
            }
            settled();
        }

        // A loop's spawn: the current watcher looked up, then the child registered under the gate.
        private void spawn() {
            long pid = ++pids;
            watcherSwitch.spawn(watchers::current, watcher -> {
                if (watcher != null) {
                    watcher.addChildHandler(pid, (p, returncode) -> { });
                }
                return null;
            });
        }

        // A child exits and the watcher holding it reaps it: it leaves that watcher's table.
        private void exit(int which) {
            List<Long> alive = new ArrayList<>();
            fakes.forEach(fake -> alive.addAll(fake.children.keySet()));
            if (!alive.isEmpty()) {
                long pid = alive.get(which % alive.size());
                fakes.forEach(fake -> fake.children.remove(pid));
            }
        }

        private void retire(Fake fake) {
            watcherSwitch.retire(fake, "a child watcher left with children");
            if (!fake.children.isEmpty()) {
                violations.add(fake.name + " retired still holding " + fake.children.keySet());
            }
            fake.retired = true;
        }

        private void check() {
            if (!violations.isEmpty()) {
                throw new AssertionError(violations + " after " + played);
            }
        }

        private void settled() {
            ChildWatcher current = watchers.current();
            Map<Long, String> holders = new HashMap<>();
            for (Fake fake : fakes) {
                fake.children.keySet().forEach(pid -> {
                    if (holders.put(pid, fake.name) != null) {
                        violations.add("pid " + pid + " held twice");
                    }
                });
                if (fake != current && !fake.children.isEmpty()) {
                    violations.add(fake.name + " is not current and holds " + fake.children.keySet());
                }
            }
            Map<Long, ChildHandler> orphans = watcherSwitch.orphans();
            if (current != null && !orphans.isEmpty()) {
                violations.add("orphans " + orphans.keySet() + " with a current watcher");
            }
            if (current instanceof Fake fake && mainLoop != null && fake.attached != mainLoop) {
                violations.add(fake.name + " is current but attached to " + fake.attached + ", not " + mainLoop);
            }
            check();
        }

        private static EventLoop loop(String name) {
            return (EventLoop) Proxy.newProxyInstance(World.class.getClassLoader(), new Class<?>[] {EventLoop.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "isClosed" -> false;
                        case "toString" -> name;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        /** Whether any other fake, or the orphanage, holds a child now. */
        String othersHolding(Fake attaching) {
            List<String> holding = new ArrayList<>();
            for (Fake fake : fakes) {
                if (fake != attaching && !fake.children.isEmpty()) {
                    holding.add(fake.name + fake.children.keySet());
                }
            }
            if (!watcherSwitch.orphans().isEmpty()) {
                holding.add("orphanage" + watcherSwitch.orphans().keySet());
            }
            return holding.isEmpty() ? null : String.join(", ", holding);
        }
    }

    /** A watcher that keeps its table and its attached loop, and checks the rule of attaching a reaper. */
    private static final class Fake implements ChildWatcher {
        final String name;
        final boolean reapsOthers;
        final World world;
        final Map<Long, ChildHandler> children = new HashMap<>();
        EventLoop attached;
        /** Its service went away: its retire waits for the gate, then it closes. */
        boolean leaving;
        boolean retired;

        Fake(String name, boolean reapsOthers, World world) {
            this.name = name;
            this.reapsOthers = reapsOthers;
            this.world = world;
        }

        @Override
        public void addChildHandler(long pid, ChildHandler handler) {
            if (retired) {
                world.violations.add("pid " + pid + " registered with " + name + " after it was retired (closed)");
            }
            children.put(pid, handler);
        }

        @Override
        public boolean removeChildHandler(long pid) {
            return children.remove(pid) != null;
        }

        @Override
        public void attachLoop(EventLoop loop) {
            if (loop != null && reapsOthers) {
                String others = world.othersHolding(this);
                if (others != null) {
                    world.violations.add(name + " (reaps others' children) attached to " + loop + " while " + others
                            + " held children");
                }
            }
            attached = loop;
        }

        @Override
        public boolean isActive() {
            return attached != null;
        }

        @Override
        public boolean reapsOthersChildren() {
            return reapsOthers;
        }

        @Override
        public Map<Long, ChildHandler> children() {
            return Map.copyOf(children);
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
