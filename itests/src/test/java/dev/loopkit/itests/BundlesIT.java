package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The distribution's bundles in the framework under test (Apache Felix, and Eclipse Equinox in the
 * build's {@code equinox} run): all active, all services published with their ranking.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundlesIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution();
    }

    /** The build names the framework each run is for: Pax Exam takes whichever is on the class path. */
    @Test
    public void theFrameworkIsTheOneThisRunIsFor() {
        String expected = System.getProperty("loopkit.itests.framework", "org.apache.felix.framework");
        assertEquals(expected, context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getSymbolicName());
    }

    @Test
    public void everyBundleOfTheDistributionIsActive() {
        List<String> notActive = new ArrayList<>();
        List<String> loopkit = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (bundle.getState() != (fragment ? Bundle.RESOLVED : Bundle.ACTIVE)) {
                notActive.add(bundle.getSymbolicName() + " state " + bundle.getState());
            }
            if (bundle.getSymbolicName().startsWith("dev.loopkit.")) {
                loopkit.add(bundle.getSymbolicName());
            }
        }
        assertEquals(List.of(), notActive);
        assertTrue(loopkit.toString(), loopkit.containsAll(List.of("dev.loopkit.api", "dev.loopkit.loop.core",
                "dev.loopkit.loop.selector", "dev.loopkit.loop.proactor", "dev.loopkit.loop.epoll", "dev.loopkit.policy", "dev.loopkit.platform",
                "dev.loopkit.shell")));
    }

    @Test
    public void policiesAndLoopFactoriesArePublishedWithNameAndTypedRanking() throws InvalidSyntaxException {
        // epoll (150): enabled by its probe where the epoll loop works, above the default policy
        Await.until("every policy registered", () -> ranking(EventLoopPolicy.class).size() == EpollPolicy.names().size());
        assertEquals(EpollPolicy.rankings(), ranking(EventLoopPolicy.class));
        // epoll: enabled by its probe where epoll and eventfd work, as its policy is
        Map<String, Integer> factories = new TreeMap<>(Map.of("selector", 100, "proactor", 50));
        if (EpollPolicy.works()) {
            factories.put("epoll", 10);
        }
        Await.until("every loop factory registered", () -> ranking(EventLoopFactory.class).size() == factories.size());
        assertEquals(factories, ranking(EventLoopFactory.class));
    }

    private <S> Map<String, Integer> ranking(Class<S> type) {
        try {
            Map<String, Integer> rankings = new TreeMap<>();
            for (ServiceReference<S> reference : context.getServiceReferences(type, null)) {
                // typed: an Integer, not the String "100" an untyped DS property would give
                rankings.put((String) reference.getProperty("loopkit.name"), (Integer) reference.getProperty(Constants.SERVICE_RANKING));
            }
            return rankings;
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
