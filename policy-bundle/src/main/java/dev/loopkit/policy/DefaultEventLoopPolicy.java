package dev.loopkit.policy;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.api.spi.ServiceRanking;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * asyncio's {@code DefaultEventLoopPolicy} (3.12 semantics): one loop per thread.
 *
 * <ul>
 * <li>{@link #getEventLoop()} in the main context with no loop set creates one through
 * {@code setEventLoop(newEventLoop())} and logs "There is no current event loop"; after an
 * explicit {@code setEventLoop(null)}, or in any other thread, it throws
 * "There is no current event loop in thread '&lt;name&gt;'.".</li>
 * <li>{@link #setEventLoop(EventLoop)} in the main context attaches the child watcher to the loop
 * ({@code null}: detaches it), as asyncio's {@code set_event_loop} does with the policy's
 * {@code _watcher}. Which watcher, see below. The loop also becomes the main context's, which a
 * watcher chosen later is attached to: outside a platform, where no main loop is designated, the
 * one the program set in its main thread.</li>
 * <li>Loops come from the {@link EventLoopFactory} of the policy's loop implementation: selector
 * on Unix, proactor on Windows.</li>
 * </ul>
 *
 * <p><b>Which watcher {@code setEventLoop} attaches.</b> The child watcher is process-wide
 * ({@link #setChildWatcher}): SIGCHLD and {@code waitpid(-1)} belong to the process. asyncio keeps
 * it per policy instance, and a policy follows its own main loop with it. Loopkit keeps both:
 * <ul>
 * <li>the installed (process-wide) policy attaches the process-wide watcher, whoever chose it (a
 * shell command, a ranking change, this policy);</li>
 * <li>any other instance attaches the watcher that was set through it with {@code setChildWatcher},
 * while that watcher is still the process-wide one: so {@code p.setChildWatcher(w);
 * w.attachLoop(l1); p.setEventLoop(l2)} leaves {@code w} attached to {@code l2}, and
 * {@code p.setEventLoop(null)} detaches it, as in CPython's
 * {@code test_child_watcher_replace_mainloop_existing}. A watcher it did not choose (or one
 * replaced since) is left alone: the loop of a policy that is not in use must not take the
 * process's watcher from the main loop.</li>
 * </ul>
 *
 * <p>Subclass it to change what a context is or how loops are made, as the asyncio documentation's
 * {@code MyEventLoopPolicy} does.
 */
@ServiceRanking(DefaultEventLoopPolicy.RANKING)
@LoopkitName(DefaultEventLoopPolicy.NAME)
public class DefaultEventLoopPolicy implements EventLoopPolicy {

    public static final String NAME = "default";
    public static final int RANKING = 100;
    /** What a policy whose publishing bundle stopped says: {@link #deactivate(String)}. */
    public static final String BUNDLE_STOPPED = "the bundle that published it stopped";

    private static final System.Logger LOG = System.getLogger("dev.loopkit.policy");

    private final String loopFactoryName;
    /** The factory DS bound, or one given to the constructor; {@code null}: look it up by name. */
    private final EventLoopFactory boundFactory;
    /**
     * asyncio's {@code _Local}: the loop set in each thread, kept by the policy as a
     * {@code threading.local} keeps its values, so that they go with the policy, and with the thread.
     * No entry where {@code setEventLoop} was never called in the thread, empty where it was called
     * with {@code null}. The thread holds only its {@link #threadKeys key}, a plain object: a
     * thread-local entry of the loop itself, or of a context of this bundle's class, outlived the
     * policy on threads that lived on (loopkit-main, a pool's), and kept the loop, a refreshed loop
     * or policy bundle's class loader with it, until the thread next used a thread-local
     * (ContextPinsNoPolicyClassLoaderTest). Keyed weakly: a thread's key goes when the thread ends.
     */
    private final Map<Object, Optional<EventLoop>> loops = Collections.synchronizedMap(new WeakHashMap<>());
    private final ThreadLocal<Object> threadKeys = new ThreadLocal<>();
    private volatile boolean deactivated;
    /** Why, where the publisher said ({@link #deactivate(String)}); {@code null}: told by the factories registered. */
    private volatile String deactivatedBecause;
    /** The watcher last set through this instance (asyncio's {@code _watcher}); {@code null}: none. */
    private volatile ChildWatcher chosenWatcher;

    /** asyncio's {@code DefaultEventLoopPolicy()}: selector loops on Unix, proactor loops on Windows. */
    public DefaultEventLoopPolicy() {
        this(platformLoopFactoryName());
    }

    /** Loops from the installed {@link EventLoopFactory} called {@code loopFactoryName}. */
    protected DefaultEventLoopPolicy(String loopFactoryName) {
        this.loopFactoryName = Objects.requireNonNull(loopFactoryName, "loopFactoryName");
        this.boundFactory = null;
    }

    /** Loops from {@code loopFactory}; in OSGi, the factory service the policy is published on. */
    public DefaultEventLoopPolicy(EventLoopFactory loopFactory) {
        this.boundFactory = Objects.requireNonNull(loopFactory, "loopFactory");
        this.loopFactoryName = loopFactory.name();
    }

    /**
     * Called when the policy's service goes away, its bundle stopped or its loop factory went: from then
     * on {@link #newEventLoop()} refuses, saying which (a factory still registered: the bundle).
     * Declarative Services calls it by its default name for the subclasses published as components;
     * the reason it could pass, Felix's SCR gives as "unspecified" either way.
     */
    public void deactivate() {
        deactivated = true;
    }

    /** {@link #deactivate()}, saying {@code why}, for a publisher that knows. */
    public void deactivate(String why) {
        deactivatedBecause = Objects.requireNonNull(why, "why");
        deactivated = true;
    }

    /** {@code selector} on Unix, {@code proactor} on Windows, as asyncio's default policy chooses. */
    public static String platformLoopFactoryName() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "proactor" : "selector";
    }

    /** The name of the loop implementation this policy makes. */
    public final String loopFactoryName() {
        return loopFactoryName;
    }

    @Override
    public EventLoop getEventLoop() {
        Optional<EventLoop> set = loops.get(threadKey());
        if (set == null && isMainContext()) {
            LOG.log(Level.WARNING, "There is no current event loop");
            setEventLoop(newEventLoop());
            set = loops.get(threadKey());
        }
        if (set == null || set.isEmpty()) {
            throw new IllegalStateException(
                    "There is no current event loop in thread " + pythonRepr(Thread.currentThread().getName()) + ".");
        }
        return set.get();
    }

    private Object threadKey() {
        Object key = threadKeys.get();
        if (key == null) {
            key = new Object();
            threadKeys.set(key);
        }
        return key;
    }

    /** Python's {@code repr} of a str, as asyncio's {@code %r} shows the thread's name. */
    static String pythonRepr(String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder repr = new StringBuilder().append(quote);
        text.codePoints().forEach(c -> {
            if (c == quote || c == '\\') {
                repr.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                repr.append("\\n");
            } else if (c == '\r') {
                repr.append("\\r");
            } else if (c == '\t') {
                repr.append("\\t");
            } else if (c < 0x20 || c >= 0x7f && c < 0xa0) {
                repr.append(String.format("\\x%02x", c));
            } else {
                repr.appendCodePoint(c);
            }
        });
        return repr.append(quote).toString();
    }

    @Override
    public void setEventLoop(EventLoop loop) {
        loops.put(threadKey(), Optional.ofNullable(loop));
        if (!isMainContext() || !speaksForTheProcess()) {
            return;
        }
        // Recorded first, so that a switch from now on attaches its watcher to this loop: outside a
        // platform nothing else makes it the main context's (MainThreadLoopOutsideAPlatformTest).
        ProcessWide.get().mainContext().loopSetIn(Thread.currentThread(), loop);
        if (ProcessWide.get().childWatchers().current() != null) {
            // Through the watcher switch, under the spawn gate: a switch may be under way (the
            // registry's current watcher chosen, its children not moved yet), and attaching that
            // watcher here and now would let the fast watcher's waitpid(-1) take exits another
            // watcher still holds (ChildWatcherSwitch.attachMainContextLoop)
            ProcessWide.get().watcherSwitch().attachMainContextLoop(loop);
        }
    }

    @Override
    public EventLoop newEventLoop() {
        return loopFactory().newEventLoop();
    }

    /**
     * The factory loops come from.
     *
     * @throws IllegalStateException when it is not installed, or went away with its bundle
     */
    protected EventLoopFactory loopFactory() {
        if (deactivated) {
            throw new IllegalStateException("This event loop policy is no longer active: " + whyDeactivated());
        }
        if (boundFactory != null) {
            return boundFactory;
        }
        return ProcessWide.get().loopFactories().find(loopFactoryName)
                .orElseThrow(() -> new IllegalStateException("No event loop factory '" + loopFactoryName
                        + "' is installed (" + ProcessWide.get().loopFactories().knownNames() + "): install the "
                        + "dev.loopkit.loop." + loopFactoryName + " bundle or module"))
                .service();
    }

    // A policy withdrawn while its factory is still registered went with its own bundle (an outside
    // review: the policy bundle's stop was told as "its event loop factory went away"). Asked when the
    // refusal is made, not at deactivate(): the framework tells the runtime's tracker and SCR of a
    // factory's going in no set order, and SCR's call may come first. So a policy whose bundle stopped
    // says its factory went away once that factory has gone too, which is then true as well.
    private String whyDeactivated() {
        String said = deactivatedBecause;
        if (said != null) {
            return said;
        }
        EventLoopFactory factory = boundFactory;
        return factory != null && ProcessWide.get().loopFactories().entryOf(factory).isPresent() ? BUNDLE_STOPPED
                : "its event loop factory '" + loopFactoryName + "' went away";
    }

    /**
     * Whether the calling thread is this policy's main context, where loops are created implicitly
     * and watchers attached. Subclasses may define contexts differently.
     */
    protected boolean isMainContext() {
        return ProcessWide.get().mainContext().isCurrentThreadMain();
    }

    /**
     * The process-wide child watcher: the one set with {@link #setChildWatcher}, else the one
     * configured, else the highest-ranked installed one ({@link ProcessWide#childWatchers()}); while
     * another thread's switch to it is on its way, the one that switch replaces.
     *
     * @throws IllegalStateException when there is none, saying what to install
     */
    @Override
    public ChildWatcher getChildWatcher() {
        // The registry shows a new choice a moment before its switch attaches it and gives it the
        // children: until then the watcher in use is the one the last switch attached.
        ChildWatcher current = ProcessWide.get().watcherSwitch().inUse();
        if (current == null) {
            throw new IllegalStateException("No child watcher is installed: install one of the dev.loopkit.watcher"
                    + " bundles (threaded, multiloop, safe, fast, pidfd), or set one with setChildWatcher");
        }
        return current;
    }

    /**
     * asyncio's {@code set_child_watcher}, without losing a child: {@code replacement} becomes the
     * process-wide watcher until it is reset ({@code null}: back to the configured or ranked one),
     * and the children of the watcher in use until now move to it ({@link dev.loopkit.runtime.ChildWatcherSwitch}). The
     * watcher set before is then closed, as asyncio closes it, unless it is a shared service (its
     * bundle owns it) or still holds children ({@link ProcessWide#setExplicitChildWatcher}).
     *
     * <p>Process-wide rather than per policy: SIGCHLD and {@code waitpid(-1)} belong to the process,
     * and two watchers attached at once would take each other's signals and exits. This instance
     * remembers {@code replacement}: its main-context {@code setEventLoop} attaches it while it is
     * the process-wide watcher, even when this policy is not the installed one (class javadoc).
     */
    @Override
    public void setChildWatcher(ChildWatcher replacement) {
        chosenWatcher = replacement;
        ProcessWide.get().setExplicitChildWatcher(replacement);
    }

    // Whether setEventLoop in the main context sets the process's main loop and attaches the
    // process-wide watcher (the rule is in the class javadoc): this policy is the process-wide one,
    // or the process-wide watcher is the one chosen through it.
    private boolean speaksForTheProcess() {
        ChildWatcher processWide = ProcessWide.get().childWatchers().current();
        return ProcessWide.get().policies().current() == this || (processWide != null && processWide == chosenWatcher);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + loopFactoryName + "]";
    }
}
