package dev.loopkit.jmx;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry.Entry;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** {@code dev.loopkit:type=Children}. */
final class ChildrenBean implements ChildrenMXBean {

    @Override
    public Map<String, long[]> getHeld() {
        Map<String, long[]> held = new TreeMap<>();
        for (Entry<ChildWatcher> entry : ProcessWide.get().childWatchers().entries()) {
            held.merge(entry.name(), sorted(entry.service().children().keySet()), ChildrenBean::concat);
        }
        return held;
    }

    @Override
    public long[] getOrphans() {
        return sorted(ProcessWide.get().watcherSwitch().orphans().keySet());
    }

    @Override
    public int getTotal() {
        return ProcessWide.get().registeredChildren().size();
    }

    private static long[] sorted(Collection<Long> pids) {
        return pids.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    private static long[] concat(long[] a, long[] b) {
        long[] both = new long[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
