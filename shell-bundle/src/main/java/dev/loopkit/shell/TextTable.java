package dev.loopkit.shell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Left-aligned columns for the shell commands' output; other front ends (the Web Console) read the
 * same cells through {@link #header()} and {@link #rows()}.
 */
public final class TextTable {

    private final List<String[]> rows = new ArrayList<>();

    TextTable(String... header) {
        rows.add(header);
    }

    TextTable row(Object... cells) {
        String[] text = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            text[i] = String.valueOf(cells[i]);
        }
        rows.add(text);
        return this;
    }

    /** The cells, with {@code footer} under them. */
    Listing listing(String footer) {
        return new Listing(List.of(rows.get(0)), rows.subList(1, rows.size()).stream().map(List::of).toList(), footer);
    }

    @Override
    public String toString() {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(row[i]);
                if (i < columns - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
