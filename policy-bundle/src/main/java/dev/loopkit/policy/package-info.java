/**
 * asyncio's built-in policies: {@link dev.loopkit.policy.DefaultEventLoopPolicy} (per-thread
 * loops, asyncio 3.12 semantics), {@link dev.loopkit.policy.SelectorEventLoopPolicy} and
 * {@link dev.loopkit.policy.ProactorEventLoopPolicy}.
 */
@Export
@Version("1.0.0")
package dev.loopkit.policy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
