package dev.loopkit.itests;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** Finding the framework's bundles by symbolic name. */
public final class Bundles {

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
