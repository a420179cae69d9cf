package dev.loopkit.shell;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.SynchronousBundleListener;

/**
 * {@link PlatformStop} in an OSGi framework: the system bundle's {@code STOPPING} event, which
 * synchronous listeners get before any other bundle stops. Only the framework's stop ends a run: a run
 * whose commands bundle alone stops or is updated goes on to its program's end (KarafLifecycleIT).
 */
public final class FrameworkStop implements PlatformStop {

    private final BundleContext context;

    /** The stop of the framework {@code context} belongs to. */
    public FrameworkStop(BundleContext context) {
        this.context = context;
    }

    @Override
    public Registration whenStopping(Runnable onStop) {
        SynchronousBundleListener listener = event -> {
            if (event.getType() == BundleEvent.STOPPING && event.getBundle().getBundleId() == Constants.SYSTEM_BUNDLE_ID) {
                onStop.run();
            }
        };
        context.addBundleListener(listener);
        return () -> {
            try {
                context.removeBundleListener(listener);
            } catch (IllegalStateException bundleStopped) {
                // the framework forgot the bundle's listeners itself
            }
        };
    }
}
