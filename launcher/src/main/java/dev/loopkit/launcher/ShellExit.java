package dev.loopkit.launcher;

import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;

/**
 * The shell's {@code exit [status]}: stops the framework, as Ctrl-D does, and the launcher then exits
 * with the status (0 when none is given).
 *
 * <p>It replaces Gogo's own {@code system:exit}, which is {@code System.exit(int)}: a bare {@code exit}
 * failed with "Cannot coerce exit() to any of [(int)]" and the shell went on, and {@code exit 3} ran the
 * JVM's shutdown hooks on the shell's own thread, whose stop of the shell's bundle interrupted that
 * thread: the shell printed {@code java.lang.InterruptedException} on the way out. Gogo calls the
 * highest-ranked of the commands registered under one name, so the same scope and name with a ranking
 * above Gogo's 0 take its place.
 */
public final class ShellExit {

    private final Framework framework;
    private volatile Integer status;

    private ShellExit(Framework framework) {
        this.framework = framework;
    }

    /** Registers {@code system:exit} in {@code framework}, which must be initialised. */
    static ShellExit register(Framework framework) {
        ShellExit command = new ShellExit(framework);
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("osgi.command.scope", "system");
        properties.put("osgi.command.function", new String[] {"exit"});
        properties.put(Constants.SERVICE_RANKING, 1);
        properties.put(Constants.SERVICE_DESCRIPTION, "Loopkit: exit [status] stops the platform");
        framework.getBundleContext().registerService(Object.class, command, properties);
        return command;
    }

    /** {@code exit}: stops the platform; the launcher exits 0. */
    public void exit() throws BundleException {
        exit(0);
    }

    /** {@code exit <status>}: stops the platform; the launcher exits with {@code status}. */
    public void exit(int status) throws BundleException {
        this.status = status;
        framework.stop(); // returns at once: Felix stops the framework on a thread of its own
    }

    /** The status {@code exit} was given, or {@code otherwise} if it was not called. */
    int statusOr(int otherwise) {
        Integer given = status;
        return given != null ? given : otherwise;
    }
}
