package dev.loopkit.platform.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.Test;

/**
 * Lincheck's model checker against the store's saves from two threads, each a read of the stored
 * properties, a change and a write back, made outside any lock. Run one at a time, the saves leave
 * every key saved stored with its last value, and no two threads write at once. Each save says
 * whether that holds when it returns (unless another save is under way: its change may still be
 * being written); sequentially every one returns {@code true}, so an interleaving where one returns
 * {@code false} is reported: a change lost to another thread's write, or two writes at once.
 *
 * <p>10 scenarios of 500 interleavings, about 10 s; {@code -Dloopkit.lincheck.store.iterations=N}
 * for another number of scenarios. With the store writing outside its {@code SerialWork}, it reports two
 * writes at once in its first scenarios.
 */
@Param(name = "key", gen = IntGen.class, conf = "0:1")
@Param(name = "value", gen = IntGen.class, conf = "0:2")
public class ConfigAdminChoiceStoreLincheckTest {

    private static final int ITERATIONS = Integer.getInteger("loopkit.lincheck.store.iterations", 10);
    private static final int INVOCATIONS = Integer.getInteger("loopkit.lincheck.invocations", 500);
    private static final String[] KEYS = {"policy", "watcher"};

    // Every class the operations use is loaded before the checker runs (Lincheck reports class
    // loading in one interleaving and not the next as non-determinism).
    static {
        ConfigAdminChoiceStoreLincheckTest warm = new ConfigAdminChoiceStoreLincheckTest();
        warm.save(0, 0);
        warm.save(1, 1);
    }

    private final InMemoryConfigurationAdmin memory = new InMemoryConfigurationAdmin();
    private final ConfigAdminChoiceStore store;
    // Guarded by this: the saves under way, of all keys and of each; the values each key may end with.
    private int underWay;
    private final Map<String, Integer> underWayOf = new HashMap<>();
    private final Map<String, Set<String>> allowed = new HashMap<>();

    public ConfigAdminChoiceStoreLincheckTest() {
        try {
            store = memory.injectInto(new ConfigAdminChoiceStore());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Operation
    public boolean save(@Param(name = "key") int key, @Param(name = "value") int value) {
        String name = KEYS[key];
        String text = Integer.toString(value);
        synchronized (this) {
            underWay++;
            // alone, this save's value is the key's last; beside another save of the key, either may be
            if (underWayOf.merge(name, 1, Integer::sum) == 1) {
                allowed.put(name, new HashSet<>());
            }
            allowed.get(name).add(text);
        }
        store.save(name, text);
        synchronized (this) {
            boolean inLine = underWay > 1 || inLine(memory.stored());
            underWay--;
            underWayOf.merge(name, -1, Integer::sum);
            return inLine && !memory.twoWritesAtOnce();
        }
    }

    // Every key saved is stored, with a value it may end with; nothing else is stored.
    private boolean inLine(Hashtable<String, Object> stored) {
        if (stored == null || !stored.keySet().equals(allowed.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> entry : stored.entrySet()) {
            if (!allowed.get(entry.getKey()).contains(entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Test
    public void noChangeIsLostAndNoTwoWritesOverlap() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1);
        new LinChecker(ConfigAdminChoiceStoreLincheckTest.class, options).check();
    }
}
