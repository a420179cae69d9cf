package dev.loopkit.policy;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** asyncio's {@code WindowsSelectorEventLoopPolicy}, on every OS: per-thread selector loops. */
@Component(service = EventLoopPolicy.class)
@ServiceRanking(SelectorEventLoopPolicy.RANKING)
@LoopkitName(SelectorEventLoopPolicy.NAME)
public class SelectorEventLoopPolicy extends DefaultEventLoopPolicy {

    public static final String NAME = "selector";
    public static final int RANKING = 50;

    public SelectorEventLoopPolicy() {
        super("selector");
    }

    @Activate
    public SelectorEventLoopPolicy(
            @Reference(name = "loops", target = "(loopkit.name=selector)") EventLoopFactory loopFactory) {
        super(loopFactory);
    }
}
