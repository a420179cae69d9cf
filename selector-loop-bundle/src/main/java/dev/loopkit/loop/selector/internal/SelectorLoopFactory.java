package dev.loopkit.loop.selector.internal;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.TrackingLoopFactory;
import dev.loopkit.loop.selector.SelectorEventLoop;
import org.osgi.service.component.annotations.Component;

/** The {@code selector} event loop factory; its loops are shut down when its bundle stops. */
@Component(service = EventLoopFactory.class, immediate = true)
@ServiceRanking(100)
@LoopkitName(SelectorLoopFactory.NAME)
public final class SelectorLoopFactory extends TrackingLoopFactory {

    public static final String NAME = "selector";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected BaseEventLoop createLoop() {
        return new SelectorEventLoop();
    }
}
