package dev.loopkit.policy.internal;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Lincheck's model checker against the publisher's reconciling: factories come and go and the
 * component is activated and deactivated from two threads, each (un)registration made outside the
 * monitor as the fix for listeners requires. Run one at a time, the operations leave exactly the
 * policy of the first factory published while active, never two at once: each says whether what is
 * published is in line when it returns (unless the other is under way), and the fake context
 * counts registrations alive at once. Sequentially every operation returns {@code true}, so an
 * interleaving where one returns {@code false} is reported: a change lost while another thread
 * registered, or two registrations at once.
 *
 * <p>20 scenarios of 1,000 interleavings, ~20 s ({@code -Dloopkit.lincheck.publisher.iterations=N} for
 * another number of scenarios). It checks {@link dev.loopkit.runtime.SerialWork} as the publisher uses
 * it: each of the wrong versions tried (serving one request and clearing the count, so that a change made
 * meanwhile was lost; letting a second thread in beside the first) failed at this size; 4 scenarios of
 * 100 missed the second.
 */
@Param(name = "factory", gen = IntGen.class, conf = "0:1")
public class DefaultPolicyPublisherLincheckTest {

    private static final int ITERATIONS = Integer.getInteger("loopkit.lincheck.publisher.iterations", 20);
    private static final int INVOCATIONS = Integer.getInteger("loopkit.lincheck.invocations", 1000);
    private static final Map<String, Object> PROPERTIES = Map.of("loopkit.name", DefaultEventLoopPolicy.platformLoopFactoryName());

    // Every class the operations use is loaded before the checker runs (Lincheck reports class
    // loading in one interleaving and not the next as non-determinism).
    static {
        DefaultPolicyPublisherLincheckTest warm = new DefaultPolicyPublisherLincheckTest();
        warm.activate();
        warm.add(0);
        warm.add(1);
        warm.remove(0);
        warm.deactivate();
    }

    private final DefaultPolicyPublisher publisher = new DefaultPolicyPublisher();
    private final List<EventLoopFactory> factories = List.of(factory(), factory());
    // Guarded by this: the operations under way, the registrations alive, and whether there ever were two.
    private int underWay;
    private int alive;
    private boolean twoAtOnce;
    private final BundleContext context = fakeContext();

    /** Each operation says whether all is in line once it returns: always, when run one at a time. */
    @Operation
    public boolean add(@Param(name = "factory") int factory) {
        return checked(() -> publisher.addFactory(factories.get(factory), PROPERTIES));
    }

    @Operation
    public boolean remove(@Param(name = "factory") int factory) {
        return checked(() -> publisher.removeFactory(factories.get(factory)));
    }

    @Operation
    public boolean activate() {
        return checked(() -> publisher.activate(context));
    }

    @Operation
    public boolean deactivate() {
        return checked(publisher::deactivate);
    }

    /**
     * Runs {@code operation}, then whether what is published is in line (unless another operation
     * is under way: it may have changed what should be published and not reconciled yet) and there
     * never were two registrations at once. The count is read under the test's lock, so no
     * operation starts or ends while the publisher is asked.
     */
    private boolean checked(Runnable operation) {
        synchronized (this) {
            underWay++;
        }
        operation.run();
        synchronized (this) {
            boolean inLine = underWay > 1 || publisher.isInLine();
            underWay--;
            return inLine && !twoAtOnce;
        }
    }

    @Test
    public void noChangeIsLostAndNoPolicyIsPublishedTwice() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(2);
        new LinChecker(DefaultPolicyPublisherLincheckTest.class, options).check();
    }

    // Only registerService and unregister are called (and Object's methods, by the checker).
    private BundleContext fakeContext() {
        ServiceRegistration<?> registration = fake(ServiceRegistration.class, "unregister", () -> {
            synchronized (this) {
                alive--;
            }
            return null;
        });
        return fake(BundleContext.class, "registerService", () -> {
            synchronized (this) {
                if (++alive > 1) {
                    twoAtOnce = true;
                }
            }
            return registration;
        });
    }

    private <T> T fake(Class<T> type, String only, Supplier<Object> answer) {
        return type.cast(Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "fake " + type.getSimpleName();
                default:
                    if (!method.getName().equals(only)) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return answer.get();
            }
        }));
    }

    private static EventLoopFactory factory() {
        return new EventLoopFactory() {
            @Override
            public String name() {
                return DefaultEventLoopPolicy.platformLoopFactoryName();
            }

            @Override
            public EventLoop newEventLoop() {
                throw new UnsupportedOperationException();
            }
        };
    }

    static {
        // EventLoopPolicy is what the context is asked to register: loaded here, not in an interleaving
        EventLoopPolicy.class.getName();
    }
}
