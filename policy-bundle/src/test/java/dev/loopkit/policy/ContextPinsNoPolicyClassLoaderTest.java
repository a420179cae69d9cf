package dev.loopkit.policy;

import static org.junit.Assert.assertNull;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.Test;

/**
 * A thread that outlives a policy must not keep the policy's class loader. The platform's main loop
 * thread ({@code loopkit-main}) calls {@code setEventLoop(null)} on a policy when its loop goes; a
 * refresh of the policy bundle then drops the policy, but the thread's {@code ThreadLocal} entry kept
 * its value, a context of the policy bundle's own class, until that thread used a thread-local again:
 * an outside review counted 5 to 6 old policy-bundle class loaders after 5 to 20 refreshes, freed only
 * when {@code loopkit-main} was replaced. Here a class loader of its own stands for the refreshed bundle.
 */
public class ContextPinsNoPolicyClassLoaderTest {

    /** Loads the policy's own classes itself, as a bundle's class loader does; the rest from its parent. */
    private static final class PolicyBundleLoader extends ClassLoader {
        PolicyBundleLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(DefaultEventLoopPolicy.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    String resource = name.replace('.', '/') + ".class";
                    try (InputStream in = getParent().getResourceAsStream(resource)) {
                        byte[] bytes = in.readAllBytes();
                        loaded = defineClass(name, bytes, 0, bytes.length);
                    } catch (IOException | NullPointerException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return loaded;
            }
        }
    }

    @Test
    public void aThreadThatSetNoLoopThroughADroppedPolicyKeepsNoneOfItsClasses() throws Exception {
        assertNull("the policy's class loader is still reachable from a thread that set no loop through it",
                leftAfterGcByAThreadThatLivesOn(ContextPinsNoPolicyClassLoaderTest::setNoLoopThroughAPolicyOfItsOwnLoader));
    }

    /**
     * asyncio keeps each thread's loop in a {@code threading.local} of the policy, which goes with the
     * policy: a loop a thread set and nobody else holds is garbage then, and the loop's own finaliser
     * closes it if it was left open. A thread-local entry of a dropped policy kept the loop, and with it
     * the loop bundle's class loader after that bundle's refresh (an outside review, the epoll loop).
     */
    @Test
    public void aLoopSetInAThreadGoesWithTheDroppedPolicyWhileTheThreadLives() throws Exception {
        assertNull("the loop a thread set through a dropped policy is still reachable",
                leftAfterGcByAThreadThatLivesOn(ContextPinsNoPolicyClassLoaderTest::setALoopThroughAPolicyDroppedAfterwards));
    }

    /**
     * Runs {@code use} on a thread that then stays alive, touching no thread-local (as loopkit-main
     * between loops, or a pool's thread), and returns what of the object it names (through a weak
     * reference on the queue it is given) is still reachable after up to 50 collections, each followed by
     * a wait for the reference to be enqueued: {@code null} if it went.
     */
    private static Object leftAfterGcByAThreadThatLivesOn(Function<ReferenceQueue<Object>, WeakReference<?>> use)
            throws Exception {
        ReferenceQueue<Object> cleared = new ReferenceQueue<>();
        AtomicReference<WeakReference<?>> named = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        CountDownLatch used = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread livesOn = new Thread(() -> {
            try {
                named.set(use.apply(cleared));
            } catch (Throwable e) {
                failed.set(e);
            }
            used.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "outlives-the-policy");
        livesOn.start();
        try {
            used.await();
            assertNull(failed.get());
            for (int i = 0; i < 50 && named.get().get() != null; i++) {
                System.gc();
                if (cleared.remove(20) != null) {
                    break;
                }
            }
            return named.get().get();
        } finally {
            done.countDown();
            livesOn.join();
        }
    }

    private static WeakReference<?> setALoopThroughAPolicyDroppedAfterwards(ReferenceQueue<Object> cleared) {
        EventLoop loop = (EventLoop) Proxy.newProxyInstance(EventLoop.class.getClassLoader(),
                new Class<?>[] {EventLoop.class}, (proxy, method, args) -> {
                    if (method.getName().equals("toString")) {
                        return "the thread's loop";
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        EventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setEventLoop(loop);
        if (policy.getEventLoop() != loop) {
            throw new AssertionError("the loop was not set");
        }
        return new WeakReference<>(loop, cleared);
    }

    // Its own frame: nothing of the loader stays on the thread's stack once it returns.
    private static WeakReference<?> setNoLoopThroughAPolicyOfItsOwnLoader(ReferenceQueue<Object> cleared) {
        ClassLoader bundle = new PolicyBundleLoader(ContextPinsNoPolicyClassLoaderTest.class.getClassLoader());
        EventLoopPolicy policy;
        try {
            policy = (EventLoopPolicy) bundle.loadClass(DefaultEventLoopPolicy.class.getName()).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        policy.setEventLoop((EventLoop) null);
        return new WeakReference<>(bundle, cleared);
    }
}
