/**
 * asyncio's streams: {@link dev.loopkit.api.streams.StreamReader} and
 * {@link dev.loopkit.api.streams.StreamWriter} over any loop's transports, opened with
 * {@link dev.loopkit.api.streams.Streams#openConnection} and served with
 * {@link dev.loopkit.api.streams.Streams#startServer}.
 */
@Export
@Version("1.0.0")
package dev.loopkit.api.streams;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
