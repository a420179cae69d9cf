package dev.loopkit.loop.core.flight;

import static dev.loopkit.loop.core.flight.JfrTypes.nanos;
import static dev.loopkit.loop.core.flight.JfrTypes.plain;
import static dev.loopkit.loop.core.flight.JfrTypes.text;
import static dev.loopkit.loop.core.flight.JfrTypes.type;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.RuntimeHook;
import java.lang.System.Logger.Level;
import java.util.List;
import jdk.jfr.Event;
import jdk.jfr.EventFactory;
import jdk.jfr.FlightRecorder;

/**
 * The JFR events the loops emit themselves, category "Loopkit" (the runtime's, watcher swap and policy
 * change, come from the jfr bundle): {@value #BLOCKED_LOOP}, {@value #SLOW_CALLBACK},
 * {@value #CHILD_SPAWNED} and {@value #EXIT_DELIVERED}. Made with {@link EventFactory} as the jfr
 * bundle's are: an {@link Event} subclass is instrumented to call a handler class in
 * {@code jdk.jfr.internal.handlers}, which a bundle's class loader cannot see in Felix.
 *
 * <p>{@code jdk.jfr} is optional in OSGi (Karaf's system bundle need not export it): without it every
 * method here does nothing. The types are made at the first event once a flight recorder exists (a
 * recording was started: in the program, by {@code jcmd JFR.start}, by JMC). An event costs two volatile
 * reads while none does, and a flag check while no recording has it enabled: nothing is boxed or made for
 * it then.
 */
public final class FlightEvents {

    /** A callback ran longer than the loop's blockedLoopWarning. Fields: loop, thread, callback, blocked, threshold. */
    public static final String BLOCKED_LOOP = "dev.loopkit.BlockedLoop";
    /** In debug mode, a callback took slow_callback_duration or longer (asyncio's warning). Fields: loop, callback, took. */
    public static final String SLOW_CALLBACK = "dev.loopkit.SlowCallback";
    /** A loop spawned a child. Fields: pid, program, loop. */
    public static final String CHILD_SPAWNED = "dev.loopkit.ChildSpawned";
    /** A child's exit reached its transport on the loop. Fields: pid, returncode, watcher, latency. */
    public static final String EXIT_DELIVERED = "dev.loopkit.ExitDelivered";

    private static final System.Logger LOG = System.getLogger("dev.loopkit.loop");
    /** Whether {@code jdk.jfr} is there: without it (OSGi, a trimmed image) every method here does nothing. */
    private static final boolean JFR_PRESENT = Recorder.present();
    /**
     * The registered types: {@code null} until a flight recorder exists, and while loop-core is stopped.
     * Making them loads JFR's metadata machinery: 200 to 240 ms and about 500 methods for the JIT at the
     * first spawn of every JVM, recorded or not, when they were made at once (FlightEventTypesOnDemandTest).
     * No recording can take an event before a recorder exists, and a type registered during a recording
     * gets that recording's settings, so nothing is lost by waiting.
     */
    private static volatile Factories registered;
    /**
     * False while loop-core is stopped: loops wired to it still run until a refresh (for good after a
     * plain stop), and JFR's {@code getEventType()} throws for an unregistered type; every event threw
     * into the loop (FlightEventTypesTest).
     */
    private static volatile boolean wanted = true;
    /** Guarded by the class: the types, made once and registered again after a restart of the bundle. */
    private static Factories made;

    private FlightEvents() {
    }

    /** Registers the event types with JFR again after {@link #unregisterTypes()} (the bundle started again). */
    public static void registerTypes() {
        wanted = true;
        registeredOnceRecorded(); // at once where a recorder exists: JMC lists the types it may enable
    }

    /** Unregisters the event types: the bundle stops, and JFR would keep them past its class loader. */
    public static synchronized void unregisterTypes() {
        wanted = false;
        Factories types = registered;
        registered = null;
        if (types != null) {
            types.all().forEach(EventFactory::unregister);
        }
    }

    /** The types where a recording may take an event, registering them the first time a recorder exists. */
    private static Factories registeredOnceRecorded() {
        Factories types = registered;
        if (types != null || !JFR_PRESENT || !wanted || !Recorder.exists()) {
            return types;
        }
        synchronized (FlightEvents.class) {
            if (registered == null && wanted) {
                if (made == null) {
                    made = new Factories(); // EventFactory.create registers each type
                } else {
                    made.all().forEach(EventFactory::register);
                }
                registered = made;
            }
            return registered;
        }
    }

    /** The detector's warning, as an event. */
    public static void blockedLoop(String loop, String thread, String callback, long blockedNanos, long thresholdNanos) {
        Factories types = registeredOnceRecorded();
        if (types != null && types.recording(types.blockedLoop)) {
            types.commit(types.blockedLoop, loop, thread, callback, blockedNanos, thresholdNanos);
        }
    }

    /** Debug mode's slow callback: it took {@code durationNanos}. */
    public static void slowCallback(String loop, String callback, long durationNanos) {
        Factories types = registeredOnceRecorded();
        if (types != null && types.recording(types.slowCallback)) {
            types.commit(types.slowCallback, loop, callback, durationNanos);
        }
    }

    /** A child spawned by {@code loop}. */
    public static void childSpawned(long pid, String program, String loop) {
        Factories types = registeredOnceRecorded();
        if (types != null && types.recording(types.childSpawned)) {
            types.commit(types.childSpawned, pid, program, loop);
        }
    }

    /**
     * A child's exit handed to its transport now, reported by {@code watcher} ({@code null}: none) at
     * {@code reportedAtNanos} ({@link System#nanoTime()}). The watcher is named and the clock read only
     * when a recording takes the event: this runs on every exit's path.
     */
    public static void exitDelivered(long pid, int returncode, ChildWatcher watcher, long reportedAtNanos) {
        Factories types = registeredOnceRecorded();
        if (types != null && types.recording(types.exitDelivered)) {
            types.commit(types.exitDelivered, pid, returncode, watcherName(watcher), System.nanoTime() - reportedAtNanos);
        }
    }

    /**
     * As {@code dev.loopkit.WatcherSwap} names a watcher: its registered name, else its class's name. The
     * runtime's {@code describe} quotes the name for messages ("'pidfd'"), and the two events' fields did
     * not match (an outside review).
     */
    static String watcherName(ChildWatcher watcher) {
        if (watcher == null) {
            return "none";
        }
        String described = RuntimeHook.get().describe(watcher);
        return described.length() > 2 && described.startsWith("'") && described.endsWith("'")
                ? described.substring(1, described.length() - 1) : watcher.getClass().getName();
    }

    /** Whether a flight recorder exists; only loaded where {@code jdk.jfr} is. */
    private static final class Recorder {

        /** One volatile read: it runs on every spawn's and exit's path. */
        static boolean exists() {
            return FlightRecorder.isInitialized();
        }

        static boolean present() {
            try {
                exists();
                return true;
            } catch (LinkageError noJfr) { // jdk.jfr not imported (OSGi) or not in the image
                LOG.log(Level.DEBUG, "no JFR events from the loops: {0}", noJfr.toString());
                return false;
            }
        }
    }

    /** The event types; only loaded where {@code jdk.jfr} is. */
    private static final class Factories {

        final EventFactory blockedLoop = EventFactory.create(
                type(BLOCKED_LOOP, "Blocked Event Loop", "A callback ran on the loop longer than its blockedLoopWarning"),
                List.of(text("loop", "Loop", "The loop's class and number"),
                        text("thread", "Thread", "The loop's thread"),
                        text("callback", "Callback", "The callback that runs"),
                        nanos("blocked", "Blocked", "How long it has run when the detector saw it"),
                        nanos("threshold", "Threshold", "The loop's blockedLoopWarning")));
        final EventFactory slowCallback = EventFactory.create(
                type(SLOW_CALLBACK, "Slow Callback", "In debug mode, a callback took the loop's slow_callback_duration or longer"),
                List.of(text("loop", "Loop", "The loop's class and number"),
                        text("callback", "Callback", "The callback that ran"),
                        nanos("took", "Took", "How long it ran (the event's own duration field is JFR's)")));
        final EventFactory childSpawned = EventFactory.create(
                type(CHILD_SPAWNED, "Child Spawned", "A loop spawned a child process"),
                List.of(plain(long.class, "pid", "Pid"),
                        text("program", "Program", "The program run (args[0])"),
                        text("loop", "Loop", "The loop that spawned it and handles its exit")));
        final EventFactory exitDelivered = EventFactory.create(
                type(EXIT_DELIVERED, "Child Exit Delivered", "A child's exit reached its transport on the loop"),
                List.of(plain(long.class, "pid", "Pid"),
                        plain(int.class, "returncode", "Return Code"),
                        text("watcher", "Watcher", "The child watcher the child was registered with at its spawn"),
                        nanos("latency", "Latency", "From the watcher's report to the transport on the loop thread")));

        List<EventFactory> all() {
            return List.of(blockedLoop, slowCallback, childSpawned, exitDelivered);
        }

        /**
         * Whether a recording takes the event, asked before the arguments are boxed into an array and
         * an event object made: those cost 344 bytes for the four events while nobody records
         * (FlightEventsCostTest), on the path a child's exit takes after an idle wait.
         */
        boolean recording(EventFactory factory) {
            try {
                return wanted && factory.getEventType().isEnabled();
            } catch (IllegalStateException unregisteredMeanwhile) {
                return false;
            }
        }

        void commit(EventFactory factory, Object... values) {
            try {
                Event event = factory.newEvent();
                for (int i = 0; i < values.length; i++) {
                    event.set(i, values[i]);
                }
                event.commit();
            } catch (IllegalStateException unregisteredMeanwhile) {
                // loop-core stopped between the look and the commit: the event is dropped
            }
        }
    }
}
