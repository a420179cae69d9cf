/**
 * What Loopkit's child watchers are built from: {@link dev.loopkit.watcher.base.ChildTable} (a
 * watcher's children, reaped and removed under its lock, delivered outside it, asyncio's warnings),
 * {@link dev.loopkit.watcher.base.SigchldThroughLoop} (asyncio's {@code BaseChildWatcher}: SIGCHLD
 * through the attached loop) and {@link dev.loopkit.watcher.base.AbstractChildWatcher} (logger,
 * SCR's deactivation).
 */
@Export
@Version("2.2.0")
package dev.loopkit.watcher.base;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
