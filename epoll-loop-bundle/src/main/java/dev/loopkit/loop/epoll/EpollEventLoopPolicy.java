package dev.loopkit.loop.epoll;

import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.loop.epoll.internal.EpollWorks;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Per-thread {@link EpollEventLoop}s, as uvloop's {@code EventLoopPolicy} hands out uvloop loops:
 * {@link DefaultEventLoopPolicy} in everything (contexts, the child watcher attached in the main
 * context) but the loop it makes.
 *
 * <p>Ranked {@value #RANKING}, above the {@code default} policy's {@value DefaultEventLoopPolicy#RANKING}:
 * where the epoll loop works, installing its bundle makes this policy process-wide, and stopping
 * the bundle (or the loop's factory going) leaves the {@code default} policy in charge again. The
 * bundle publishes it only where the loop works (its probe registers the {@link EpollWorks} marker it references); elsewhere
 * {@code loop:policies} lists it as unavailable with the reason ({@link EpollEventLoop#unavailableReason()},
 * which {@value EpollEventLoop#SWITCH}{@code =off} in the environment makes "off").
 */
@Component(service = EventLoopPolicy.class, reference = @Reference(name = "epollWorks", service = EpollWorks.class))
@ServiceRanking(EpollEventLoopPolicy.RANKING)
@LoopkitName(EpollEventLoopPolicy.NAME)
public class EpollEventLoopPolicy extends DefaultEventLoopPolicy {

    public static final String NAME = "epoll";
    public static final int RANKING = 150;

    /**
     * Loops from the installed {@link EventLoopFactory} called {@code epoll}; what
     * {@link java.util.ServiceLoader} makes outside OSGi.
     *
     * @throws UnsupportedOperationException with the reason, where the epoll loop cannot work: a
     *         policy whose every loop would fail must not be ranked above the default one
     */
    public EpollEventLoopPolicy() {
        super(NAME);
        String reason = EpollEventLoop.unavailableReason();
        if (reason != null) {
            throw new UnsupportedOperationException("the epoll loop cannot work here: " + reason);
        }
    }

    /** Loops from {@code loopFactory}; in OSGi, the {@code epoll} factory service the policy is published on. */
    @Activate
    public EpollEventLoopPolicy(
            @Reference(name = "loops", target = "(loopkit.name=" + NAME + ")") EventLoopFactory loopFactory) {
        super(loopFactory);
    }
}
