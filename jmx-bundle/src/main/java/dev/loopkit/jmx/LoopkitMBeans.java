package dev.loopkit.jmx;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.SerialWork;
import dev.loopkit.shell.LoopCommands;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Loopkit's MBeans, kept up to date and handed to {@link Exporter}s:
 *
 * <ul>
 * <li>{@value #POLICIES} ({@link PoliciesMXBean}) and {@value #WATCHERS} ({@link WatchersMXBean}): the
 * registries, with switch and reset operations that save the choice as {@code loop:policy} does;</li>
 * <li>{@value #CHILDREN} ({@link ChildrenMXBean}): the children per watcher, and those waiting for one;</li>
 * <li>{@code dev.loopkit:type=Loop,name=<loop>} ({@link LoopMXBean}) for every live loop a loop
 * factory made: looked for every {@code refreshMillis}, since loops are made and closed without telling
 * anyone.</li>
 * </ul>
 *
 * Each MBean is handed over as a {@link DynamicMBean} (a {@link StandardMBean} in MXBean mode), which
 * every MBean server and JMX whiteboard accepts. On the module path,
 * {@link #startOnPlatformServer(ChoiceStore)} is all it takes.
 */
public final class LoopkitMBeans implements AutoCloseable {

    /** The domain of every Loopkit MBean. */
    public static final String DOMAIN = "dev.loopkit";
    public static final String POLICIES = DOMAIN + ":type=Policies";
    public static final String WATCHERS = DOMAIN + ":type=Watchers";
    public static final String CHILDREN = DOMAIN + ":type=Children";

    /** Where MBeans go: an MBean server, or the OSGi service registry for a JMX whiteboard. */
    public interface Exporter {
        void export(ObjectName name, DynamicMBean mbean) throws JMException;

        void unexport(ObjectName name) throws JMException;
    }

    private static final System.Logger LOG = System.getLogger("dev.loopkit.jmx");
    // What ObjectName takes unquoted as a value.
    private static final Pattern PLAIN_VALUE = Pattern.compile("[^,=:\"*?\\n]+");

    private final Map<ObjectName, DynamicMBean> fixed = new LinkedHashMap<>();
    /**
     * Guarded by this: the loops with an MBean, held weakly as their factories hold them. A loop its user
     * dropped without closing it must stay garbage, so that its cleaner warns and closes its descriptors:
     * held here, it and they stayed for the life of the JVM (DroppedLoopTest).
     */
    private final Map<ObjectName, WeakReference<EventLoop>> loops = new HashMap<>();
    private final Map<ObjectName, DynamicMBean> exported = new LinkedHashMap<>();
    private final List<Exporter> exporters = new ArrayList<>();
    /** Guarded by this: the exporters' calls, decided under the lock, made by {@link #callExporters}. */
    private final ArrayDeque<Runnable> exporterCalls = new ArrayDeque<>();
    /**
     * Makes the exporters' calls outside the lock, in the order they were decided, one thread at a
     * time: an exporter is an MBean server or a service registry, and their listeners (user code)
     * may wait for a thread that asks for the names or adds an exporter (LoopkitMBeansReentrancyTest).
     */
    private final SerialWork callExporters = new SerialWork(() -> {
        for (Runnable call = nextExporterCall(); call != null; call = nextExporterCall()) {
            call.run(); // export and unexport log their failures
        }
    });
    private final ScheduledExecutorService refresher;
    /** The refresher's threads (one, unless an Error ended it and the executor made another): close() joins them. */
    private final List<Thread> refresherThreads = new CopyOnWriteArrayList<>();
    private boolean closed;
    /**
     * Guarded by this: exports refused because the name was taken, tried again at each look while the
     * MBean and its exporter are still this instance's. The holder may be this bundle's previous
     * instance, still making its late calls (RestartWhileTheOldInstanceExportsTest).
     */
    private final List<Refused> refused = new ArrayList<>();

    private record Refused(Exporter exporter, ObjectName name, DynamicMBean mbean) {
    }
    /** The factories whose failure to list their loops was said at WARNING: once each. */
    private final Set<String> warnedFactories = ConcurrentHashMap.newKeySet();
    /** Looks for loops started and applied, guarded by this: an older look is never applied after a newer one. */
    private long looksStarted;
    private long looksApplied;

    /**
     * @param store where switches are saved ({@link ChoiceStore#NONE}: nowhere)
     * @param refreshMillis how often live loops are looked for
     */
    public LoopkitMBeans(ChoiceStore store, long refreshMillis) {
        LoopCommands commands = new LoopCommands(Objects.requireNonNull(store, "store"));
        fixed.put(name(POLICIES), mxbean(new PoliciesBean(commands), PoliciesMXBean.class));
        fixed.put(name(WATCHERS), mxbean(new WatchersBean(commands), WatchersMXBean.class));
        fixed.put(name(CHILDREN), mxbean(new ChildrenBean(), ChildrenMXBean.class));
        exported.putAll(fixed);
        refreshLoops();
        refresher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "loopkit-jmx-loops");
            thread.setDaemon(true);
            refresherThreads.add(thread);
            return thread;
        });
        refresher.scheduleWithFixedDelay(this::refreshLoopsQuietly, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
    }

    /** The MBeans on the platform MBean server until {@link #close()}: for the module path, and OSGi without a JMX whiteboard. */
    public static LoopkitMBeans startOnPlatformServer(ChoiceStore store) {
        LoopkitMBeans mbeans = new LoopkitMBeans(store, 1000);
        mbeans.addExporter(platformServer());
        return mbeans;
    }

    /**
     * Exports into {@link ManagementFactory#getPlatformMBeanServer()}, and unexports only what it
     * registered itself: by name alone, the late calls of a bundle's previous instance (its close returns
     * before they are made) unregistered its successor's MBeans (RestartWhileTheOldInstanceExportsTest).
     */
    public static Exporter platformServer() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> registered = ConcurrentHashMap.newKeySet();
        return new Exporter() {
            @Override
            public void export(ObjectName name, DynamicMBean mbean) throws JMException {
                server.registerMBean(mbean, name);
                registered.add(name);
            }

            @Override
            public void unexport(ObjectName name) throws JMException {
                if (!registered.remove(name)) {
                    return; // not ours: refused when it was taken, or never exported
                }
                try {
                    server.unregisterMBean(name);
                } catch (InstanceNotFoundException alreadyGone) {
                    // nothing to undo
                }
            }
        };
    }

    /** The name of a loop's MBean: {@code dev.loopkit:type=Loop,name=<loop>}, the value quoted only when it must be. */
    public static ObjectName loopName(String loop) {
        return name(DOMAIN + ":type=Loop,name=" + (PLAIN_VALUE.matcher(loop).matches() ? loop : ObjectName.quote(loop)));
    }

    /**
     * Hands every MBean to {@code exporter} and every later one as it comes: now, or, while another
     * thread is calling the exporters, as soon as that thread has made the calls decided before.
     */
    public void addExporter(Exporter exporter) {
        synchronized (this) {
            if (closed) {
                return;
            }
            exporters.add(exporter);
            exported.forEach((name, mbean) -> exporterCalls.add(() -> export(exporter, name, mbean)));
        }
        callExporters.request();
    }

    /** Takes every MBean back from {@code exporter} (now, or as {@link #addExporter} says). */
    public void removeExporter(Exporter exporter) {
        synchronized (this) {
            takeBack(exporter);
        }
        callExporters.request();
    }

    // Under the lock.
    private void takeBack(Exporter exporter) {
        if (exporters.remove(exporter)) {
            exported.keySet().forEach(name -> exporterCalls.add(() -> unexport(exporter, name)));
        }
    }

    private synchronized Runnable nextExporterCall() {
        return exporterCalls.poll();
    }

    /** The names of the MBeans there are now. */
    public synchronized Set<ObjectName> names() {
        return Set.copyOf(exported.keySet());
    }

    /** Adds an MBean for each new live loop and removes those of closed loops. */
    public void refreshLoops() {
        long look;
        Set<EventLoop> known;
        synchronized (this) {
            if (closed) {
                return;
            }
            look = ++looksStarted;
            known = loopsWithMBeans();
        }
        // Outside the lock: the factories may be the user's services, and their liveLoops() and their
        // loops' stats() (a hop to each new loop's thread) may wait for a thread that calls names() or
        // refreshLoops() (LoopkitMBeansReentrancyTest).
        Map<EventLoop, String> live = new IdentityHashMap<>();
        List<EventLoop> listed = new ArrayList<>(); // as the factories list them: the first of a name keeps it
        boolean complete = true;
        for (Entry<EventLoopFactory> factory : ProcessWide.get().loopFactories().entries()) {
            try {
                factory.service().liveLoops().forEach(loop -> {
                    if (live.put(loop, factory.name()) == null) {
                        listed.add(loop);
                    }
                });
            } catch (Throwable e) {
                // One factory's failure (a third-party one, one whose bundle is stopping, or was refreshed
                // underneath: NoClassDefFoundError; an Error of its own, a failed assert) takes nothing from the
                // others; its loops keep their MBeans until a look that sees them all (BrokenLoopServicesTest).
                rethrowIfFatal(e);
                complete = false;
                LOG.log(warnedFactories.add(factory.name()) ? Level.WARNING : Level.DEBUG,
                        "cannot list the live loops of loop factory '" + factory.name() + "' for JMX", e);
            }
        }
        List<Map.Entry<EventLoop, String>> newNames = new ArrayList<>();
        for (EventLoop loop : listed) {
            if (!known.contains(loop)) {
                try {
                    newNames.add(Map.entry(loop, LoopBean.loopName(loop)));
                } catch (RuntimeException | LinkageError e) {
                    // a loop that cannot say its name (closing under the look, a third-party one) waits for the
                    // next look; the others get theirs (BrokenLoopServicesTest). Logged by its class, not its
                    // toString(), which a refreshed bundle's loop may fail too.
                    LOG.log(Level.DEBUG, "cannot name loop " + loop.getClass().getName() + "@"
                            + Integer.toHexString(System.identityHashCode(loop)) + " for JMX", e);
                }
            }
        }
        // Known loops no factory listed this time (its factory failed): gone only once they say they are
        // closed, asked here, outside the lock; one that cannot say (a refreshed bundle's) keeps its MBean
        Set<EventLoop> closedUnlisted = Collections.newSetFromMap(new IdentityHashMap<>());
        for (EventLoop loop : known) {
            if (!live.containsKey(loop) && saysClosed(loop)) {
                closedUnlisted.add(loop);
            }
        }
        synchronized (this) {
            if (closed || look < looksApplied) {
                return; // a later look was applied meanwhile: this one is older news
            }
            looksApplied = look;
            apply(live, closedUnlisted, newNames, complete);
            retryRefusedExports();
        }
        callExporters.request();
    }

    // Under the lock: what one look found (the exporters' calls queued); a new loop without a name (another look took it away
    // meanwhile) waits for the next look.
    private void apply(Map<EventLoop, String> live, Set<EventLoop> closedUnlisted, List<Map.Entry<EventLoop, String>> newNames,
            boolean complete) {
        for (var gone = loops.entrySet().iterator(); gone.hasNext();) {
            var entry = gone.next();
            EventLoop loop = entry.getValue().get(); // null: dropped by its user without a close, and collected
            if (loop == null || !live.containsKey(loop) && (complete || closedUnlisted.contains(loop))) {
                ObjectName name = entry.getKey();
                gone.remove();
                exported.remove(name);
                exporters.forEach(exporter -> exporterCalls.add(() -> unexport(exporter, name)));
            }
        }
        Set<EventLoop> withMBeans = loopsWithMBeans();
        for (Map.Entry<EventLoop, String> named : newNames) {
            EventLoop loop = named.getKey();
            if (withMBeans.add(loop)) {
                ObjectName name = freeName(named.getValue());
                DynamicMBean mbean = mxbean(new LoopBean(live.get(loop), loop), LoopMXBean.class);
                loops.put(name, new WeakReference<>(loop));
                exported.put(name, mbean);
                exporters.forEach(exporter -> exporterCalls.add(() -> export(exporter, name, mbean)));
            }
        }
    }

    // Under the lock: the refused exports whose MBean and exporter are still this instance's, queued again.
    private void retryRefusedExports() {
        for (Refused again : refused) {
            if (exporters.contains(again.exporter()) && exported.get(again.name()) == again.mbean()) {
                exporterCalls.add(() -> export(again.exporter(), again.name(), again.mbean(), true));
            }
        }
        refused.clear();
    }

    private static boolean saysClosed(EventLoop loop) {
        try {
            return loop.isClosed();
        } catch (RuntimeException | LinkageError cannotSay) {
            return false;
        }
    }

    // Under the lock.
    private Set<EventLoop> loopsWithMBeans() {
        Set<EventLoop> held = Collections.newSetFromMap(new IdentityHashMap<>());
        for (WeakReference<EventLoop> loop : loops.values()) {
            EventLoop referent = loop.get();
            if (referent != null) {
                held.add(referent);
            }
        }
        return held;
    }

    /**
     * The loop's name, or, while another live loop has it (two third-party loops may share one: only
     * Loopkit's own loops number theirs), the first of "name (2)", "name (3)"… that is free. One
     * ObjectName for both made the second loop's MBean replace the first's, and the first one's close
     * took the second's away. Under the lock.
     */
    private ObjectName freeName(String loopName) {
        ObjectName name = loopName(loopName);
        for (int n = 2; exported.containsKey(name); n++) {
            name = loopName(loopName + " (" + n + ")");
        }
        return name;
    }

    /** Stops looking for loops and takes every MBean back from every exporter (now, or as {@link #addExporter} says). */
    @Override
    public void close() {
        refresher.shutdownNow();
        synchronized (this) {
            closed = true;
            List.copyOf(exporters).forEach(this::takeBack);
            exported.clear();
            loops.clear();
        }
        callExporters.request();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    awaitTheRefresher(deadline);
                    return;
                } catch (InterruptedException e) {
                    // A framework stops the bundle on whatever thread asked, an interrupted one included: the
                    // wait gave up at once, and a refresher in a look outlived the bundle
                    // (CloseFromAnInterruptedThreadTest). The exception cleared the status: the next wait waits.
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitTheRefresher(long deadline) throws InterruptedException {
        refresher.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        // Terminated is not ended: the executor is terminated as its worker leaves, a moment before the
        // thread does, and a thread preempted there outlived close() (LoopkitMBeansTest.closingTakesEveryMBeanBack,
        // under load).
        for (Thread thread : refresherThreads) {
            long left = deadline - System.nanoTime();
            if (thread != Thread.currentThread() && left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
        }
    }

    // Anything but the JVM's own failures: an exception out of a periodic task cancels it for good, with
    // nothing logged, and a factory of a bundle refreshed underneath throws NoClassDefFoundError (outside
    // reviews: one such look, or a factory's AssertionError, left new loops without MBeans and closed
    // ones with theirs).
    private void refreshLoopsQuietly() {
        try {
            refreshLoops();
        } catch (Throwable e) {
            rethrowIfFatal(e);
            LOG.log(Level.WARNING, "cannot list the live loops for JMX", e);
        }
    }

    /** The JVM's own failures (out of memory, an internal error) end the look; a StackOverflowError of user code does not. */
    private static void rethrowIfFatal(Throwable e) {
        if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
            throw fatal;
        }
    }

    private void export(Exporter exporter, ObjectName name, DynamicMBean mbean) {
        export(exporter, name, mbean, false);
    }

    private void export(Exporter exporter, ObjectName name, DynamicMBean mbean, boolean again) {
        try {
            exporter.export(name, mbean);
        } catch (InstanceAlreadyExistsException taken) {
            synchronized (this) {
                refused.add(new Refused(exporter, name, mbean));
            }
            LOG.log(again ? Level.DEBUG : Level.WARNING, "cannot register MBean " + name
                    + " yet: the name is taken (tried again at each look for loops)", taken);
        } catch (JMException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot register MBean " + name, e);
        }
    }

    private static void unexport(Exporter exporter, ObjectName name) {
        try {
            exporter.unexport(name);
        } catch (JMException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot unregister MBean " + name, e);
        }
    }

    private static <T> DynamicMBean mxbean(T implementation, Class<T> type) {
        return new StandardMBean(implementation, type, true);
    }

    private static ObjectName name(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(name, e);
        }
    }
}
