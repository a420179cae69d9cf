package dev.loopkit.policy;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** asyncio's {@code WindowsProactorEventLoopPolicy}, on every OS: per-thread proactor loops. */
@Component(service = EventLoopPolicy.class)
@ServiceRanking(ProactorEventLoopPolicy.RANKING)
@LoopkitName(ProactorEventLoopPolicy.NAME)
public class ProactorEventLoopPolicy extends DefaultEventLoopPolicy {

    public static final String NAME = "proactor";
    public static final int RANKING = 10;

    public ProactorEventLoopPolicy() {
        super("proactor");
    }

    @Activate
    public ProactorEventLoopPolicy(
            @Reference(name = "loops", target = "(loopkit.name=proactor)") EventLoopFactory loopFactory) {
        super(loopFactory);
    }
}
