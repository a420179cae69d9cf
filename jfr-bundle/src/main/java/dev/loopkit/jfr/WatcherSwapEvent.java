package dev.loopkit.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The children went from one child watcher to another: the current watcher changed, or one left holding children. */
@Name(WatcherSwapEvent.NAME)
@Label("Child Watcher Swap")
@Category("Loopkit")
@Description("The children went from one child watcher to another")
@StackTrace(false)
public final class WatcherSwapEvent extends Event {

    public static final String NAME = "dev.loopkit.WatcherSwap";

    @Label("From")
    @Description("The watcher the children left (none: the first watcher came)")
    public String from;

    @Label("To")
    @Description("The watcher that holds them now (none: they wait for one, unreaped)")
    public String to;

    @Label("Reason")
    @Description("Why the new watcher is current (explicit, configured, ranked), and what set the swap off")
    public String reason;

    @Label("Children Moved")
    public int childrenMoved;
}
