package dev.loopkit.runtime.internal;

import dev.loopkit.api.RuntimeHook;
import dev.loopkit.api.spi.UnavailableService;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
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
    /** The data file where a stopping runtime records the pids waiting in its orphanage. */
    private static final String ORPHANS = "orphans";

    private List<ServiceTracker<?, ?>> trackers = List.of();
    /** Set by stop(): the trackers' removals are this bundle's view going, not the services. */
    private volatile boolean stopping;
    private final ProcessWide runtime = ProcessWide.get();

    @Override
    public void start(BundleContext context) {
        stopping = false;
        RuntimeHook.install(runtime);
        adoptRecordedOrphans(context);
        trackers = List.of(
                track(context, runtime.policies(), gone -> { }),
                track(context, runtime.loopFactories(), gone -> { }),
                // a watcher service going away (its bundle stopping) is closed right after: whatever
                // children it still holds, current or not, go to the current watcher first
                track(context, runtime.childWatchers(), runtime::retire),
                trackUnavailable(context));
    }

    // The registries are emptied first, quietly: the services stay where they are (a watcher keeps
    // its children), only this bundle's view of them goes. Closing the trackers then retires no
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
    }

    /**
     * The children waiting in the orphanage, by pid, in this bundle's data area: an update and refresh
     * of this bundle drops the runtime, orphanage included, and they were never reaped (an outside
     * review's Pax Exam test found the zombie). A plain restart keeps the orphanage, and adopts nothing.
     */
    private void recordOrphans(BundleContext context) {
        File record = context.getDataFile(ORPHANS);
        if (record == null) {
            return; // no file system for bundles: nothing outlives this runtime
        }
        Set<Long> waiting = runtime.watcherSwitch().orphans().keySet();
        try {
            if (waiting.isEmpty()) {
                Files.deleteIfExists(record.toPath());
            } else {
                Files.write(record.toPath(), waiting.stream().map(String::valueOf).toList());
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot record the children waiting for a child watcher, pids " + waiting
                    + ": a refresh of the runtime bundle leaves them unreaped", e);
        }
    }

    /**
     * The children a runtime before this one recorded ({@link #recordOrphans}) that are still this
     * process's children and no watcher holds wait in the orphanage for the next watcher, which reaps
     * them. Their loops went with the old runtime's bundles: the exit is only logged.
     */
    private void adoptRecordedOrphans(BundleContext context) {
        File record = context.getDataFile(ORPHANS);
        if (record == null || !record.exists()) {
            return;
        }
        List<String> pids;
        try {
            pids = Files.readAllLines(record.toPath());
            Files.delete(record.toPath());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot read the children an earlier runtime left waiting", e);
            return;
        }
        Set<Long> held = runtime.registeredChildren();
        long self = ProcessHandle.current().pid();
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
                        "child process {0} exited with {1} after the runtime bundle was refreshed: the loop that ran"
                        + " it went with the old runtime", String.valueOf(child), String.valueOf(returncode)));
            }
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
                registry.unregister(service);
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
