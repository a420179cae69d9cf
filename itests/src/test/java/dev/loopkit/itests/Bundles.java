package dev.loopkit.itests;

import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** Finding the framework's bundles by symbolic name. */
public final class Bundles {

    /** The five child watcher bundles' symbolic names. */
    public static final List<String> WATCHERS = List.of("dev.loopkit.watcher.threaded",
            "dev.loopkit.watcher.multiloop", "dev.loopkit.watcher.safe", "dev.loopkit.watcher.fast", "dev.loopkit.watcher.pidfd");

    private Bundles() {
    }

    /** The installed bundle called {@code symbolicName}. */
    public static Bundle named(BundleContext context, String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }
}
