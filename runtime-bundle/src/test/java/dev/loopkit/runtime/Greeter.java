package dev.loopkit.runtime;

import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;

/** A service type for registry tests; its providers are listed in META-INF/services. */
public interface Greeter {

    @ServiceRanking(10)
    @LoopkitName("low")
    class Low implements Greeter {
    }

    @ServiceRanking(50)
    @LoopkitName("high")
    class High implements Greeter {
    }

    /** No annotations: ranks 0, named after its class. */
    class Plain implements Greeter {
    }

    /** A tie with {@link High}: found later, so it ranks after it. */
    @ServiceRanking(50)
    @LoopkitName("high-too")
    class HighToo implements Greeter {
    }
}
