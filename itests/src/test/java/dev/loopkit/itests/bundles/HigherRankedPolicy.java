package dev.loopkit.itests.bundles;

import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import org.osgi.service.component.annotations.Component;

/**
 * What a user bundle does to take over: a {@link DefaultEventLoopPolicy} subclass published with a
 * higher ranking. Packaged into its own bundle by {@link TestBundles}.
 */
@Component(service = EventLoopPolicy.class)
@ServiceRanking(1000)
@LoopkitName("higher")
public class HigherRankedPolicy extends DefaultEventLoopPolicy {
}
