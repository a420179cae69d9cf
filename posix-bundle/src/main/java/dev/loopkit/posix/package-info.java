/**
 * Loopkit's native access on Linux, through jnr-ffi: {@link dev.loopkit.posix.Posix} (pipes,
 * eventfd, {@code posix_spawn}, waits, pidfds, signals), {@link dev.loopkit.posix.Epoll} and
 * {@link dev.loopkit.posix.SignalPipe} (1.1: the real-time signals the JVM cannot catch), and
 * {@link dev.loopkit.posix.EnvironmentSwitch} (1.3: the switches that turn pidfds and epoll off).
 * The only package of Loopkit that declares native bindings.
 */
@Export
@Version("1.4.0")
package dev.loopkit.posix;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
