package dev.loopkit.runtime;

import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Decides which of several services of one kind is current, by one rule everywhere: the service set
 * explicitly, else the one configured by name (when it is available), else the highest
 * {@code service.ranking}, ties going to the lowest {@code service.id}.
 *
 * <p>Inside OSGi the api bundle's activator feeds the registry from the service registry. Outside
 * OSGi the registry ranks the providers that {@link ServiceLoader} finds, reading
 * {@link ServiceRanking} and {@link LoopkitName} from their classes, and takes the configured name
 * from a system property.
 *
 * <p>Every change of the current service is logged with the old one, the new one and the reason,
 * and reported to {@linkplain #addListener listeners} (outside the registry's lock).
 */
public final class RankedRegistry<S> {

    /** Why the current service is current. */
    public enum Reason {
        /** Set through {@link #setExplicit(Object)} ({@code Asyncio.setEventLoopPolicy}, {@code setChildWatcher}). */
        EXPLICIT,
        /** Named by configuration (ConfigAdmin, or a system property outside OSGi). */
        CONFIGURED,
        /** The highest-ranked available service. */
        RANKED;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One available service with its ranking properties; {@code origin} is the bundle or module that provides it. */
    public record Entry<S>(S service, String name, int ranking, long id, String origin) {
    }

    /** The current service, its name and why it was chosen. */
    public record Choice<S>(S service, String name, Reason reason) {

        /** Whether {@code entry} is the chosen registration: by name too, as one object may be registered under two. */
        public boolean isOf(Entry<S> entry) {
            return service == entry.service() && name.equals(entry.name());
        }
    }

    /** Told when the current service changes; {@code previous} or {@code current} may be {@code null}. */
    @FunctionalInterface
    public interface Listener<S> {
        void currentChanged(S previous, S current);
    }

    private static final String EXPLICIT_CLEARED = "explicit choice cleared";
    private static final Comparator<Entry<?>> RANK_ORDER =
            Comparator.<Entry<?>>comparingInt(Entry::ranking).reversed().thenComparingLong(Entry::id);

    private final Class<S> type;
    private final String kind;
    private final String configurationProperty;
    private final System.Logger log;
    private final AtomicLong serviceLoaderIds = new AtomicLong();
    private final List<Listener<S>> listeners = new CopyOnWriteArrayList<>();
    /** Numbers each change of the current service, under the lock: listeners are told only the latest. */
    private final AtomicLong changes = new AtomicLong();
    private final Object sourceLock = new Object();

    // Guarded by this.
    private final List<Entry<S>> entries = new ArrayList<>();
    private S explicit;
    private String configured;
    private Choice<S> choice;
    private volatile boolean sourced;
    private boolean loading; // guarded by sourceLock; a provider's constructor may call back in

    /**
     * @param type the service interface
     * @param kind what users call it, for messages ("event loop policy")
     * @param configurationProperty the system property naming the configured service outside OSGi,
     *        or {@code null}
     */
    public RankedRegistry(Class<S> type, String kind, String configurationProperty) {
        this.type = Objects.requireNonNull(type, "type");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.configurationProperty = configurationProperty;
        this.log = System.getLogger("dev.loopkit.runtime.registry");
    }

    public Class<S> type() {
        return type;
    }

    public String kind() {
        return kind;
    }

    /**
     * Hands the registry to an external source (the OSGi service registry): providers found through
     * {@link ServiceLoader} are dropped and no longer looked for.
     */
    public void attachExternalSource(String cause) {
        synchronized (sourceLock) {
            sourced = true;
        }
        Runnable notify;
        synchronized (this) {
            entries.clear();
            notify = update(cause);
        }
        notify.run();
    }

    /**
     * Forgets every service without telling the listeners (the registry's source is going away, not its
     * services); the next read looks for {@link ServiceLoader} providers again. The configured choice
     * stays, and an explicit one that is no service (made by code): they are the configuration's and the
     * caller's, which outlive a restart of the source (the runtime bundle's), and a restarted runtime
     * ran the ranked service instead. An explicit service is forgotten with the others: its going away
     * would not be seen while the source is down.
     */
    public void reset(String cause) {
        Choice<S> forgotten;
        synchronized (this) {
            S chosen = explicit;
            if (entries.stream().anyMatch(entry -> entry.service() == chosen)) {
                explicit = null;
            }
            entries.clear();
            forgotten = choice;
            choice = null;
        }
        if (forgotten != null) {
            log.log(Level.INFO, "{0}: {1} -> none ({2})", kind, describe(forgotten), cause);
        }
        synchronized (sourceLock) {
            sourced = false;
        }
    }

    /** Adds an available service. */
    public void register(S service, String name, int ranking, long id, String origin) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(name, "name");
        ensureSourced();
        Runnable notify;
        synchronized (this) {
            entries.removeIf(e -> e.id() == id); // a registration's properties changed: its entry anew
            entries.add(new Entry<>(service, name, ranking, id, origin));
            entries.sort(RANK_ORDER);
            notify = update("'" + name + "' registered");
        }
        notify.run();
    }

    /**
     * Removes one registration of a service, by its id: one object may be published twice (an alias
     * under another name), and withdrawing one took both away. If it was the explicit choice and this
     * was its last registration, the choice falls back.
     */
    public void unregister(S service, long id) {
        unregister(service, e -> e.id() == id);
    }

    /** Removes every registration of a service that went away; if it was the explicit choice, the choice falls back. */
    public void unregister(S service) {
        unregister(service, e -> true);
    }

    private void unregister(S service, Predicate<Entry<S>> which) {
        Runnable notify;
        synchronized (this) {
            List<Entry<S>> gone = entries.stream().filter(e -> e.service() == service && which.test(e)).toList();
            if (gone.isEmpty()) {
                return;
            }
            entries.removeAll(gone);
            if (explicit == service && entries.stream().noneMatch(e -> e.service() == service)) {
                explicit = null;
            }
            notify = update("'" + gone.get(0).name() + "' unregistered");
        }
        notify.run();
    }

    /** Makes {@code service} current whatever the ranking; {@code null} returns to the configured or ranked choice. */
    public void setExplicit(S service) {
        ensureSourced();
        Runnable notify;
        synchronized (this) {
            explicit = service;
            notify = update(service == null ? EXPLICIT_CLEARED : "set explicitly");
        }
        notify.run();
    }

    /** Names the configured service ({@code null}: none); it is current whenever it is available and nothing is explicit. */
    public void setConfigured(String name) {
        ensureSourced();
        Runnable notify;
        synchronized (this) {
            configured = name;
            notify = update(name == null ? "configuration cleared" : "configured '" + name + "'");
        }
        notify.run();
    }

    /** The current choice, or {@code null} when no service is available. */
    public Choice<S> choice() {
        ensureSourced();
        synchronized (this) {
            return choice;
        }
    }

    /** The current service, or {@code null}. */
    public S current() {
        Choice<S> current = choice();
        return current == null ? null : current.service();
    }

    /** The available services, best first. */
    public List<Entry<S>> entries() {
        ensureSourced();
        synchronized (this) {
            return List.copyOf(entries);
        }
    }

    /** The available service called {@code name}; the best-ranked one when several share it. */
    public Optional<Entry<S>> find(String name) {
        ensureSourced();
        synchronized (this) {
            return entries.stream().filter(e -> e.name().equals(name)).findFirst();
        }
    }

    /** The entry of {@code service}, if it is available. */
    public Optional<Entry<S>> entryOf(S service) {
        ensureSourced();
        synchronized (this) {
            return entries.stream().filter(e -> e.service() == service).findFirst();
        }
    }

    /** The configured name, if any. */
    public synchronized Optional<String> configured() {
        return Optional.ofNullable(configured);
    }

    /** The explicitly set service, if any. */
    public synchronized Optional<S> explicit() {
        return Optional.ofNullable(explicit);
    }

    /** How many times the current service has changed: a listener told of the latest change read it as this. */
    public long changeCount() {
        return changes.get();
    }

    public void addListener(Listener<S> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Listener<S> listener) {
        listeners.remove(listener);
    }

    /** The names of the available services, for error messages. */
    public String knownNames() {
        List<String> names = entries().stream().map(Entry::name).distinct().toList();
        return names.isEmpty() ? "none is installed" : "known: " + String.join(", ", names);
    }

    // Recomputes the choice under the lock; returns what to run after releasing it.
    private Runnable update(String cause) {
        return update(cause, Level.INFO);
    }

    private Runnable update(String cause, Level level) {
        Choice<S> previous = choice;
        Choice<S> now = decide();
        choice = now;
        S before = previous == null ? null : previous.service();
        S after = now == null ? null : now.service();
        if (before == after && (previous == null || previous.reason() == now.reason())) {
            return () -> { };
        }
        // Told once the lock is released (a log handler or a listener may block); a choice made in
        // code is the program's own business, as in asyncio, which logs none of them.
        Level told = now != null && now.reason() == Reason.EXPLICIT || cause.equals(EXPLICIT_CLEARED) ? Level.DEBUG : level;
        long change = before == after ? changes.get() : changes.incrementAndGet();
        return () -> {
            log.log(told, "{0}: {1} -> {2} ({3})", kind, describe(previous), describe(now), cause);
            if (before == after) {
                return;
            }
            for (Listener<S> listener : listeners) {
                if (changes.get() != change) {
                    // A later change was made meanwhile (on another thread, or by a listener): its
                    // listeners are told, or being told, of it, and this older one would come after it,
                    // leaving them on a service that is no longer current.
                    return;
                }
                try {
                    listener.currentChanged(before, after);
                } catch (RuntimeException e) {
                    log.log(Level.ERROR, "a listener of the " + kind + " registry failed", e);
                }
            }
        };
    }

    private Choice<S> decide() {
        if (explicit != null) {
            String name = entries.stream().filter(e -> e.service() == explicit).map(Entry::name)
                    .findFirst().orElse(explicit.getClass().getName());
            return new Choice<>(explicit, name, Reason.EXPLICIT);
        }
        if (configured != null) {
            for (Entry<S> entry : entries) {
                if (entry.name().equals(configured)) {
                    return new Choice<>(entry.service(), entry.name(), Reason.CONFIGURED);
                }
            }
        }
        if (entries.isEmpty()) {
            return null;
        }
        Entry<S> best = entries.get(0);
        return new Choice<>(best.service(), best.name(), Reason.RANKED);
    }

    private static String describe(Choice<?> choice) {
        return choice == null ? "none" : "'" + choice.name() + "' (" + choice.reason() + ")";
    }

    // Outside OSGi the first use looks for ServiceLoader providers. Other threads wait for the
    // result; a provider constructor calling back in (same thread) sees the registry as it is. The
    // providers' constructors are the one user code run under sourceLock, once per registry and only
    // outside OSGi: a thread's first call must see the providers, so it waits for them to be made, and a
    // constructor that waits for another thread's first call waits for ever. Said in docs/ARCHITECTURE.md.
    private void ensureSourced() {
        if (sourced) {
            return;
        }
        Runnable notify = () -> { };
        String namesNothing = null;
        List<Runnable> warnings = new ArrayList<>();
        synchronized (sourceLock) {
            if (sourced || loading) {
                return;
            }
            loading = true;
            try {
                List<Entry<S>> found = loadProviders(warnings);
                String property = configurationProperty == null ? null : System.getProperty(configurationProperty);
                synchronized (this) {
                    entries.addAll(found);
                    entries.sort(RANK_ORDER);
                    if (configured == null && property != null && !property.isBlank()) {
                        configured = property.trim();
                        String name = configured;
                        if (entries.stream().noneMatch(e -> e.name().equals(name))) { // a misspelt one went unsaid
                            namesNothing = "-D" + configurationProperty + "=" + name + " names no " + kind
                                    + " installed (" + knownNames() + ")";
                        }
                    }
                    // The first choice outside OSGi is no news: only later changes are worth an INFO line.
                    notify = update("found through ServiceLoader", Level.DEBUG);
                }
            } finally {
                loading = false;
                sourced = true;
            }
        }
        // Told once sourced and out of sourceLock, as every change is told out of the registry's lock:
        // a listener or log handler that waits for another thread's call to this registry would
        // otherwise wait for a thread that waits for sourceLock (RankedRegistryTest).
        warnings.forEach(Runnable::run);
        if (namesNothing != null) {
            log.log(Level.WARNING, namesNothing);
        }
        notify.run();
    }

    // What goes wrong is added to `warnings`, said once sourceLock is released: a log handler is user
    // code (RankedRegistryProviderReentrancyTest).
    private List<Entry<S>> loadProviders(List<Runnable> warnings) {
        List<Entry<S>> found = new ArrayList<>();
        // The service type's own class loader, not the thread's: a framework stopping calls in on
        // threads whose context loader holds other copies of the interface (FrameworkShutdownIT
        // logged "cannot list event loop policy providers" twice), and inside OSGi the contract's
        // loader sees no providers at all, as it should: there the trackers are the source.
        ServiceLoader<S> loader = ServiceLoader.load(type, type.getClassLoader());
        try {
            loader.stream().forEach(provider -> {
                Class<? extends S> implementation = provider.type();
                try {
                    S service = provider.get();
                    ServiceRanking ranking = implementation.getAnnotation(ServiceRanking.class);
                    LoopkitName name = implementation.getAnnotation(LoopkitName.class);
                    Module module = implementation.getModule();
                    found.add(new Entry<>(service,
                            name == null ? implementation.getSimpleName() : name.value(),
                            ranking == null ? 0 : ranking.value(),
                            serviceLoaderIds.incrementAndGet(),
                            module.isNamed() ? module.getName() : "classpath"));
                } catch (ServiceConfigurationError | RuntimeException e) {
                    UnsupportedOperationException refusal = refusal(e);
                    if (refusal != null) { // it cannot work here, and says why: one line, no stack
                        warnings.add(() -> log.log(Level.INFO, kind + " provider " + implementation.getName() + " is unavailable: "
                                + refusal.getMessage()));
                    } else {
                        warnings.add(() -> log.log(Level.WARNING, "cannot load " + kind + " provider " + implementation.getName(), e));
                    }
                }
            });
        } catch (ServiceConfigurationError e) {
            warnings.add(() -> log.log(Level.WARNING, "cannot list " + kind + " providers", e));
        }
        return found;
    }

    /**
     * The {@link UnsupportedOperationException} a provider refused with, the way one that cannot work here
     * says why (the epoll loop with LOOPKIT_EPOLL=off); {@code null} for any other failure. Every
     * module-path start printed a ServiceConfigurationError's stack, twice, for a documented switch (two
     * outside reviews; RankedRegistryUnavailableProviderTest).
     */
    private static UnsupportedOperationException refusal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnsupportedOperationException refused && refused.getMessage() != null) {
                return refused;
            }
        }
        return null;
    }
}
