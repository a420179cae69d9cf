package dev.loopkit.itests.bundles;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.api.spi.ServiceRanking;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import org.osgi.service.component.annotations.Component;

/**
 * A user's own child watcher, ranked above Loopkit's: installing its bundle while children run
 * makes it current and hands them over. Packaged into its own bundle by {@link TestBundles}.
 */
@Component(service = ChildWatcher.class)
@ServiceRanking(1000)
@LoopkitName("mine")
public class MineChildWatcher extends ThreadedChildWatcher {
}
