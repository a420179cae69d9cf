package dev.loopkit.itests.bundles;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** An activator that refuses to start, as a server bundle with a missing piece does. */
public final class FailingActivator implements BundleActivator {

    public static final String WHY = "this test bundle refuses to start";

    @Override
    public void start(BundleContext context) {
        throw new IllegalStateException(WHY);
    }

    @Override
    public void stop(BundleContext context) {
    }
}
