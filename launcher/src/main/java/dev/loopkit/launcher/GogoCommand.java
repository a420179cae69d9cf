package dev.loopkit.launcher;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Runs one Gogo command through the framework's {@code CommandProcessor}. The launcher lives outside
 * the framework, so Gogo's API is reached by reflection on the service, through Gogo's own class
 * loader.
 */
final class GogoCommand {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";
    /** Gogo's {@code Converter.INSPECT}: format a result the way the interactive shell prints it. */
    private static final int INSPECT = 0;
    private static final long WAIT_SECONDS = 30;

    private final BundleContext context;
    private final PrintStream out;
    private final PrintStream err;

    GogoCommand(BundleContext context, PrintStream out, PrintStream err) {
        this.context = context;
        this.out = out;
        this.err = err;
    }

    /** Runs {@code command}; 0 when it succeeded, 1 when it failed or could not run. */
    int run(String command) throws InterruptedException {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context, PROCESSOR, null);
        tracker.open();
        try {
            Object processor = tracker.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            if (processor == null) {
                err.println("loopkit: no Gogo command processor after " + WAIT_SECONDS + " s");
                return 1;
            }
            return execute(processor, command);
        } finally {
            tracker.close();
        }
    }

    private int execute(Object processor, String command) {
        try {
            ClassLoader gogo = processor.getClass().getClassLoader();
            Class<?> processorType = gogo.loadClass(PROCESSOR);
            Class<?> sessionType = gogo.loadClass(SESSION);
            Method createSession = processorType.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class);
            Object session = createSession.invoke(processor, System.in, out, err);
            try {
                Object result = sessionType.getMethod("execute", CharSequence.class).invoke(session, command);
                if (result != null) {
                    Object text = sessionType.getMethod("format", Object.class, int.class).invoke(session, result, INSPECT);
                    out.println(text.toString().stripTrailing());
                }
                return 0;
            } finally {
                sessionType.getMethod("close").invoke(session);
            }
        } catch (InvocationTargetException e) {
            Throwable failure = e.getCause();
            while (failure instanceof InvocationTargetException && failure.getCause() != null) {
                failure = failure.getCause(); // Gogo's own reflection wraps the command's exception
            }
            err.println("Error: " + (failure.getMessage() != null ? failure.getMessage() : failure.toString()));
            if (Boolean.getBoolean("loopkit.trace")) {
                failure.printStackTrace(err);
            }
            return 1;
        } catch (ReflectiveOperationException e) {
            err.println("loopkit: cannot use Gogo's command processor: " + e);
            return 1;
        } finally {
            out.flush();
        }
    }
}
