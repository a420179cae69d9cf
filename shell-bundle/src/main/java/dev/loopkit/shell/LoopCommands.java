package dev.loopkit.shell;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.platform.PlatformConfiguration;
import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.runtime.RankedRegistry.Choice;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.ProcessWide;
import java.io.PrintStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code loop:} shell commands do and print, whatever the shell: the Felix Gogo commands
 * of this bundle and the Karaf actions of {@code dev.loopkit.karaf} are thin front ends that
 * call these methods and print what they return. Help texts are constants, for Gogo's
 * {@code @Descriptor} and Karaf's {@code @Command} alike.
 *
 * <p>Every command that lists or switches one of the ranked registries ({@link ProcessWide}) works
 * the same way, through a {@link Topic}: a table of the entries with {@code *} on the current one,
 * a line saying which one is current and why, a switch that applies a name to the registry at once
 * and saves it in configuration {@value PlatformConfiguration#PID} under the topic's key, and a
 * reset.
 */
public final class LoopCommands {

    /** The shell scope of every command. */
    public static final String SCOPE = "loop";

    /** Help of {@code loop:policies}. */
    public static final String POLICIES = "list the event loop policies, best-ranked first, and which one is process-wide and why";
    /** Help of {@code loop:policy} without an argument. */
    public static final String POLICY_SHOW = "show the process-wide event loop policy and why it is the one";
    /** Help of {@code loop:policy <name>}. */
    public static final String POLICY_SET = "make a policy process-wide; the choice is saved in configuration " + PlatformConfiguration.PID;
    /** Help of {@code loop:policy}, both forms in one (for shells with one help text per command). */
    public static final String POLICY = "show the process-wide event loop policy and why it is the one; with a name, make that"
            + " policy process-wide and save the choice in configuration " + PlatformConfiguration.PID;
    /** Help of the name argument of {@code loop:policy}. */
    public static final String POLICY_NAME = "the policy's name, as listed by loop:policies";
    /** Help of {@code loop:reset-policy}. */
    public static final String RESET_POLICY = "forget the explicit and configured policy: the highest-ranked one becomes process-wide";
    /** Help of {@code loop:watchers}. */
    public static final String WATCHERS = "list the child watchers, best-ranked first: available or why not, which one is current"
            + " and why, the children each holds";
    /** Help of {@code loop:watcher} without an argument. */
    public static final String WATCHER_SHOW = "show the current child watcher and why it is the one";
    /** Help of {@code loop:watcher <name>}. */
    public static final String WATCHER_SET = "make a child watcher current (its children move to it); the choice is saved in"
            + " configuration " + PlatformConfiguration.PID;
    /** Help of {@code loop:watcher}, both forms in one. */
    public static final String WATCHER = "show the current child watcher and why it is the one; with a name, make that watcher"
            + " current (the children move to it) and save the choice in configuration " + PlatformConfiguration.PID;
    /** Help of the name argument of {@code loop:watcher}. */
    public static final String WATCHER_NAME = "the watcher's name, as listed by loop:watchers";
    /** Help of {@code loop:reset-watcher}. */
    public static final String RESET_WATCHER = "forget the explicit and configured child watcher: the highest-ranked one becomes current";
    /** Help of {@code loop:children}. */
    public static final String CHILDREN = "list the child processes each watcher holds, by pid";
    /** Help of {@code loop:loops}. */
    public static final String LOOPS = "list every live loop the loop factories made: thread, running, callbacks and timers"
            + " pending, descriptors watched, transports";
    /** Help of {@code loop:run}. */
    public static final String RUN = "run a program through a new loop of the process-wide policy and the current child watcher,"
            + " print its output as it comes, then its return code and how long it ran";
    /** Help of the arguments of {@code loop:run}. */
    public static final String RUN_ARGS = "the program and its arguments";

    /**
     * One ranked registry as the shell sees it.
     *
     * @param registry the registry listed and switched
     * @param key the property of configuration {@value PlatformConfiguration#PID} that names the configured choice
     * @param explicitHint what the status line says about an explicit choice: who sets it, how to clear it
     * @param whereFrom what the shell says when none is installed: the bundles the entries come with
     */
    public record Topic<S>(RankedRegistry<S> registry, String key, String explicitHint, String whereFrom) {
        public Topic {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(explicitHint, "explicitHint");
            Objects.requireNonNull(whereFrom, "whereFrom");
        }

        /** The known names for a refusal; with none, where they come from. */
        String known() {
            return registry.entries().isEmpty() ? "none is installed: " + whereFrom : registry.knownNames();
        }
    }

    /**
     * The process-wide event loop policy: configuration key {@code policy}. The policies stop with the
     * loop bundles (dev.loopkit.policy's own need the selector's and the proactor's), so those are
     * what to start.
     */
    public static final Topic<EventLoopPolicy> POLICY_TOPIC = new Topic<>(ProcessWide.get().policies(), "policy",
            "set by Asyncio.setEventLoopPolicy; loop:reset-policy clears it",
            "each comes with the loop bundle it makes loops of (dev.loopkit.loop.selector, dev.loopkit.loop.epoll,"
                    + " dev.loopkit.loop.proactor): start one");
    /** The shared child watcher: configuration key {@code watcher}. */
    public static final Topic<ChildWatcher> WATCHER_TOPIC = new Topic<>(ProcessWide.get().childWatchers(), "watcher",
            "set by setChildWatcher; loop:reset-watcher clears it",
            "each comes in a bundle of its own (dev.loopkit.watcher.pidfd, dev.loopkit.watcher.threaded,"
                    + " dev.loopkit.watcher.multiloop, dev.loopkit.watcher.safe, dev.loopkit.watcher.fast): start one");

    private final ChoiceStore store;

    /** @param store where switches are saved; {@link ChoiceStore#NONE} when nowhere */
    public LoopCommands(ChoiceStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** {@code loop:policies}: the policies, best first, then the status line of {@link #policy()}. */
    public String policies() {
        return policiesListing().toString();
    }

    /** {@link #policies()} cell by cell. */
    public Listing policiesListing() {
        return listing(POLICY_TOPIC);
    }

    /** {@code loop:policy}: which policy is process-wide, and why. */
    public String policy() {
        return status(POLICY_TOPIC);
    }

    /**
     * {@code loop:policy <name>}: makes {@code name} process-wide and saves it.
     *
     * @throws IllegalArgumentException naming the known policies, when none is called {@code name}
     */
    public String policy(String name) {
        return choose(POLICY_TOPIC, name);
    }

    /** {@code loop:reset-policy}: forgets the explicit and the configured policy. */
    public String resetPolicy() {
        return reset(POLICY_TOPIC);
    }

    /** {@code loop:watchers}: the watchers, best first, with their state and children; then the status line. */
    public String watchers() {
        return watchersListing().toString();
    }

    /** {@link #watchers()} cell by cell. */
    public Listing watchersListing() {
        return WatcherReport.table().listing(watcher());
    }

    /** {@code loop:watcher}: which watcher is current, and why. */
    public String watcher() {
        return status(WATCHER_TOPIC);
    }

    /**
     * {@code loop:watcher <name>}: makes {@code name} current and saves it; the children move to it.
     *
     * @throws IllegalArgumentException naming the known watchers, when none is called {@code name}
     */
    public String watcher(String name) {
        return choose(WATCHER_TOPIC, name);
    }

    /** {@code loop:reset-watcher}: forgets the explicit and the configured watcher; the highest-ranked one takes over. */
    public String resetWatcher() {
        return reset(WATCHER_TOPIC);
    }

    /** {@code loop:children}: the pids each watcher holds, and those waiting for a watcher. */
    public String children() {
        return childrenListing().toString();
    }

    /** {@link #children()} cell by cell. */
    public Listing childrenListing() {
        return WatcherReport.children();
    }

    /**
     * A watcher's state in the words of {@code loop:watchers}: {@code active}, {@code standby} or
     * {@code inactive: <why>}; for other front ends (JMX) that show the same.
     */
    public static String watcherState(ChildWatcher watcher, boolean current) {
        return WatcherReport.state(watcher, current);
    }

    /** {@code loop:loops}: every live loop of every loop factory. */
    public String loops() {
        return loopsListing().toString();
    }

    /** {@link #loops()} cell by cell. */
    public Listing loopsListing() {
        return LoopsReport.table();
    }

    /**
     * {@code loop:run <program> [args...]}: runs the program, writing its stdout to {@code out} and
     * its stderr to {@code err} as they come; returns the line that says how it ended.
     *
     * @throws IllegalArgumentException when {@code argv} is empty
     * @throws IllegalStateException when no policy or no active watcher can run it, or it could not
     *         be spawned (asyncio's messages)
     */
    public String run(List<String> argv, PrintStream out, PrintStream err) {
        return run(argv, out, err, PlatformStop.NEVER);
    }

    /**
     * {@link #run(List, PrintStream, PrintStream)} on a platform that may stop meanwhile: then the
     * program is killed before the platform's bundles stop, and the line says so.
     */
    public String run(List<String> argv, PrintStream out, PrintStream err, PlatformStop platformStop) {
        return new ProgramRun(argv, out, err, platformStop).call();
    }

    // ---- the same for every topic ----

    /** The names of the topic's entries, best first, each once: what a shell completes. */
    public static List<String> names(RankedRegistry<?> registry) {
        return registry.entries().stream().map(Entry::name).distinct().toList();
    }

    /**
     * The table of the topic's entries, best first, {@code *} on the current one, then those
     * installed that cannot work here with the reason, then its status line.
     */
    public <S> String list(Topic<S> topic) {
        return listing(topic).toString();
    }

    /** {@link #list} cell by cell. */
    public <S> Listing listing(Topic<S> topic) {
        RankedRegistry<S> registry = topic.registry();
        Choice<S> choice = registry.choice();
        TextTable table = new TextTable("", "NAME", "RANKING", "BUNDLE", "CLASS");
        boolean currentListed = false;
        for (Entry<S> entry : registry.entries()) {
            boolean current = choice != null && choice.isOf(entry);
            currentListed |= current;
            table.row(current ? "*" : "", entry.name(), entry.ranking(), entry.origin(),
                    entry.service().getClass().getName());
        }
        if (choice != null && !currentListed) {
            table.row("*", choice.name(), "-", "-", choice.service().getClass().getName());
        }
        // Installed but not published, as the pidfd watcher in loop:watchers: the epoll policy where
        // the epoll loop cannot work (or LOOPKIT_EPOLL=off), with the probe's reason.
        ProcessWide.get().unavailable().of(registry.kind()).forEach((name, reason) -> {
            if (registry.find(name).isEmpty()) {
                table.row("", name, "-", "-", "unavailable: " + reason);
            }
        });
        return table.listing(status(topic));
    }

    private static Optional<String> unavailableReason(RankedRegistry<?> registry, String name) {
        return Optional.ofNullable(name == null ? null : ProcessWide.get().unavailable().of(registry.kind()).get(name));
    }

    /** One line: which entry is current and why, and what became of a configured name that is not current. */
    public <S> String status(Topic<S> topic) {
        RankedRegistry<S> registry = topic.registry();
        Choice<S> choice = registry.choice();
        StringBuilder text = new StringBuilder("process-wide: ");
        if (choice == null) {
            text.append("none (no ").append(registry.kind()).append(" is installed: ").append(topic.whereFrom()).append(')');
        } else {
            text.append(choice.name()).append(" (").append(choice.reason()).append(switch (choice.reason()) {
                case EXPLICIT -> ": " + topic.explicitHint();
                case CONFIGURED -> ": configuration " + PlatformConfiguration.PID;
                case RANKED -> ": highest service.ranking";
            }).append(')');
            if (choice.service() instanceof ChildWatcher watcher && !watcher.isActive()) {
                text.append("; inactive: ").append(watcher.inactiveReason());
            }
        }
        registry.configured().filter(name -> choice == null || !name.equals(choice.name()))
                .ifPresent(name -> text.append("; configured '").append(name).append("' ").append(
                        registry.find(name).isPresent() ? "is overridden"
                        : unavailableReason(registry, name).map(reason -> "is unavailable: " + reason).orElse("is not installed")));
        return text.toString();
    }

    /**
     * Makes {@code name} the configured choice at once (without waiting for ConfigAdmin's
     * asynchronous update) and saves it; returns the status line and what could not be saved.
     *
     * @throws IllegalArgumentException naming the known entries, when none is called {@code name}
     */
    public <S> String choose(Topic<S> topic, String name) {
        RankedRegistry<S> registry = topic.registry();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("No " + registry.kind() + " named: give one of its names (" + topic.known() + ")");
        }
        if (registry.find(name).isEmpty()) {
            // One loop:policies lists as installed but unable to work here is not unknown: say why
            throw new IllegalArgumentException(unavailableReason(registry, name)
                    .map(reason -> "Unavailable " + registry.kind() + " '" + name + "': " + reason)
                    .orElse("Unknown " + registry.kind() + " '" + name + "'") + " (" + topic.known() + ")");
        }
        // Saved first: ConfigAdmin's event for an earlier save, delivered late, applies what is stored
        // then, which is this choice, and cannot undo the one made here.
        String note = store.save(topic.key(), name);
        registry.setConfigured(name);
        awaitActive(registry);
        return status(topic) + note + "\n";
    }

    // A watcher attached to the main loop a moment after the choice (the switch's work) is active once
    // it is: the status line says "inactive" only of one that stays so.
    private static void awaitActive(RankedRegistry<?> registry) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (registry.current() instanceof ChildWatcher watcher && !watcher.isActive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Forgets the explicit and the configured choice (and removes the saved one): the ranking decides
     * again. A watcher set by code is then closed, as {@code setChildWatcher(null)} closes it.
     */
    public <S> String reset(Topic<S> topic) {
        RankedRegistry<S> registry = topic.registry();
        String note = store.save(topic.key(), null); // first, as in choose()
        registry.setConfigured(null);
        if (registry == ProcessWide.get().childWatchers()) {
            ProcessWide.get().setExplicitChildWatcher(null);
        } else {
            registry.setExplicit(null);
        }
        return status(topic) + note + "\n";
    }
}
