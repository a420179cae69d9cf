package dev.loopkit.loop.epoll.internal;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.TrackingLoopFactory;
import dev.loopkit.loop.epoll.EpollEventLoop;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code epoll} event loop factory; its loops are shut down when its bundle stops. Satisfied by
 * the {@link EpollWorks} marker {@link EpollProbe} registers only where the loop works. Its rank among the factories matters to no policy
 * (each names its factory): what makes epoll loops the default where they work is the
 * {@link dev.loopkit.loop.epoll.EpollEventLoopPolicy}'s rank among the policies.
 */
@Component(service = EventLoopFactory.class, immediate = true, reference = @Reference(name = "epollWorks", service = EpollWorks.class))
@ServiceRanking(EpollLoopFactory.RANKING)
@LoopkitName(EpollLoopFactory.NAME)
public final class EpollLoopFactory extends TrackingLoopFactory {

    public static final String NAME = "epoll";
    public static final int RANKING = 10;

    /**
     * The provider {@link java.util.ServiceLoader} asks for on the module path: refused, with the
     * reason, where the loop cannot work (the registry logs it and lists the others).
     */
    public static EpollLoopFactory provider() {
        String reason = EpollEventLoop.unavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException("the epoll loop cannot work here: " + reason);
        }
        return new EpollLoopFactory();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected BaseEventLoop createLoop() {
        return new EpollEventLoop();
    }
}
