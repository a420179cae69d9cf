package dev.loopkit.loop.proactor.internal;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.loop.core.LoopTracker;
import dev.loopkit.loop.proactor.ProactorEventLoop;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The {@code proactor} event loop factory. When its bundle stops, every loop it made is shut down:
 * running loops stop and close on their own threads, and their pending callbacks are reported.
 */
@Component(service = EventLoopFactory.class)
@ServiceRanking(50)
@LoopkitName(ProactorLoopFactory.NAME)
public final class ProactorLoopFactory implements EventLoopFactory {

    public static final String NAME = "proactor";

    private final LoopTracker loops = new LoopTracker();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public EventLoop newEventLoop() {
        return loops.track(new ProactorEventLoop());
    }

    @Deactivate
    void deactivate() {
        loops.shutdownAll("the proactor loop bundle stopped");
    }
}
