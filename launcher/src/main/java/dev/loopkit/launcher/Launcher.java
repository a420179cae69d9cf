package dev.loopkit.launcher;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.felix.main.AutoProcessor;
import org.apache.felix.main.Main;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Starts the Loopkit distribution: Apache Felix with the bundles of {@code bundle/}, configured by
 * {@code conf/config.properties} (Felix's own launcher code reads it and deploys the bundles).
 *
 * <ul>
 * <li>No argument: the platform. Also starts the bundles of {@code server/} (the Web Console on Felix
 * HTTP, the MetaType service) and the Gogo shell of {@code shell/},
 * and runs until the shell exits ({@code exit [status]}, {@link ShellExit}, or Ctrl-D).</li>
 * <li>{@code -c "<command>"}: runs one Gogo command, prints its result, stops the framework and
 * exits 0, or 1 when the command failed.</li>
 * </ul>
 *
 * <p>State lives under {@code loopkit.data} (default {@code <home>/data}): the bundle cache, cleaned
 * at each start, and ConfigAdmin's files, kept so that configured choices survive restarts.
 */
public final class Launcher {

    /** The symbolic name of JLine's bundle in {@code shell/}. */
    private static final String JLINE = "org.jline";
    private static final long START_TIMEOUT_SECONDS = 60;

    private Launcher() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception | LinkageError e) {
            // The framework's threads would keep the JVM alive with no shell and nothing said:
            // say why and exit (the shutdown hook stops the framework).
            // Loopkit's own refusals are sentences; anything else is told with its class
            System.err.println("loopkit: " + (e instanceof IllegalStateException && e.getMessage() != null ? e.getMessage() : e));
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        String command = null;
        if (args.length == 2 && args[0].equals("-c")) {
            command = args[1];
        } else if (args.length != 0) {
            System.err.println("usage: loopkit [-c \"<gogo command>\"]   (no argument: interactive shell)");
            System.exit(args.length == 1 && (args[0].equals("-h") || args[0].equals("--help")) ? 0 : 2);
        }
        Path home = Path.of(System.getProperty("loopkit.home", ".")).toAbsolutePath().normalize();
        Path data = Path.of(System.getProperty("loopkit.data", home.resolve("data").toString())).toAbsolutePath();
        DataLock.acquire(data); // before anything in it is touched: the log, the bundle cache
        // Gogo replaces System.out and System.err with per-thread streams; a session must get the real ones.
        PrintStream out = System.out;
        PrintStream err = System.err;
        Logging.configure(home.resolve("conf/logging.properties"), data.resolve("log"));
        Started started = start(home, data, command == null, out);
        Framework framework = started.framework();
        ShellExit exit = started.exit();
        if (command == null) {
            FrameworkEvent stopped = framework.waitForStop(0);
            System.exit(exit.statusOr(stopped.getType() == FrameworkEvent.ERROR ? 1 : 0));
        }
        int status = new GogoCommand(framework.getBundleContext(), out, err).run(command);
        framework.stop();
        framework.waitForStop(TimeUnit.SECONDS.toMillis(30));
        System.exit(exit.statusOr(status));
    }

    /** The started framework, and the {@code exit} command that may have been given a status. */
    private record Started(Framework framework, ShellExit exit) {
    }

    private static Started start(Path home, Path data, boolean platform, PrintStream out) throws Exception {
        System.setProperty("loopkit.home", home.toString());
        System.setProperty("loopkit.data", data.toString());
        if (System.getProperty(Main.CONFIG_PROPERTIES_PROP) == null) {
            System.setProperty(Main.CONFIG_PROPERTIES_PROP, home.resolve("conf/config.properties").toUri().toString());
        }
        Map<String, String> config = Main.loadConfigProperties();
        if (config == null) {
            throw new IllegalStateException("no configuration at " + System.getProperty(Main.CONFIG_PROPERTIES_PROP));
        }
        checkConfiguration(config, System.getProperty(Main.CONFIG_PROPERTIES_PROP));
        Main.copySystemProperties(config);
        config.put(AutoProcessor.AUTO_DEPLOY_DIR_PROPERTY, home.resolve("bundle").toString());
        boolean console = platform && WebConsole.configure(config, data, out);

        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"))
                .newFramework(config);
        framework.init();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(framework), "loopkit-shutdown"));
        ShellExit exit = ShellExit.register(framework);
        AutoProcessor.process(config, framework.getBundleContext());
        CountDownLatch started = new CountDownLatch(1);
        framework.getBundleContext().addFrameworkListener(event -> {
            if (event.getType() == FrameworkEvent.STARTED) {
                started.countDown();
            } else if (event.getType() == FrameworkEvent.ERROR) {
                System.err.println("loopkit: " + event.getBundle().getSymbolicName() + ": " + event.getThrowable());
            }
        });
        framework.start();
        if (!started.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the framework did not start within " + START_TIMEOUT_SECONDS + " s");
        }
        if (console) {
            startServer(framework, home.resolve("server").toFile());
        }
        if (platform) {
            startShell(framework, home.resolve("shell").toFile());
        }
        return new Started(framework, exit);
    }

    /**
     * Refuses a configuration that installs no bundle or puts the bundle cache nowhere of its own: an
     * emptied or damaged {@code conf/config.properties} had the launcher wait 30 s for a shell that
     * could never come, then blame the shell, with Felix's cache made in the working directory.
     */
    static void checkConfiguration(Map<String, String> config, String source) {
        String action = config.get(AutoProcessor.AUTO_DEPLOY_ACTION_PROPERTY);
        boolean installs = action != null && Arrays.stream(action.split(",")).map(String::trim).anyMatch("install"::equals);
        boolean stores = config.get(Constants.FRAMEWORK_STORAGE) != null;
        if (installs && stores) {
            return;
        }
        throw new IllegalStateException(source + " sets no " + (installs ? "" : AutoProcessor.AUTO_DEPLOY_ACTION_PROPERTY
                + " with install") + (installs || stores ? "" : ", nor ") + (stores ? "" : Constants.FRAMEWORK_STORAGE)
                + ": is it empty or damaged? (the distribution's has " + AutoProcessor.AUTO_DEPLOY_ACTION_PROPERTY
                + "=install,start and " + Constants.FRAMEWORK_STORAGE + "=${loopkit.data}/felix-cache)");
    }

    /**
     * Installs and starts the bundles of {@code serverDirectory}, those a running platform has beside
     * bundle/ and a one-command run (-c) does without: an HTTP server, which another platform may hold
     * the port of. (FileInstall is in bundle/: a one-command run must read an edit of conf/ made since
     * the last run, or it ran with the old choice and wrote it back over the edit.)
     */
    private static void startServer(Framework framework, File serverDirectory) throws BundleException {
        List<Bundle> server = new ArrayList<>();
        for (File jar : jars(serverDirectory)) {
            server.add(framework.getBundleContext().installBundle(jar.toURI().toString()));
        }
        // As Felix's auto-deploy does for bundle/: a bundle that fails is reported and the rest starts,
        // the platform and its shell do not depend on the server's bundles.
        for (Bundle bundle : server) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    bundle.start();
                } catch (BundleException e) {
                    Throwable why = e.getCause() != null ? e.getCause() : e;
                    System.err.println("loopkit: " + bundle.getSymbolicName() + " (" + serverDirectory.getName()
                            + "/) did not start: " + why);
                }
            }
        }
    }

    private static File[] jars(File directory) {
        File[] jars = directory.listFiles((dir, name) -> name.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            throw new IllegalStateException("no bundles in " + directory);
        }
        Arrays.sort(jars);
        return jars;
    }

    /**
     * Starts the Gogo shell of {@code shellDirectory} once everything else has started, so that its
     * first prompt finds the commands, with JLine's class loader as the thread's context class loader.
     *
     * <p>JLine 3.30 looks for its terminal providers (jni, exec, ...) through the context class
     * loader only. The launcher's is the class path's, which has no JLine: every provider was "not
     * found", and Gogo got a dumb terminal. A dumb terminal leaves the tty in the kernel's canonical
     * mode and installs no SIGINT handler, so a typed Ctrl-C was SIGINT for the JVM, whose default
     * handler ran the shutdown hooks: the framework stopped (exit 130). A real terminal takes over
     * SIGINT, and Gogo's shell then clears the line or interrupts the foreground command.
     */
    private static void startShell(Framework framework, File shellDirectory) throws BundleException {
        List<Bundle> shell = new ArrayList<>();
        for (File jar : jars(shellDirectory)) {
            shell.add(framework.getBundleContext().installBundle(jar.toURI().toString()));
        }
        framework.adapt(FrameworkWiring.class).resolveBundles(shell);
        Bundle jline = shell.stream().filter(bundle -> JLINE.equals(bundle.getSymbolicName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("no JLine bundle (" + JLINE + ") in " + shellDirectory));
        BundleWiring jlineWiring = jline.adapt(BundleWiring.class);
        if (jlineWiring == null) {
            throw new IllegalStateException("JLine (" + jline.getLocation() + ") does not resolve");
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(jlineWiring.getClassLoader());
        try {
            for (Bundle bundle : shell) {
                if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    bundle.start();
                }
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void stopQuietly(Framework framework) {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                framework.stop();
                framework.waitForStop(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (BundleException | InterruptedException e) {
            System.err.println("loopkit: error stopping the framework: " + e);
        }
    }
}
