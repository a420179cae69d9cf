package dev.loopkit.loop.epoll.internal;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.spi.UnavailableService;
import dev.loopkit.loop.epoll.ChildJvm;
import dev.loopkit.loop.epoll.EpollEventLoop;
import dev.loopkit.loop.epoll.EpollEventLoopPolicy;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.TreeSet;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.ComponentContext;

/**
 * What the probe publishes at bundle start: the factory and the policy where the loop works, or, in
 * their place, why not, under the kinds {@code loop:policies} and the other listings look for.
 */
public class EpollProbeTest {

    @Test
    public void whereTheLoopWorksTheMarkerTheFactoryAndThePolicyNeedIsRegisteredUntilTheBundleStops() {
        Recorded recorded = new Recorded();
        EpollProbe probe = new EpollProbe();
        probe.apply(recorded.context(), null);
        assertEquals(List.of("marker"), recorded.calls);

        probe.deactivate();
        assertEquals(List.of("marker", "unregister"), recorded.calls);
    }

    @Test
    public void elsewhereEachSaysWhyAndStopsSayingItWhenTheBundleStops() {
        Recorded recorded = new Recorded();
        EpollProbe probe = new EpollProbe();
        probe.apply(recorded.context(), "epoll_create1(2) failed: ENOSYS");
        assertEquals(new TreeSet<>(List.of(
                "unavailable event loop factory epoll: epoll_create1(2) failed: ENOSYS",
                "unavailable event loop policy epoll: epoll_create1(2) failed: ENOSYS")), new TreeSet<>(recorded.calls));

        probe.deactivate();
        assertEquals(2, recorded.calls.stream().filter(call -> call.startsWith("unregister")).count());
    }

    /** In the child JVM: what the probe does under this JVM's environment. */
    public static void main(String[] args) {
        Recorded recorded = new Recorded();
        new EpollProbe().apply(recorded.context(), EpollProbe.reasonItCannotWork());
        new TreeSet<>(recorded.calls).forEach(System.out::println);
    }

    @Test
    public void withTheEnvironmentSwitchOffNeitherIsPublishedAndBothSayWhy() throws IOException, InterruptedException {
        assertEquals(List.of("unavailable event loop factory epoll: LOOPKIT_EPOLL=off in the environment",
                "unavailable event loop policy epoll: LOOPKIT_EPOLL=off in the environment"),
                ChildJvm.linesOf(EpollProbeTest.class, EpollEventLoop.SWITCH, "off"));
    }

    /** A component context that records what the probe asks of it, as Felix SCR would carry it out. */
    private static final class Recorded {
        final List<String> calls = new ArrayList<>();

        ComponentContext context() {
            BundleContext bundle = proxy(BundleContext.class, (method, args) -> {
                if (!method.equals("registerService")) {
                    throw new UnsupportedOperationException(method);
                }
                Dictionary<?, ?> properties = (Dictionary<?, ?>) args[2];
                if (args[1] == EpollWorks.INSTANCE) {
                    calls.add("marker");
                } else {
                    UnavailableService service = (UnavailableService) args[1];
                    calls.add("unavailable " + properties.get(UnavailableService.KIND_PROPERTY) + " "
                            + properties.get("loopkit.name") + ": " + service.reason());
                    assertEquals(service.reason(), properties.get(UnavailableService.REASON_PROPERTY));
                }
                return proxy(ServiceRegistration.class, (unregister, none) -> calls.add(unregister));
            });
            return proxy(ComponentContext.class, (method, args) -> switch (method) {
                case "getBundleContext" -> bundle;
                default -> throw new UnsupportedOperationException(method);
            });
        }

        private interface Call {
            Object answer(String method, Object[] args);
        }

        private static <T> T proxy(Class<T> type, Call call) {
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (self, method, args) -> {
                        Object answer = call.answer(method.getName(), args);
                        return method.getReturnType() == void.class ? null : answer;
                    }));
        }
    }
}
