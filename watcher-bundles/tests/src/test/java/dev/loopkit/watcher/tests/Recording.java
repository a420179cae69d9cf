package dev.loopkit.watcher.tests;

import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** What a subprocess protocol heard, in order, and the code it read at {@code processExited}. */
final class Recording implements SubprocessProtocol {

    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private final Runnable onConnectionMade;
    SubprocessTransport transport;

    Recording() {
        this(() -> { });
    }

    /** @param onConnectionMade user code run from {@code connectionMade}, after it is recorded */
    Recording(Runnable onConnectionMade) {
        this.onConnectionMade = onConnectionMade;
    }

    @Override
    public void connectionMade(SubprocessTransport made) {
        events.add("connectionMade");
        transport = made;
        onConnectionMade.run();
    }

    @Override
    public void processExited() {
        events.add("processExited " + transport.getReturncode());
        exited.complete(transport.getReturncode());
    }
}
