package dev.loopkit.loop.proactor.internal;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.TrackingLoopFactory;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import org.osgi.service.component.annotations.Component;

/** The {@code proactor} event loop factory; its loops are shut down when its bundle stops. */
@Component(service = EventLoopFactory.class, immediate = true)
@ServiceRanking(50)
@LoopkitName(ProactorLoopFactory.NAME)
public final class ProactorLoopFactory extends TrackingLoopFactory {

    public static final String NAME = "proactor";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected BaseEventLoop createLoop() {
        return new ProactorEventLoop();
    }
}
