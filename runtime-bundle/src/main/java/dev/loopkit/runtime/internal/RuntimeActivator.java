package dev.loopkit.runtime.internal;

import dev.loopkit.api.RuntimeHook;
import dev.loopkit.api.spi.UnavailableService;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.osgi.annotation.bundle.Header;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Installs the process's runtime in the api's hook and feeds its three registries from the OSGi
 * service registry while this bundle is active: {@code service.ranking}, {@code service.id} and
 * {@code loopkit.name} of each service decide its place. {@link UnavailableService}s go to
 * {@link ProcessWide#unavailable()}.
 */
@Header(name = Constants.BUNDLE_ACTIVATOR, value = "${@class}")
public final class RuntimeActivator implements BundleActivator {

    private static final System.Logger LOG = System.getLogger("dev.loopkit.runtime");
    /**
     * The system property, followed by {@code .} and the framework's UUID, where a stopping runtime
     * records the children its watchers and orphanage hold: two frameworks in one JVM keep two records.
     */
    static final String ORPHANS = "dev.loopkit.runtime.orphans";

    private List<ServiceTracker<?, ?>> trackers = List.of();
    /** Set by stop(): the trackers' removals are this bundle's view going, not the services. */
    private volatile boolean stopping;
    private final ProcessWide runtime = ProcessWide.get();

    @Override
    public void start(BundleContext context) {
        stopping = false;
        RuntimeHook.install(runtime);
        trackers = List.of(
                track(context, runtime.policies(), gone -> { }),
                track(context, runtime.loopFactories(), gone -> { }),
                // a watcher service going away (its bundle stopping) is closed right after: whatever
                // children it still holds, current or not, go to the current watcher first
                track(context, runtime.childWatchers(), runtime::retire),
                trackUnavailable(context));
        // after the trackers: a watcher that outlived the old runtime still holds its children, and is
        // listed by now
        adoptRecordedOrphans(context);
    }

    // The registries are emptied first, quietly: the services stay where they are (a watcher keeps
    // its children), only this bundle's view of them goes; the facade then says the runtime is stopped. Closing the trackers then retires no
    // watcher: a retire with the registry empty moved its children to the orphanage, which reaps
    // nothing, and detached it from its loop (RuntimeStopLeavesChildrenTest).
    @Override
    public void stop(BundleContext context) {
        stopping = true;
        runtime.policies().reset("runtime bundle stopped");
        runtime.loopFactories().reset("runtime bundle stopped");
        runtime.childWatchers().reset("runtime bundle stopped");
        runtime.unavailable().clear();
        trackers.forEach(ServiceTracker::close);
        trackers = List.of();
        recordOrphans(context);
        RuntimeHook.install(new StoppedRuntime());
    }

    /**
     * Every child a watcher or the orphanage holds, by pid, in system property {@link #recordOf}: the
     * watchers keep their children while the runtime is down, but a watcher bundle that stops meanwhile
     * takes them along, retired by nobody; and an update and refresh of this bundle drops the runtime,
     * orphanage included (an outside review's Pax Exam test found the zombie). A system property, not
     * this bundle's data area: the children are the process's, and so is the record; an uninstall, as
     * Karaf's feature uninstall does, deletes the data area, and the runtime installed again found no
     * record (KarafLifecycleIT). Only pids go there, nothing that would hold this bundle's classes.
     */
    private void recordOrphans(BundleContext context) {
        Set<Long> waiting = runtime.registeredChildren();
        if (waiting.isEmpty()) {
            System.clearProperty(recordOf(context));
        } else {
            System.setProperty(recordOf(context), waiting.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
    }

    /** The system property of this framework's record: {@value #ORPHANS}, a dot and the framework's UUID. */
    static String recordOf(BundleContext context) {
        return ORPHANS + "." + context.getProperty(Constants.FRAMEWORK_UUID);
    }

    /**
     * The children a runtime before this one recorded ({@link #recordOrphans}) that are still this
     * process's children and no watcher holds (none listed now, none this runtime knew before a plain
     * restart) go to the current watcher, or wait in the orphanage for the next one, which reaps them.
     * Their loops went with the old runtime's bundles: the exit is only logged.
     */
    private void adoptRecordedOrphans(BundleContext context) {
        String record = System.clearProperty(recordOf(context));
        if (record == null) {
            return;
        }
        List<String> pids = List.of(record.split(","));
        Set<Long> held = runtime.registeredChildren();
        long self = ProcessHandle.current().pid();
        boolean adopted = false;
        for (String line : pids) {
            long pid;
            try {
                pid = Long.parseLong(line.strip());
            } catch (NumberFormatException notAPid) {
                continue; // a record damaged since: it can name no child of ours
            }
            boolean ours = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
                    .filter(parent -> parent == self).isPresent();
            if (ours && !held.contains(pid)) {
                runtime.watcherSwitch().adoptOrphan(pid, (child, returncode) -> LOG.log(Level.WARNING,
                        "child process {0} exited with {1} after the runtime bundle was refreshed or installed again: the"
                        + " loop that ran it went with the old runtime", String.valueOf(child), String.valueOf(returncode)));
                adopted = true;
            }
        }
        if (adopted) {
            runtime.watcherSwitch().reconcile(null, "children an earlier runtime left were adopted");
        }
    }

    private <S> ServiceTracker<S, S> track(BundleContext context, RankedRegistry<S> registry, Consumer<S> afterRemoval) {
        registry.attachExternalSource("tracking OSGi services");
        ServiceTracker<S, S> tracker = new ServiceTracker<>(context, registry.type(), null) {
            @Override
            public S addingService(ServiceReference<S> reference) {
                S service = context.getService(reference);
                if (service != null) {
                    register(registry, reference, service);
                }
                return service;
            }

            @Override
            public void modifiedService(ServiceReference<S> reference, S service) {
                register(registry, reference, service);
            }

            @Override
            public void removedService(ServiceReference<S> reference, S service) {
                registry.unregister(service, (Long) reference.getProperty(Constants.SERVICE_ID));
                if (!stopping) {
                    afterRemoval.accept(service);
                }
                context.ungetService(reference);
            }
        };
        tracker.open();
        return tracker;
    }

    private ServiceTracker<UnavailableService, UnavailableService> trackUnavailable(BundleContext context) {
        ServiceTracker<UnavailableService, UnavailableService> tracker = new ServiceTracker<>(context, UnavailableService.class, null) {
            @Override
            public UnavailableService addingService(ServiceReference<UnavailableService> reference) {
                UnavailableService service = context.getService(reference);
                if (service != null) {
                    runtime.unavailable().put(kindOf(reference), nameOf(reference, service), service.reason());
                }
                return service;
            }

            @Override
            public void removedService(ServiceReference<UnavailableService> reference, UnavailableService service) {
                runtime.unavailable().remove(kindOf(reference), nameOf(reference, service));
                context.ungetService(reference);
            }
        };
        tracker.open();
        return tracker;
    }

    private static String kindOf(ServiceReference<?> reference) {
        return reference.getProperty(UnavailableService.KIND_PROPERTY) instanceof String kind ? kind : "service";
    }

    private static String nameOf(ServiceReference<?> reference, Object service) {
        return reference.getProperty("loopkit.name") instanceof String name ? name : service.getClass().getSimpleName();
    }

    private static <S> void register(RankedRegistry<S> registry, ServiceReference<S> reference, S service) {
        Object ranking = reference.getProperty(Constants.SERVICE_RANKING);
        registry.register(service, nameOf(reference, service),
                ranking instanceof Integer i ? i : 0,
                (Long) reference.getProperty(Constants.SERVICE_ID),
                reference.getBundle() == null ? "unknown" : reference.getBundle().getSymbolicName());
    }
}
