package dev.loopkit.api;

import java.util.ServiceLoader;

/**
 * Where the {@link LoopkitRuntime} is installed: the api's one piece of process-wide state. In OSGi
 * the runtime bundle installs it when it starts; on the module or class path the first use finds it
 * through {@link ServiceLoader}.
 */
public final class RuntimeHook {

    private static volatile LoopkitRuntime installed;

    private RuntimeHook() {
    }

    /** Installs {@code runtime}, replacing whatever was there (a runtime bundle updated gets a new class loader). */
    public static void install(LoopkitRuntime runtime) {
        installed = runtime;
    }

    /** The runtime installed, or {@code null}: no look-up. */
    public static LoopkitRuntime installed() {
        return installed;
    }

    /**
     * The runtime: the one installed, else the first one {@link ServiceLoader} finds beside the api.
     *
     * @throws IllegalStateException when there is none
     */
    public static LoopkitRuntime get() {
        LoopkitRuntime runtime = installed;
        return runtime != null ? runtime : discover();
    }

    // The api's own class loader, not the thread's: inside OSGi it sees no runtime (the runtime
    // bundle installs itself), and a class-path copy of the runtime seen by a thread's loader would
    // implement another copy of this interface.
    private static synchronized LoopkitRuntime discover() {
        if (installed == null) {
            installed = ServiceLoader.load(LoopkitRuntime.class, LoopkitRuntime.class.getClassLoader()).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No Loopkit runtime is present: start the"
                            + " dev.loopkit.runtime bundle (dev.loopkit:runtime-bundle), or put it on the module"
                            + " or class path"));
        }
        return installed;
    }
}
