package dev.loopkit.platform.internal;

import dev.loopkit.platform.PlatformConfiguration;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * ConfigAdmin with configuration {@value PlatformConfiguration#PID} in memory, for the store and the
 * configuration component. Two seams reproduce what Felix does on other threads: the next listing can
 * pause once it has read (a delivery preempted there), and an update calls a synchronous listener on
 * the updating thread after it stored (Felix's {@code SynchronousConfigurationListener}).
 */
final class InMemoryConfigurationAdmin {

    static final long HANG_GUARD_SECONDS = 30;

    private Hashtable<String, Object> stored; // guarded by this
    private int writing; // configurations got for writing and not updated yet; guarded by this
    private boolean twoWritesAtOnce; // guarded by this
    volatile CountDownLatch readThenPause;
    final CountDownLatch read = new CountDownLatch(1);
    /** Called with the properties stored, on the updating thread, as Felix calls synchronous listeners. */
    volatile Consumer<Dictionary<String, Object>> synchronousListener = properties -> { };

    ConfigurationAdmin admin() {
        return proxy(ConfigurationAdmin.class, (method, args) -> switch (method) {
            case "getConfiguration" -> {
                synchronized (this) {
                    twoWritesAtOnce |= ++writing > 1;
                }
                yield configuration(false);
            }
            case "listConfigurations" -> {
                Configuration snapshot = configuration(true);
                CountDownLatch pause = readThenPause;
                if (pause != null) {
                    readThenPause = null;
                    read.countDown();
                    await(pause);
                }
                yield new Configuration[] {snapshot};
            }
            default -> throw new UnsupportedOperationException(method);
        });
    }

    /** A copy of what is stored, or {@code null} if nothing ever was. */
    synchronized Hashtable<String, Object> stored() {
        return stored == null ? null : new Hashtable<>(stored);
    }

    /** Whether two threads were ever between {@code getConfiguration} and {@code update} at once. */
    synchronized boolean twoWritesAtOnce() {
        return twoWritesAtOnce;
    }

    private synchronized void store(Hashtable<String, Object> properties) {
        stored = properties;
        writing--;
    }

    // A snapshot keeps the properties as they were when it was listed, as a reader that got them then.
    private Configuration configuration(boolean snapshot) {
        Hashtable<String, Object> then = stored();
        return proxy(Configuration.class, (method, args) -> switch (method) {
            case "getProperties" -> snapshot ? then : stored();
            case "update" -> {
                @SuppressWarnings("unchecked")
                Dictionary<String, Object> properties = (Dictionary<String, Object>) args[0];
                Hashtable<String, Object> copy = new Hashtable<>();
                for (var keys = properties.keys(); keys.hasMoreElements(); ) {
                    String key = keys.nextElement();
                    copy.put(key, properties.get(key));
                }
                store(copy);
                synchronousListener.accept(copy);
                yield null;
            }
            default -> throw new UnsupportedOperationException(method);
        });
    }

    /** Sets the component's ConfigAdmin reference, as DS does. */
    <T> T injectInto(T component) throws ReflectiveOperationException {
        Field field = component.getClass().getDeclaredField("configurationAdmin");
        field.setAccessible(true);
        field.set(component, admin());
        return component;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    interface Answers {
        Object answer(String method, Object[] args);
    }

    static <T> T proxy(Class<T> type, Answers answers) {
        return type.cast(Proxy.newProxyInstance(InMemoryConfigurationAdmin.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> type.getSimpleName();
                    default -> answers.answer(method.getName(), args);
                }));
    }
}
