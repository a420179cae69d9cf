package dev.loopkit.platform.internal;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.loop.core.Uninterruptibly;
import dev.loopkit.platform.PlatformConfiguration;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import java.lang.System.Logger.Level;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;

/**
 * The main context of a Loopkit platform: a thread of the platform bundle's own runs the main loop,
 * made by the process-wide policy and set as that thread's loop, with the current child watcher
 * attached to it (as asyncio's main thread does with {@code set_event_loop}), whatever the policy's
 * {@code setEventLoop} does. A policy that fails to make or set a loop is tried again on a change, or
 * after a second. The safe and fast
 * watchers reap through it. When the process-wide policy changes, or the loop goes away with its loop
 * bundle, a new main loop is made from the policy that is process-wide then (attaching the watcher
 * again sweeps up any exit missed meanwhile); stopping this bundle stops and closes it, and the
 * thread ends.
 * Configured by {@code mainLoop} and {@code mainLoopThread} in {@value PlatformConfiguration#PID}.
 */
@Component(immediate = true, configurationPid = PlatformConfiguration.PID)
public final class MainLoop {

    static final String DEFAULT_THREAD_NAME = "loopkit-main";
    static final String MAIN_LOOP_KEY = "mainLoop";
    /** How long activation waits for the first main loop to run. */
    private static final long START_WAIT_SECONDS = 5;
    // The name it had in the policy bundle, as the configuration's: logging configurations name it.
    private static final System.Logger LOG = System.getLogger("dev.loopkit.policy");

    private final Object lock = new Object();
    /** How long deactivation waits for the main thread, busy in a callback maybe, before going on without it. */
    long stopWaitMillis = 10_000;
    private BundleContext bundleContext;
    private final RankedRegistry.Listener<EventLoopPolicy> policyChanged = (before, now) -> wake();
    private Thread thread;
    private volatile boolean running;
    /** Counted down once the first main loop runs, or once it is known that none can for now. */
    private volatile CountDownLatch started;
    // Guarded by lock: the main loop and the policy that made it.
    private EventLoop loop;
    private EventLoopPolicy loopPolicy;
    /** The last failure logged; main thread only (and the main loop's first callback, on it). */
    private String lastFailure;

    @Activate
    void activate(BundleContext context, PolicyConfiguration.Config config, Map<String, Object> properties) {
        bundleContext = context;
        start(wanted(config, properties), threadName(config));
    }

    private void start(boolean wanted, String name) {
        if (!wanted) {
            LOG.log(Level.INFO, "no main loop: disabled by configuration " + PlatformConfiguration.PID);
            return;
        }
        startThread(name);
    }

    /**
     * The {@code mainLoop} setting. DS reads any word but {@code true} as {@code false}, so a typo
     * ({@code yes}, {@code ture}) turned the main loop off without a word, and the safe and fast
     * watchers with it (an outside review): such a value keeps the default, with a warning.
     */
    static boolean wanted(PolicyConfiguration.Config config, Map<String, Object> properties) {
        Object raw = properties.get(MAIN_LOOP_KEY);
        if (raw instanceof String text) {
            switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    LOG.log(Level.WARNING, MAIN_LOOP_KEY + "=" + text + " in configuration " + PlatformConfiguration.PID
                            + " is not true or false: the main loop runs, as by default");
                    return true;
            }
        }
        return config.mainLoop();
    }

    private static String threadName(PolicyConfiguration.Config config) {
        return config.mainLoopThread().isBlank() ? DEFAULT_THREAD_NAME : config.mainLoopThread();
    }

    private void startThread(String name) {
        running = true;
        started = new CountDownLatch(1);
        ProcessWide.get().policies().addListener(policyChanged);
        thread = new Thread(this::runLoops, name);
        thread.setDaemon(true);
        thread.start();
        awaitStart();
    }

    // Once the bundle is active its main loop runs: a command run right after start-up finds the
    // safe and fast watchers attached to a running loop, hence active.
    private void awaitStart() {
        try {
            if (!started.await(START_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "the main loop did not start within " + START_WAIT_SECONDS + " s; it will when it can");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A changed policy or watcher choice needs no new main loop; a changed main-loop setting does. */
    @Modified
    void modified(PolicyConfiguration.Config config, Map<String, Object> properties) {
        boolean wanted = wanted(config, properties);
        String name = threadName(config);
        if (wanted == (thread != null) && (thread == null || thread.getName().equals(name))) {
            return;
        }
        deactivate();
        String stranded = wanted ? null : strandedChildren();
        if (stranded != null) {
            LOG.log(Level.WARNING, "mainLoop=false in configuration " + PlatformConfiguration.PID + " is not applied: "
                    + stranded + ". Choose another child watcher (loop:watcher), or set it again once they have exited");
            startThread(name);
            return;
        }
        start(wanted, name);
    }

    /**
     * Why the main loop's end would strand children, or {@code null}: the process-wide watcher holds
     * some and cannot reap them without it (asyncio's safe and fast watchers reap through the loop they
     * are attached to). They would stay zombies, and whoever waits for their exit (a shell's
     * {@code loop:run}) would wait for ever. Asked once the main loop ended: the new one attached to it
     * again sweeps up the exits it missed.
     */
    private static String strandedChildren() {
        ChildWatcher watcher = ProcessWide.get().childWatchers().current();
        if (watcher == null || watcher.isActive()) {
            return null;
        }
        Set<Long> pids = new TreeSet<>(watcher.children().keySet());
        if (pids.isEmpty()) {
            return null;
        }
        return "the child watcher '" + ProcessWide.get().childWatchers().choice().name() + "' holds children " + pids
                + " and cannot reap them without the main loop (" + watcher.inactiveReason() + ")";
    }

    @Deactivate
    void deactivate() {
        if (thread == null) {
            return;
        }
        running = false;
        ProcessWide.get().policies().removeListener(policyChanged);
        wake();
        // Through an interrupt of the stopping thread too: the main thread outlived the bundle otherwise.
        Uninterruptibly.join(thread, stopWaitMillis);
        thread = null;
    }

    // The main thread: one loop after another, as long as the bundle runs.
    private void runLoops() {
        try {
            while (running) {
                EventLoopPolicy policy = ProcessWide.get().policies().current();
                if (policy == null) {
                    awaitChange();
                    continue;
                }
                EventLoop mainLoop;
                try {
                    mainLoop = policy.newEventLoop();
                } catch (RuntimeException cannot) {
                    // No factory, or one that cannot make a loop now (out of descriptors, say). Only the
                    // first was caught: any other ended this thread, and no main loop ever came back.
                    failed(frameworkStopping() ? Level.DEBUG : Level.WARNING, "no main loop for now: " + cannot.getMessage(), null);
                    awaitChange();
                    continue;
                }
                if (!run(policy, mainLoop)) {
                    // Not again at once: a policy whose setEventLoop throws had this thread make and close
                    // 87,514 loops in 2 s, logging each (MainLoopOfAnyPolicyTest). Again on a change, or in a second.
                    awaitChange();
                }
            }
        } finally {
            started.countDown();
            ProcessWide.get().mainContext().release(Thread.currentThread()); // not a successor's
        }
    }

    /** Runs one main loop; {@code false} if it failed (rather than being stopped or closed by its bundle). */
    private boolean run(EventLoopPolicy policy, EventLoop mainLoop) {
        boolean stale;
        synchronized (lock) {
            // a change that came while the loop was made found no loop to stop: look again
            stale = !running || policy != ProcessWide.get().policies().current();
            if (!stale) {
                loop = mainLoop;
                loopPolicy = policy;
            }
        }
        if (stale) {
            // Outside the lock: the loop is the policy's, maybe the user's, and its close() may wait for
            // a thread whose policy switch waits for the lock in wake() (MainLoopReentrancyTest).
            mainLoop.close();
            return true;
        }
        ProcessWide.get().mainContext().designate(Thread.currentThread(), mainLoop);
        try {
            policy.setEventLoop(mainLoop);
            // The current child watcher attached to it, as in asyncio's main thread. The default policy's
            // setEventLoop does so too; a policy of the user's own implements it as it likes, and the safe
            // watcher then stayed on the closed loop before, its children never reaped.
            if (ProcessWide.get().childWatchers().current() != null) {
                ProcessWide.get().watcherSwitch().attachMainContextLoop(mainLoop);
            }
            LOG.log(Level.INFO, "main loop {0} runs on thread ''{1}''", mainLoop, Thread.currentThread().getName());
            mainLoop.callSoon(() -> {
                lastFailure = null;
                started.countDown();
            });
            mainLoop.runForever();
            return true;
        } catch (RuntimeException e) {
            if (mainLoop.isClosed()) {
                // its loop bundle stopped and closed it before it ran (the framework is stopping, say):
                // the next main loop comes from the policy that is process-wide then
                LOG.log(Level.DEBUG, "main loop {0} closed before it ran", mainLoop);
                return true;
            }
            failed(Level.ERROR, "the main loop failed", e);
            return false;
        } finally {
            synchronized (lock) {
                loop = null;
                loopPolicy = null;
            }
            ProcessWide.get().mainContext().release(Thread.currentThread()); // not a successor's
            if (!mainLoop.isClosed()) {
                mainLoop.close();
            }
            try {
                policy.setEventLoop(null);
            } catch (RuntimeException gone) {
                // the policy's bundle went away meanwhile
            }
        }
    }

    // A failure said once, and again only when it changes or after a main loop ran: one that lasts
    // (a policy that cannot make loops) is retried every second.
    private void failed(Level level, String message, Throwable cause) {
        String said = message + (cause == null ? "" : ": " + cause);
        boolean again = said.equals(lastFailure);
        lastFailure = said;
        if (cause == null) {
            LOG.log(again ? Level.DEBUG : level, message);
        } else {
            LOG.log(again ? Level.DEBUG : level, message, cause);
        }
    }

    /**
     * Whether the framework itself is stopping. It then stops every bundle in an order of its own
     * (bundles that share a start level, as Felix's auto-deploy starts them, in an order that varies),
     * so loop bundles may stop before this one: a main loop without a factory is expected then, not
     * a condition to warn a user about. A loop bundle that stops while the framework runs is.
     */
    private boolean frameworkStopping() {
        if (bundleContext == null) {
            return false; // activated by hand, outside a framework
        }
        try {
            return bundleContext.getBundle(Constants.SYSTEM_BUNDLE_ID).getState() == Bundle.STOPPING;
        } catch (IllegalStateException contextGone) {
            return true; // this bundle stopped meanwhile
        }
    }

    private void awaitChange() {
        started.countDown(); // nothing to wait for: no loop can run until something changes
        synchronized (lock) {
            if (running) {
                try {
                    lock.wait(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running = false;
                }
            }
        }
    }

    // Stopped, or another policy is process-wide now: the main loop ends and, if running, another comes.
    private void wake() {
        EventLoop stale = null;
        synchronized (lock) {
            lock.notifyAll();
            if (loop != null && (!running || loopPolicy != ProcessWide.get().policies().current())) {
                stale = loop;
            }
        }
        // Stopped outside the lock: the loop may be the user's, and its stop() may wait for a thread
        // whose policy switch comes here (MainLoopReentrancyTest). A loop that ended meanwhile is
        // closed, and stopping a closed loop does nothing.
        if (stale != null) {
            stale.stop();
        }
    }
}
