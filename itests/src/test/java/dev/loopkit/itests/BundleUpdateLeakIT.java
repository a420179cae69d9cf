package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.runtime.ObjectMethods;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * A long-lived host updates bundles for years: each update and refresh must leave the bundle's old
 * class loader to the garbage collector. A thread, a static registry of another bundle, a JMX bean, a
 * JFR registration, a logging handler or a {@code ThreadLocal} that keeps one of its objects keeps
 * all its classes, for the life of the JVM.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundleUpdateLeakIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution();
    }

    @Test
    public void anUpdatedAndRefreshedBundleLeavesItsOldClassLoaderToTheCollector() throws Throwable {
        awaitAChildRun();
        FrameworkWiring frameworkWiring = context.getBundle(0).adapt(FrameworkWiring.class);
        // Those whose refresh leaves this test's own bundle alone (a refresh of the api would restart it)
        List<Bundle> updated = new ArrayList<>();
        ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();
        Map<Reference<? extends ClassLoader>, String> before = new LinkedHashMap<>();
        for (Bundle bundle : context.getBundles()) {
            String name = bundle.getSymbolicName();
            if (name.startsWith("dev.loopkit.") && !name.startsWith("dev.loopkit.itests")
                    && !frameworkWiring.getDependencyClosure(List.of(bundle)).contains(context.getBundle())) {
                BundleWiring wiring = bundle.adapt(BundleWiring.class);
                if (wiring != null && wiring.getClassLoader() != null) {
                    updated.add(bundle);
                    before.put(new WeakReference<>(wiring.getClassLoader(), collected), name);
                }
            }
        }
        System.out.println("BundleUpdateLeakIT: updating " + before.values());
        for (Bundle bundle : updated) {
            bundle.update();
        }
        CountDownLatch refreshed = new CountDownLatch(1);
        frameworkWiring.refreshBundles(updated, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        if (!refreshed.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("no refresh within 60 s");
        }
        awaitAChildRun();
        linkAnotherRecordsMethods();
        // each collected loader is enqueued: wait for the queue, collecting again while some are left
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!before.isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            for (Reference<? extends ClassLoader> gone = collected.remove(100); gone != null; gone = collected.poll()) {
                before.remove(gone);
            }
        }
        assertEquals("the old class loaders still reachable after 30 s of collections", List.of(), List.copyOf(before.values()));
    }

    /**
     * JDK 17's {@code MethodHandle.asTypeCache} holds the last method handle adapted from each of
     * {@code java.lang.runtime.ObjectMethods}' own, strongly (JDK-8078641, fixed in JDK 18, where a
     * soft reference holds it): the record whose {@code equals}, {@code hashCode} or {@code toString}
     * the JDK linked last stays reachable with its class loader until another record's are linked (a
     * heap dump of this test showed the old runtime's {@code RankedRegistry.Entry} held by
     * {@code ObjectMethods.OBJECT_EQ}, and nothing else). Linking this test's own record's methods,
     * as the host's next use of any record would, leaves what Loopkit itself holds to be checked.
     */
    private static void linkAnotherRecordsMethods() throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandle next = lookup.findGetter(Linked.class, "next", Linked.class);
        ObjectMethods.bootstrap(lookup, "equals", MethodType.methodType(boolean.class, Linked.class, Object.class), Linked.class, "next", next);
        ObjectMethods.bootstrap(lookup, "hashCode", MethodType.methodType(int.class, Linked.class), Linked.class, "next", next);
        ObjectMethods.bootstrap(lookup, "toString", MethodType.methodType(String.class, Linked.class), Linked.class, "next", next);
    }

    /** A record with a component of a type of this test's, so that each of its methods adapts a handle to it. */
    private record Linked(Linked next) {
    }

    // This test's own classes use only the api (and the itests' own), so that a refresh of the rest
    // leaves its bundle alone: the itests' helpers (Await and the others) would wire it to the runtime.
    private static void awaitAChildRun() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (;;) {
            try {
                runAChild();
                return;
            } catch (RuntimeException notUpYet) {
                if (System.nanoTime() > deadline) {
                    throw notUpYet;
                }
                Thread.sleep(50);
            }
        }
    }

    // What a host does between updates: a loop of the process-wide policy runs a child, reaped by the
    // current watcher.
    private static void runAChild() {
        EventLoop loop = Asyncio.newEventLoop();
        try {
            CompletableFuture<Void> exited = new CompletableFuture<>();
            SubprocessProtocol protocol = new SubprocessProtocol() {
                @Override
                public void processExited() {
                    exited.complete(null);
                }
            };
            SubprocessTransport transport = loop.runUntilComplete(
                    loop.subprocessExec(() -> protocol, List.of("/bin/true"), SubprocessOptions.defaults()));
            loop.callLater(30, () -> exited.completeExceptionally(new AssertionError("no exit within 30 s")));
            loop.runUntilComplete(exited);
            transport.close();
        } finally {
            loop.close();
        }
    }
}
