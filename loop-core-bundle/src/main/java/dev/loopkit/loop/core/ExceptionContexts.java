package dev.loopkit.loop.core;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.TreeMap;

/** asyncio's {@code default_exception_handler} formatting: the message, then {@code key: value} lines. */
final class ExceptionContexts {

    private ExceptionContexts() {
    }

    static void log(System.Logger log, Map<String, Object> context) {
        Object message = context.get("message");
        StringBuilder text = new StringBuilder(
                message == null || message.toString().isEmpty() ? "Unhandled exception in event loop" : message.toString());
        for (Map.Entry<String, Object> entry : new TreeMap<>(context).entrySet()) {
            String key = entry.getKey();
            if (key.equals("message") || key.equals("exception")) {
                continue;
            }
            text.append('\n').append(key).append(": ");
            if (entry.getValue() instanceof StackTraceElement[] trace) {
                text.append(key.equals("handle_traceback") ? "Handle" : "Object").append(" created at (most recent call last):");
                for (int i = trace.length - 1; i >= 0; i--) {
                    text.append("\n  ").append(trace[i]);
                }
            } else {
                text.append(entry.getValue());
            }
        }
        Object exception = context.get("exception");
        if (exception instanceof Throwable failure) {
            log.log(Level.ERROR, text.toString(), failure);
        } else {
            log.log(Level.ERROR, text.toString());
        }
    }
}
